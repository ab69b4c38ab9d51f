"""Reading files: the parsed form, python-hcl2's gaps, and every way a file can be unreadable."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from why403.model.facts import BucketFact, BucketPolicyFact, RoleFact
from why403.sources.terraform import parse_bytes, parse_file
from why403.sources.terraform.normalize import normalize

from .helpers import errors, facts, load, one, write
from .oracle import Terraform

POLICY_TF = '''
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "${aws_s3_bucket.logs.arn}/*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
'''


def test_parse_is_a_pure_picklable_function_of_the_bytes(tmp_path: Path) -> None:
    data = POLICY_TF.encode()
    first = parse_bytes(data, "main.tf", is_json=False)
    second = parse_file(data, name="main.tf")
    assert first == second
    assert first.error is None and first.body is not None
    assert pickle.loads(pickle.dumps(first)) == first
    path = tmp_path / "main.tf"
    path.write_bytes(data)
    assert parse_file(path, name="main.tf") == first


def test_python_hcl2_is_imported_only_when_a_tf_file_is_read(tmp_path: Path) -> None:
    write(tmp_path / "json", {"main.tf.json": '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}'})
    write(tmp_path / "hcl", {"main.tf": 'resource "aws_s3_bucket" "b" { bucket = "x" }\n'})
    code = (
        "import sys\nfrom pathlib import Path\n"
        "from why403.sources.terraform import load_module\nfrom why403.model.facts import SourceOptions\n"
        "assert 'hcl2' not in sys.modules\n"
        f"r = load_module(Path({str(tmp_path / 'json')!r}), SourceOptions())\n"
        "assert r.facts and 'hcl2' not in sys.modules, 'json read without hcl2'\n"
        f"load_module(Path({str(tmp_path / 'hcl')!r}), SourceOptions())\n"
        "assert 'hcl2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_parse_worker_imports_the_reader_without_the_rest_of_the_frontend() -> None:
    """Parse workers import only :mod:`.reader`; the package's public names load on first use."""
    code = (
        "import sys\nimport why403.sources.terraform.reader\n"
        "heavy = [m for m in ('load', 'plan', 'evaluate', 'instances', 'resources', 'functions')\n"
        "         if f'why403.sources.terraform.{m}' in sys.modules]\n"
        "assert not heavy and 'why403.policy.parse' not in sys.modules, heavy\n"
        "from why403.sources.terraform import ParsedFile, is_plan_json, load_module, load_plan, parse_file\n"
        "import why403.sources.terraform as tf\n"
        "assert tf.load_module is load_module and callable(load_plan) and callable(is_plan_json)\n"
        "assert tf.parse_file is parse_file and ParsedFile.__name__ == 'ParsedFile'\n"
        "assert not hasattr(tf, 'no_such_name')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_rejected_file_is_an_error_with_its_line_and_the_others_are_still_read(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "main.tf": POLICY_TF,
        "broken.tf": 'resource "aws_iam_role" "r" {\n  name = "x"\n  assume_role_policy = "a" "b"\n}\n',
    })
    errs = errors(result)
    assert len(errs) == 1
    assert errs[0].location.file.endswith("broken.tf") and errs[0].location.line == 3
    assert one(result, BucketPolicyFact).bucket == "acme-logs"
    assert not facts(result, RoleFact)


def test_binary_and_non_utf8_files_are_errors(tmp_path: Path) -> None:
    (tmp_path / "blob.tf").write_bytes(b"\x7fELF\x00\x00\x01\x02" * 100)
    (tmp_path / "latin1.tf").write_bytes(b'locals {\n  a = "caf\xe9"\n}\n')
    write(tmp_path, {"main.tf": POLICY_TF})
    result = load(tmp_path)
    by_file = {Path(d.location.file).name: d for d in errors(result)}
    assert "binary" in by_file["blob.tf"].message
    assert "UTF-8" in by_file["latin1.tf"].message and by_file["latin1.tf"].location.line == 2
    assert one(result, BucketFact).name == "acme-logs"


def test_a_20_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "generated.tf"
    with big.open("w") as fh:
        line = 'locals { x%d = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }\n'
        for i in range(260_000):
            fh.write(line % i)
    assert big.stat().st_size > 20 * 1024 * 1024
    write(tmp_path, {"main.tf": POLICY_TF})
    start = time.monotonic()
    result = load(tmp_path)
    assert time.monotonic() - start < 10
    (err,) = errors(result)
    assert err.location.file.endswith("generated.tf") and "MB" in err.message
    assert one(result, BucketFact).name == "acme-logs"


def test_deeply_nested_input_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    depth = 3000
    write(tmp_path, {"deep.tf": "locals {\n  x = " + "[" * depth + "1" + "]" * depth + "\n}\n",
                     "deep.tf.json": '{"locals": {"x": ' + "[" * depth + "1" + "]" * depth + "}}",
                     "main.tf": POLICY_TF})
    result = load(tmp_path)
    files = {Path(d.location.file).name for d in errors(result)}
    assert files == {"deep.tf", "deep.tf.json"}
    assert one(result, BucketFact).name == "acme-logs"


def test_json_syntax_reads_like_native_syntax(tmp_path: Path) -> None:
    policy = ('${jsonencode({Version = "2012-10-17", Statement = [{Effect = "Deny", Principal = "*", '
              'Action = "s3:*", Resource = "${aws_s3_bucket.data.arn}/*"}]})}')
    config = {
        "variable": {"name": {"default": "acme-data"}},
        "resource": {
            "aws_s3_bucket": {"data": {"bucket": "${var.name}"}},
            "aws_s3_bucket_policy": {"data": {"bucket": "${aws_s3_bucket.data.id}", "policy": policy}},
        },
    }
    text = json.dumps(config, indent=2)
    policy_line = text.split("\n").index(next(ln for ln in text.split("\n") if '"policy"' in ln)) + 1
    result = load(tmp_path, {"main.tf.json": text})
    assert not errors(result)
    assert one(result, BucketFact).name == "acme-data"
    found = one(result, BucketPolicyFact).policy
    assert found.statements[0].resources == ("arn:aws:s3:::acme-data/*",)
    assert found.statements[0].location is not None and found.statements[0].location.line == policy_line


# -- python-hcl2's gaps, each shown to be valid Terraform -------------------------------------------------

GAPS = {
    "bom": "\ufefflocals {\n  v = \"bom\"\n}\noutput \"v\" {\n  value = local.v\n}\n",
    "heredoc_marker_trailing_spaces": (
        "locals {\n  v = <<EOT\n{\"Statement\": []}\nEOT   \n}\noutput \"v\" {\n  value = local.v\n}\n"),
    "indented_heredoc_marker_trailing_tab": (
        "locals {\n  v = <<-EOT\n    line one\n      line two\n    EOT\t\n}\noutput \"v\" {\n  value = local.v\n}\n"),
    "newline_before_for_arrow": (
        "locals {\n  m = { a = 1, b = 2 }\n  v = {\n    for k, n in local.m : upper(k)\n    => n * 10\n  }\n}\n"
        "output \"v\" {\n  value = local.v\n}\n"),
    "newline_and_comment_before_for_arrow": (
        "locals {\n  m = { a = 1 }\n  v = { for k, n in local.m : k # the key\n    => n }\n}\n"
        "output \"v\" {\n  value = local.v\n}\n"),
}


@pytest.mark.parametrize("case", sorted(GAPS))
def test_python_hcl2_gaps_are_normalised_without_moving_lines(case: str) -> None:
    text = GAPS[case]
    fixed = normalize(text)
    assert fixed.count("\n") == text.lstrip("\ufeff").count("\n")
    parsed = parse_bytes(text.encode(), "main.tf", is_json=False)
    assert parsed.error is None, parsed.error
    # The rest of the file keeps its lines: the output block is where it was written.
    assert parsed.body is not None
    output = next(b for b in parsed.body.blocks_ if b.type == "output")
    assert output.line == text.lstrip("\ufeff").split("\n").index('output "v" {') + 1


def test_python_hcl2_still_rejects_the_raw_gaps() -> None:
    import hcl2

    for case in ("heredoc_marker_trailing_spaces", "newline_before_for_arrow"):
        with pytest.raises(Exception):  # noqa: B017 - Lark raises several types
            hcl2.parses_to_tree(GAPS[case])


@pytest.mark.parametrize("case", sorted(GAPS))
def test_terraform_accepts_each_gap_and_why403_reads_the_same_value(
        case: str, tmp_path: Path, terraform: Callable[[Path], Terraform]) -> None:
    from why403.model.facts import SourceOptions
    from why403.sources.terraform.load import instantiate
    from why403.sources.terraform.tfvalues import ObjVal

    (tmp_path / "main.tf").write_text(GAPS[case], encoding="utf-8")
    expected = terraform(tmp_path).outputs()["v"]
    _, root = instantiate(tmp_path, SourceOptions())
    value = root.output("v")
    assert (dict(value) if isinstance(value, ObjVal) else value) == expected

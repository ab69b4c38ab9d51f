"""No internal placeholder reaches any output (issue 14, point 2).

Every fixture and example of the repository goes through ``check`` in every report format, the
denials found through ``explain``, and the dumps of ``examples/diagnose`` through ``diagnose`` in
every format. No output may hold a private-use character (the insides of a token), and every
``${...}`` it holds must be the user's own text: a policy variable or an intrinsic written in the
sources (``${aws:username}`` may be spelled ``&{aws:username}``, ``$${aws:username}`` or
``${!aws:username}`` there).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from why403.cli.main import main

CHECKOUT = Path(__file__).resolve().parents[2]
FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")
INPUTS = [
    *sorted(p for p in (CHECKOUT / "tests" / "unknowns" / "fixtures").iterdir() if p.is_dir()),
    *sorted((CHECKOUT / "tests" / "cloudformation" / "fixtures").glob("*.yaml")),
    CHECKOUT / "tests" / "cloudformation" / "fixtures" / "cdk.out",
    CHECKOUT / "tests" / "terraform" / "fixtures" / "policy_features",
    *sorted((CHECKOUT / "tests" / "terraform" / "fixtures" / "plans").glob("*.json")),
    CHECKOUT / "examples" / "kms-403",
    *sorted((CHECKOUT / "examples" / "diagnose").glob("*/infra")),
]
# Accesses whose resources have names the sources leave open, asked of explain by source address.
EXPLAIN_BY_ADDRESS = {
    "cdk-generated-names": [["--principal", "UploaderServiceRole1A2B3C4D", "--action", "s3:PutObject",
                             "--resource", "DataBucketE3889A50/upload.csv"]],
    "tf-prefix-and-vars": [["--principal", "aws_iam_role.worker", "--action", "s3:PutObject",
                            "--resource", f"aws_s3_bucket.{bucket}/upload.csv"] for bucket in ("scratch", "data")],
}
DUMPS = sorted((CHECKOUT / "examples" / "diagnose").glob("*/dumps"))

PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


def _source_text(path: Path) -> str:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return "\n".join(p.read_text(errors="replace") for p in files)


def _decoded(output: str) -> str:
    """JSON reports escape private-use characters (``\\ue000``): scan what they decode to as well."""
    try:
        return output + "\n" + json.dumps(json.loads(output), ensure_ascii=False)
    except ValueError:
        return output


def _leaks(output: str, sources: str) -> list[str]:
    output = _decoded(output)
    found = [f"private-use character {m.group(0)!r} in ...{output[max(0, m.start() - 60):m.end() + 20]!r}"
             for m in PRIVATE_USE.finditer(output)]
    compact = re.sub(r"\s+", "", sources)
    for m in PLACEHOLDER.finditer(output):
        inner = re.sub(r"\s+", "", m.group(1))  # the text report wraps long lines anywhere
        # JSON may escape what the source wrote plainly (a slash, a quote).
        plain = json.loads(f'"{inner}"') if "\\" in inner and '"' not in inner else inner
        if not any(f"{{{prefix}{text}}}" in compact for prefix in ("", "!") for text in (inner, plain)):
            found.append(f"placeholder {m.group(0)!r} in ...{output[max(0, m.start() - 60):m.end() + 20]!r}")
    return found


def _explains(report: dict[str, object]) -> list[list[str]]:
    """The ``explain`` arguments of each denial a report holds (one per principal and rule)."""
    out, seen = [], set()
    for f in report["findings"]:  # type: ignore[attr-defined]
        access = f.get("access")
        if f["kind"] != "denied" or not access or not access.get("principal_ref"):
            continue
        key = (f["rule"], access["principal_ref"])
        if key in seen or "*" in access["resource"] or "<" in access["resource"]:
            continue
        seen.add(key)
        out.append(["--principal", access["principal_ref"], "--action", access["action"],
                    "--resource", access["resource"]])
    return out


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(CHECKOUT)))
def test_check_and_explain_show_no_internal_placeholder(path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", str(path), "--no-config", "--no-cache", "--color", "never"]
    for fmt in FORMATS:
        args += ["--format", fmt, "--output", str(tmp_path / f"report.{fmt}")]
    main(args)
    captured = capsys.readouterr()
    outputs = {fmt: (tmp_path / f"report.{fmt}").read_text() for fmt in FORMATS}
    outputs["stdout"], outputs["stderr"] = captured.out, captured.err
    for request in [*_explains(json.loads(outputs["json"])), *EXPLAIN_BY_ADDRESS.get(path.name, [])]:
        assert main(["explain", str(path), *request, "--no-config"]) in (0, 1, 3)  # 3: undecided
        captured = capsys.readouterr()
        outputs[f"explain {' '.join(request)}"] = captured.out + captured.err
    sources = _source_text(path)
    leaks = {name: found for name, text in outputs.items() if (found := _leaks(text, sources))}
    assert not leaks, leaks


@pytest.mark.parametrize("dumps", DUMPS, ids=lambda p: p.parent.name)
def test_diagnose_shows_no_internal_placeholder(dumps: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    leaks = {}
    for fmt in FORMATS:
        main(["diagnose", str(dumps), "--format", fmt, "--output", str(tmp_path / f"d.{fmt}")])
        captured = capsys.readouterr()
        text = (tmp_path / f"d.{fmt}").read_text() + captured.out + captured.err
        if found := _leaks(text, _source_text(dumps.parent)):
            leaks[fmt] = found
    assert not leaks, leaks


def test_the_scan_finds_what_it_looks_for() -> None:
    assert _leaks("arn:aws:iam::${AccountId}:root", "") and _leaks("a\ue000ub\ue001", "")
    assert _leaks(json.dumps({"principal_ref": "arn:aws:iam::\ue000a\ue001:root"}), "")
    assert not _leaks("arn:aws:s3:::home/${aws:username}/*", 'Resource = "arn:aws:s3:::home/&{aws:username}/*"')
    assert not _leaks("arn:aws:s3:::<var.bucket_name>/*", "")

"""Reading a dump folder: names, lines, and untrusted input (links, binary, huge, malformed files)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from why403.cli.main import main
from why403.sources.awsdump import load_dumps
from why403.sources.awsdump.files import DumpError, DumpName, parse_located, parse_name, read_bounded, scan_folder

CASES = Path(__file__).resolve().parents[2] / "examples" / "diagnose"
SESSION = "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705"
OBJECT = "arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv"


def test_names() -> None:
    assert parse_name("s3api.get-bucket-policy.my.dotted.bucket.json") == (
        DumpName("s3api", "get-bucket-policy", "my.dotted.bucket"), "json")
    assert parse_name("sts.get-caller-identity.json") == (DumpName("sts", "get-caller-identity"), "json")
    assert parse_name("kms.list-grants.1234abcd-12ab-34cd-56ef-1234567890ab.err") == (
        DumpName("kms", "list-grants", "1234abcd-12ab-34cd-56ef-1234567890ab"), "err")
    assert parse_name("notes.txt") is None and parse_name("README.md") is None


def test_lines_of_objects_and_keys() -> None:
    text = ('{\n  "Policy": {\n    "Summary": {"Name": "x{\\"["},\n    "Content": "{}"\n  },\n'
            '  "L": [\n    {"a": 1}\n  ]\n}')
    located = parse_located(text)
    doc = located.value
    assert located.line(doc) == 1 and located.line(doc["Policy"]) == 2
    assert located.line(doc["Policy"]["Summary"]) == 3, "braces inside strings are not objects"
    assert located.key_line(doc["Policy"], "Content") == 4
    assert located.line(doc["L"]) == 6 and located.line(doc["L"][0]) == 7


def test_malformed_json_is_located() -> None:
    with pytest.raises(DumpError) as caught:
        parse_located('{\n  "a": 1,\n  "b": \n}')
    assert caught.value.line == 4
    with pytest.raises(DumpError, match="appears twice"):
        parse_located('{"a": {"x": 1},\n "a": {"y": 2}}')
    with pytest.raises(DumpError, match="nested too deeply"):
        parse_located("[" * 100_000 + "]" * 100_000)


def test_bounded_read_refuses_links_and_large_files(tmp_path: Path) -> None:
    target = tmp_path / "outside.json"
    target.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    with pytest.raises(DumpError, match=r"cannot be read|not a regular file"):
        read_bounded(link, 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2000)
    with pytest.raises(DumpError, match="not read"):
        read_bounded(big, 1000)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(DumpError, match="not a regular file"):
        read_bounded(fifo, 1000)


def _copy(case: str, tmp_path: Path) -> Path:
    dest = tmp_path / case
    shutil.copytree(CASES / case, dest)
    return dest / "dumps"


def test_links_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"Policy": "{}"}))
    policy = dumps / "s3api.get-bucket-policy.acme-reports-prod.json"
    policy.unlink()
    policy.symlink_to(secret)
    folder = scan_folder(dumps)
    assert DumpName("s3api", "get-bucket-policy", "acme-reports-prod") not in folder.files or \
        not folder.files[DumpName("s3api", "get-bucket-policy", "acme-reports-prod")].has_json
    assert any("symbolic link" in d.message for d in folder.diagnostics)


def test_a_broken_dump_is_an_error_with_its_line_and_the_rest_is_used(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    (dumps / "s3api.get-bucket-acl.acme-reports-prod.json").write_text('{\n  "Owner": {\n    "ID": \n}\n')
    (dumps / "s3api.get-bucket-encryption.acme-reports-prod.json").write_bytes(b"\x00\x01\x02binary")
    monkeypatch.chdir(dumps.parent)
    code = main(["diagnose", "dumps", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    errors = {(Path(e["file"]).name, e["line"]) for e in doc["errors"]}
    assert ("s3api.get-bucket-acl.acme-reports-prod.json", 4) in errors
    assert any(name == "s3api.get-bucket-encryption.acme-reports-prod.json" for name, _ in errors)
    assert code == 1 and doc["diagnosis"]["layer"] == "bucket-policy", "the other dumps still decide"


def test_wrong_types_are_located_errors(tmp_path: Path) -> None:
    dumps = _copy("05-permissions-boundary", tmp_path)
    path = dumps / "iam.get-account-authorization-details.json"
    doc = json.loads(path.read_text())
    doc["RoleDetailList"][1]["RolePolicyList"] = "not a list"
    path.write_text(json.dumps(doc, indent=4))
    loaded = load_dumps(dumps)
    messages = [(d.location.line, d.message) for d in loaded.result.diagnostics if d.severity == "error"]
    assert messages and "RolePolicyList should be a list" in messages[0][1] and messages[0][0] > 1


def test_utf16_dumps_from_windows_powershell(tmp_path: Path) -> None:
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    path = dumps / "s3api.get-bucket-policy.acme-reports-prod.json"
    path.write_bytes(path.read_text().encode("utf-16"))
    loaded = load_dumps(dumps)
    assert not [d for d in loaded.result.diagnostics if d.severity == "error"]


def test_an_empty_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", str(tmp_path), "--principal", SESSION, "--action", "s3:GetObject",
                 "--resource", OBJECT]) == 2
    assert "no dumps in it" in capsys.readouterr().err


def test_usage_errors(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "01-bucket-policy-deny")
    assert main(["diagnose", "nowhere"]) == 2
    assert main(["diagnose", "dumps", "--principal", SESSION, "--action", "s3:GetObjects", "--resource", OBJECT]) == 2
    assert main(["diagnose", "dumps", "--principal", SESSION, "--action", "s3:GetObject",
                 "--resource", "arn:aws:s3:::acme-reports-prod"]) == 2
    assert main(["diagnose", "dumps", "--event", "missing.json"]) == 2
    err = capsys.readouterr().err
    assert "not a folder of dumps" in err and "not an IAM action" in err and "acts on objects" in err
    assert "Traceback" not in err


def test_dump_text_cannot_drive_a_terminal_or_a_ci_runner(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dumps = _copy("05-permissions-boundary", tmp_path)
    logs = dumps / "logs.filter-log-events.json"
    doc = json.loads(logs.read_text())
    event = json.loads(doc["events"][0]["message"])
    event["errorMessage"] += "\n::error file=x::forged\x1b]0;title\x07 ##[set-output name=a]b"
    doc["events"][0]["message"] = json.dumps(event)
    logs.write_text(json.dumps(doc))
    monkeypatch.chdir(dumps.parent)
    for fmt in ("text", "json", "sarif"):
        main(["diagnose", "dumps", "--format", fmt])
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\x07" not in out and "##[" not in out
        assert not any(line.lstrip().startswith("::") for line in out.splitlines())

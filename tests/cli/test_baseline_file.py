"""Adopting the gate on a repository with findings: --write-baseline, --baseline-file, baseline-file.

A template with two wildcard grants stands for a repository's existing findings; the tests record
them, move them, fix one, add one, run from elsewhere, break the file, and read it through a
configuration at a git revision.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from why403.cli.main import main

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
%(pad)s  ArtifactKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Admin
            Effect: Allow
            Principal: {AWS: arn:aws:iam::111111111111:role/key-admin}
            Action: kms:*
            Resource: "*"
%(key_wildcard)s
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: artifacts-bkt-example
  ArtifactsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Artifacts
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
%(bucket_wildcard)s          - Sid: Deployer
            Effect: Allow
            Principal: {AWS: arn:aws:iam::111111111111:role/deployer}
            Action: s3:PutObject
            Resource: arn:aws:s3:::artifacts-bkt-example/*
"""
KEY_WILDCARD = """          - Sid: AnyoneDecrypts
            Effect: Allow
            Principal: {AWS: "*"}
            Action: kms:Decrypt
            Resource: "*"
"""
BUCKET_WILDCARD = """          - Sid: AnyoneReads
            Effect: Allow
            Principal: {AWS: "*"}
            Action: s3:GetObject
            Resource: arn:aws:s3:::artifacts-bkt-example/*
"""


def _template(pad: bool = False, key: bool = True, bucket: bool = True) -> str:
    return TEMPLATE % {"pad": "  Topic:\n    Type: AWS::SNS::Topic\n" if pad else "",
                       "key_wildcard": KEY_WILDCARD if key else "",
                       "bucket_wildcard": BUCKET_WILDCARD if bucket else ""}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    top = tmp_path / "repo"
    (top / "infra").mkdir(parents=True)
    (top / ".git").mkdir()
    (top / "infra" / "artifacts.yaml").write_text(_template())
    monkeypatch.chdir(top)
    return top


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", *args, "--no-cache", "--account-id", "111111111111"])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, err = _run(capsys, *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def test_write_then_check_reports_nothing_and_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, before = _json(capsys, "infra")
    assert code == 1 and {f["rule"] for f in before["findings"]} >= {"W403-B307", "W403-B302"}
    code, out, err = _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    assert code == 0, "writing the baseline accepts every finding"
    assert f"recorded {len(before['findings'])} findings in why403-baseline.json" in err
    assert "W403-B307" in out, "the report is printed as usual"
    code, after = _json(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert code == 0 and after["findings"] == []
    assert after["baseline"] == {"file": "why403-baseline.json", "matched": len(before["findings"]), "stale": []}
    code, out, _ = _run(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert code == 0 and f"{len(before['findings'])} in the baseline file" in out


def test_the_file_is_sorted_versioned_and_stable(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "infra", "--write-baseline", "a.json")
    _run(capsys, ".", "--write-baseline", "b.json")
    text = (repo / "a.json").read_text()
    assert text == (repo / "b.json").read_text(), "the same findings whatever the path form"
    data = json.loads(text)
    assert data["format"] == "why403-baseline/1"
    keys = [(e["file"], e["rule"], e["fingerprint"]) for e in data["findings"]]
    assert keys == sorted(keys) and all(e["file"] == "infra/artifacts.yaml" for e in data["findings"])
    lines = text.splitlines()
    assert len(lines) == len(data["findings"]) + 5, "one entry per line"


def test_moved_lines_stay_accepted_and_runs_from_a_subdirectory_too(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    (repo / "infra" / "artifacts.yaml").write_text(_template(pad=True))
    code, report = _json(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert code == 0 and report["findings"] == [] and report["baseline"]["stale"] == []
    monkeypatch.chdir(repo / "infra")
    code, report = _json(capsys, "--baseline-file", "../why403-baseline.json")
    assert code == 0 and report["findings"] == [] and report["baseline"]["matched"] >= 2


def test_new_findings_fail_and_fixed_ones_are_listed_as_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "infra" / "artifacts.yaml").write_text(_template(key=False))
    _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    # the change fixes the bucket wildcard and adds the key wildcard
    (repo / "infra" / "artifacts.yaml").write_text(_template(key=True, bucket=False))
    code, report = _json(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert code == 1
    assert {f["rule"] for f in report["findings"]} == {"W403-B302"}
    assert [e["rule"] for e in report["baseline"]["stale"]] == ["W403-B307"]
    code, out, _ = _run(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert "why403-baseline.json: 1 stale entry" in out and "W403-B307" in out
    assert "1 stale baseline entry" in out.splitlines()[-1]


def test_entries_for_files_not_checked_are_not_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "other").mkdir()
    (repo / "other" / "stack.yaml").write_text(_template())
    _run(capsys, ".", "--write-baseline", "why403-baseline.json")
    code, report = _json(capsys, "infra", "--baseline-file", "why403-baseline.json")
    assert code == 0 and report["baseline"]["stale"] == []


def test_suppressed_findings_are_not_recorded(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _template().replace("    Type: AWS::S3::BucketPolicy\n", "    Type: AWS::S3::BucketPolicy\n    Metadata:\n"
                               "      why403:\n        ignore:\n"
                               "          - {rule: W403-B307, reason: public artifacts (SEC-1)}\n")
    (repo / "infra" / "artifacts.yaml").write_text(text)
    _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    rules = [e["rule"] for e in json.loads((repo / "why403-baseline.json").read_text())["findings"]]
    assert "W403-B302" in rules and "W403-B307" not in rules


@pytest.mark.parametrize(("text", "where", "says"), [
    ('{"format": "why403-baseline/1", "findings": [\n  {"fingerprint": "zz"}\n]}', ":2:", "32 lowercase hexadecimal"),
    ('{"format": "why403-baseline/1", "findings": [\n  {"file": "a", "fingerprint": "' + "a" * 32 + '"},\n'
     '  {"fingerprint": "' + "b" * 32 + '",\n   "colour": 1}\n]}', ":3:", "unknown key 'colour'"),
    ('{"format": "why403-baseline/1",\n "findings": [\n', ":3:", "not valid JSON"),
    ('{\n  "format": "why403-baseline/9",\n  "findings": []\n}', ":2:", "is not 'why403-baseline/1'"),
    ('[]', ":1:", "expected an object"),
    ('{"format": "why403-baseline/1", "findings": {}}', ":1:", "must be a list"),
])
def test_a_malformed_file_is_an_error_naming_file_and_line(repo: Path, capsys: pytest.CaptureFixture[str],
                                                          text: str, where: str, says: str) -> None:
    (repo / "base.json").write_text(text)
    code, out, err = _run(capsys, "infra", "--baseline-file", "base.json")
    assert code == 2 and out == ""
    assert err.startswith(f"why403: error: base.json{where}") and says in err, err
    assert "Traceback" not in err


def test_a_missing_file_and_both_flags_are_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "infra", "--baseline-file", "nope.json")
    assert code == 2 and "nope.json: no such file" in err and "--write-baseline" in err
    code, _, err = _run(capsys, "infra", "--baseline-file", "a.json", "--write-baseline", "b.json")
    assert code == 2 and "give one" in err


def test_the_configuration_names_it_relative_to_itself(repo: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "ci").mkdir()
    _run(capsys, "infra", "--write-baseline", "ci/accepted.json")
    (repo / ".why403.yaml").write_text("baseline-file: ci/accepted.json\n")
    monkeypatch.chdir(repo / "infra")
    code, report = _json(capsys)
    assert code == 0 and report["findings"] == [] and report["baseline"]["file"] == "../ci/accepted.json"
    (repo / ".why403.yaml").write_text("baseline-file: /etc/passwd\n")
    code, _, err = _run(capsys)
    assert code == 2 and "outside the repository" in err


git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(top: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=top, check=True, capture_output=True)


@git
def test_at_a_revision_the_change_cannot_accept_its_own_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The configuration and its baseline file are read as they are at REF: a pull request that
    records its new finding in the baseline file still fails."""
    top = tmp_path / "repo"
    (top / "infra").mkdir(parents=True)
    (top / "infra" / "artifacts.yaml").write_text(_template(key=False))
    monkeypatch.chdir(top)
    _git(top, "init", "-q")
    _git(top, "config", "user.email", "dev@example.com")
    _git(top, "config", "user.name", "dev")
    _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    (top / ".why403.yaml").write_text("baseline-file: why403-baseline.json\n")
    _git(top, "add", ".")
    _git(top, "commit", "-q", "-m", "adopt why403 with a baseline")
    # the pull request: a new wildcard, and the baseline file rewritten to accept it
    (top / "infra" / "artifacts.yaml").write_text(_template(key=True))
    _run(capsys, "infra", "--write-baseline", "why403-baseline.json")
    code, report = _json(capsys, "infra", "--config-from", "HEAD")
    assert code == 1 and {f["rule"] for f in report["findings"]} == {"W403-B302"}
    code, report = _json(capsys, "infra")  # locally, the working copy's file is honoured
    assert code == 0 and report["findings"] == []


def test_a_change_naming_a_baseline_file_weakens_the_gate() -> None:
    from why403.cli.config import Config
    from why403.cli.gate import weakenings

    found = weakenings(Config(path="a"), Config(path="a", baseline_file="/r/accepted.json"), ("W403-B307",))
    assert [w.key for w in found] == ["baseline-file"]
    assert weakenings(Config(path="a", baseline_file="/r/x"), Config(path="a", baseline_file="/r/x"), ()) == []


def test_outside_a_git_repository_files_are_named_from_the_baseline_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    top = tmp_path / "plain"
    (top / "infra").mkdir(parents=True)
    (top / "infra" / "artifacts.yaml").write_text(_template())
    monkeypatch.chdir(top)
    _run(capsys, ".", "--write-baseline", "why403-baseline.json")
    assert {e["file"] for e in json.loads((top / "why403-baseline.json").read_text())["findings"]} == \
        {"infra/artifacts.yaml"}
    monkeypatch.chdir(top / "infra")
    code, report = _json(capsys, "--baseline-file", "../why403-baseline.json")
    assert code == 0 and report["findings"] == [] and report["baseline"]["matched"] >= 2

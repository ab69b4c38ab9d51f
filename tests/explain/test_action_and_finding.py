"""``why403 explain``: the action is checked against the IAM action catalogue with the closest
valid actions suggested, and ``--finding FINGERPRINT`` explains a finding of the last check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.explain.test_classic_cases import SSE_KMS, _write
from why403.cli.main import main


def _explain(root: Path, action: str) -> list[str]:
    return ["explain", str(root), "--principal", "aws_iam_role.reader", "--action", action,
            "--resource", "aws_s3_bucket.data/x", "--no-config"]


@pytest.mark.parametrize(("action", "message"), [
    ("GetObject", "--action GetObject: an IAM action starts with its service prefix (s3:GetObject, kms:Decrypt); "
                  "did you mean s3:GetObject?"),
    ("s3:ListObjectsV2", "--action s3:ListObjectsV2: an S3 API operation, not an IAM action: S3 authorizes it with "
                         "s3:ListBucket; did you mean s3:ListBucket?"),
    ("s3:GetObjet", "--action s3:GetObjet: s3 has no such action; did you mean s3:GetObject or "),
    ("s4:GetObject", "--action s4:GetObject: no AWS service has the prefix 's4'; did you mean s3:GetObject"),
    ("Decrypt", "did you mean kms:Decrypt?"),
])
def test_an_action_not_in_the_catalogue_is_refused_with_the_closest_valid_ones(
        action: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write(tmp_path, "")
    assert main(_explain(root, action)) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_an_action_in_any_case_is_spelled_as_aws_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write(tmp_path, "")
    assert main(_explain(root, "S3:getobject")) in (0, 1)
    assert "action     s3:GetObject" in capsys.readouterr().out


def test_explain_a_finding_of_the_last_check_by_its_fingerprint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "src").mkdir()
    root = _write(tmp_path / "src", SSE_KMS)
    assert main(["check", str(root), "--format", "json", "--no-config"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    denied = next(f for f in findings if f["rule"] == "W403-D103")
    monkeypatch.chdir(tmp_path)  # anywhere: the paths come from the record
    code = main(["explain", "--finding", denied["fingerprint"][:10]])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert f"W403-D103 {denied['fingerprint'][:12]}: " in captured.err
    assert "Verdict: DENIED (403) in S3's kms:Decrypt call to KMS" in captured.out
    assert "principal  aws_iam_role.reader" in captured.out


def test_explain_finding_says_what_to_do_when_it_cannot(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["explain", "--finding", "abcdef12"]) == 2
    assert "no check has been recorded yet: run 'why403 check PATH' first" in capsys.readouterr().err
    main(["check", str(_write(tmp_path, "")), "--no-config", "--no-cache"])  # --no-cache records nothing
    capsys.readouterr()
    assert main(["explain", "--finding", "abcdef12"]) == 2
    assert "no check has been recorded yet" in capsys.readouterr().err
    (tmp_path / "src").mkdir()
    root = _write(tmp_path / "src", SSE_KMS)
    main(["check", str(root), "--no-config"])
    capsys.readouterr()
    assert main(["explain", "--finding", "0000000000"]) == 2
    assert "no finding of the last check" in capsys.readouterr().err
    assert main(["explain", "--finding", "xyz"]) == 2
    assert "a fingerprint is hexadecimal, at least its first 6 characters" in capsys.readouterr().err
    assert main(["explain", str(root)]) == 2
    assert "--principal, --action, --resource required (or --finding FINGERPRINT" in capsys.readouterr().err
    (tmp_path / "cache" / "why403" / "last-run.json").write_text('{"format": 99}')
    assert main(["explain", "--finding", "abcdef12"]) == 2
    assert "not a record this why403 wrote" in capsys.readouterr().err

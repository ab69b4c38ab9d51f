"""What the dumps do not say: unknowns named with the command that collects them, never defaults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from why403.cli.main import main

CASES = Path(__file__).resolve().parents[2] / "examples" / "diagnose"
READER = "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705"
REPORT = "arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv"
VPCE = "vpce-0c5e8f2a9d1b34e67"


def _copy(case: str, tmp_path: Path, *remove: str) -> Path:
    dest = tmp_path / case
    shutil.copytree(CASES / case, dest)
    for name in remove:
        for path in (dest / "dumps").glob(name):
            path.unlink()
    return dest


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["diagnose", "dumps", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["diagnosis"]


def test_a_missing_key_policy_is_unknown_with_its_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_copy("02-kms-key-policy", tmp_path, "kms.get-key-policy.*"))
    code, d = _json(capsys)
    assert code == 3 and d["verdict"] == "unknown"
    (gap,) = [g for g in d["not_collected"] if g["file"].startswith("kms.get-key-policy")]  # type: ignore[union-attr]
    assert gap["state"] == "not collected" and "kms-key-policy" in gap["layers"]
    assert gap["command"].startswith("aws kms get-key-policy --key-id arn:aws:kms:eu-west-1:111122223333:key/")
    assert "--policy-name default" in gap["command"]
    assert d["message_check"]["agrees"] is False  # type: ignore[index]
    assert "kms.get-key-policy" in d["message_check"]["text"]  # type: ignore[index]


def test_a_failed_dump_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    case = _copy("02-kms-key-policy", tmp_path)
    policy = next((case / "dumps").glob("kms.get-key-policy.*.json"))
    policy.write_text("")
    policy.with_suffix(".err").write_text(
        "\nAn error occurred (AccessDeniedException) when calling the GetKeyPolicy operation: User: "
        "arn:aws:sts::111122223333:assumed-role/Auditor/jdoe is not authorized to perform: kms:GetKeyPolicy\n")
    monkeypatch.chdir(case)
    code, d = _json(capsys)
    assert code == 3
    states = {g["file"]: g["state"] for g in d["not_collected"]}  # type: ignore[union-attr]
    assert states[policy.name].startswith("failed: AccessDeniedException: User:")


def test_no_bucket_policy_is_a_fact_not_a_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS's NoSuchBucketPolicy (in the .err file) says the bucket has none; an empty file alone does not."""
    monkeypatch.chdir(CASES / "05-permissions-boundary")
    _, d = _json(capsys)
    assert not [g for g in d["not_collected"] if "get-bucket-policy" in g["file"]]  # type: ignore[union-attr]
    case = _copy("05-permissions-boundary", tmp_path, "s3api.get-bucket-policy.*.err")
    monkeypatch.chdir(case)
    code, d = _json(capsys)
    assert code == 1, "the boundary denies whatever the bucket policy holds"
    (gap,) = [g for g in d["not_collected"] if "get-bucket-policy" in g["file"]]  # type: ignore[union-attr]
    assert "printed nothing" in gap["state"]


def test_unknown_object_encryption_is_tried_both_ways(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_copy("01-bucket-policy-deny", tmp_path, "s3api.head-object.*"))
    code, d = _json(capsys, "--principal", READER, "--action", "s3:GetObject", "--resource", REPORT, "--vpce", VPCE)
    assert code == 3 and d["verdict"] == "unknown"
    assert d["variants"] == 3 and "SSE-KMS" in str(d["disagreement"])
    assert [g["file"] for g in d["not_collected"]] == ["s3api.head-object.acme-reports-prod.json"]  # type: ignore[union-attr]


def test_unknown_ownership_that_does_not_matter(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value the missing setting can take gives the same answer: that answer is definite."""
    monkeypatch.chdir(_copy("01-bucket-policy-deny", tmp_path, "s3api.get-bucket-ownership-controls.*"))
    code, d = _json(capsys, "--principal", READER, "--action", "s3:ListBucket", "--resource",
                    "arn:aws:s3:::acme-reports-prod", "--vpce", VPCE)
    assert code == 0 and d["verdict"] == "allowed" and d["variants"] == 2
    # Reading an object is another matter: with ACLs enabled it may belong to another account.
    code, d = _json(capsys, "--principal", READER, "--action", "s3:GetObject", "--resource", REPORT, "--vpce", VPCE)
    assert code == 3 and "ObjectWriter" in str(d["disagreement"]) + str(d["unknowns"])


def test_scps_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A member account cannot list SCPs: the SCP layer is unknown, and AWS's message is checked against that."""
    case = _copy("04-scp", tmp_path, "organizations.list-policies.SERVICE_CONTROL_POLICY.json")
    (case / "dumps" / "organizations.list-policies.SERVICE_CONTROL_POLICY.json").write_text("")
    (case / "dumps" / "organizations.list-policies.SERVICE_CONTROL_POLICY.err").write_text(
        "An error occurred (AccessDeniedException) when calling the ListPolicies operation: You don't have "
        "permissions to access this resource.")
    monkeypatch.chdir(case)
    code, d = _json(capsys)
    assert code == 3 and d["verdict"] == "unknown"
    assert any("SCP" in u or "scp" in u for u in d["unknowns"])  # type: ignore[union-attr]
    check = d["message_check"]
    assert check["agrees"] is False  # type: ignore[index]
    assert "organizations.list-policies.SERVICE_CONTROL_POLICY.json" in check["text"]  # type: ignore[index]


def test_a_role_session_without_its_assume_role_event(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the AssumeRole event, a session policy may have been passed: allowed becomes unknown."""
    monkeypatch.chdir(_copy("01-bucket-policy-deny", tmp_path, "cloudtrail.lookup-events.*"))
    code, d = _json(capsys, "--principal", READER, "--action", "s3:GetObject", "--resource", REPORT, "--vpce", VPCE)
    assert code == 3
    (gap,) = d["not_collected"]  # type: ignore[misc]
    assert gap["layers"] == ["session-policy"] and gap["command"].startswith("aws cloudtrail lookup-events")


def test_missing_identity_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_copy("05-permissions-boundary", tmp_path, "iam.get-account-authorization-details.json"))
    code, d = _json(capsys)
    assert code == 3
    files = [g["file"] for g in d["not_collected"]]  # type: ignore[union-attr]
    assert "iam.get-account-authorization-details.json" in files
    assert d["message_check"]["agrees"] is False  # type: ignore[index]


def test_text_lists_the_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_copy("02-kms-key-policy", tmp_path, "kms.list-grants.*"))
    code = main(["diagnose", "dumps"])
    text = capsys.readouterr().out
    assert code == 3, "a grant allows on its own: without the grants, the key policy's denial is not definite"
    assert "Not in the dumps (each could change this answer)" in text
    assert "aws kms list-grants --key-id arn:aws:kms:" in text

"""The seven cases of issue 18, from the redacted dumps in examples/diagnose, through `why403 diagnose`.

Each case is a folder of AWS CLI output as `--collect` writes it, with the denied request as a
CloudTrail event among the dumps. The diagnosis must name the layer AWS's own message names (where
AWS gives one), in every output format and in the JSON contract of `check`.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from why403.cli.main import main

CHECKOUT = Path(__file__).resolve().parents[2]
CASES = CHECKOUT / "examples" / "diagnose"
SARIF_SCHEMA = json.loads((CHECKOUT / "tests" / "report" / "data" / "sarif-schema-2.1.0.json").read_text())

# case -> (rule, layer, denial, kms_action, message agrees: True / None when AWS gave no policy type)
EXPECTED = {
    "01-bucket-policy-deny": ("W403-D101", "bucket-policy", "explicit", None, True),
    "02-kms-key-policy": ("W403-D103", "kms-key-policy", "implicit", "kms:Decrypt", True),
    "03-vpc-endpoint-policy": ("W403-D104", "vpc-endpoint-policy", "implicit", None, None),
    "04-scp": ("W403-D105", "scp", "explicit", None, True),
    "05-permissions-boundary": ("W403-D107", "permissions-boundary", "implicit", None, True),
    "06-cross-account": ("W403-D103", "identity-policy", "implicit", "kms:Decrypt", None),
    "07-session-policy": ("W403-D107", "session-policy", "implicit", None, True),
}


def _diagnose(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: str,
              *args: str) -> tuple[int, str]:
    monkeypatch.chdir(CASES / case)
    code = main(["diagnose", "dumps", *args])
    return code, capsys.readouterr().out


def test_every_case_has_its_dumps() -> None:
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_json_names_the_layer_aws_names(case: str, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rule, layer, denial, kms_action, agrees = EXPECTED[case]
    code, out = _diagnose(capsys, monkeypatch, case, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["schema"] == "why403/v1" and doc["errors"] == []
    (finding,) = doc["findings"]
    assert (finding["rule"], finding["kind"], finding["layer"], finding["denial"]) == (rule, "denied", layer, denial)
    assert finding["access"]["kms_action"] == kms_action
    assert finding["access"]["action"].startswith("s3:")
    assert finding["trace"], "the layers consulted are part of the contract"
    assert finding["location"]["file"].startswith("dumps/"), "the deciding statement is located in a dump"
    diagnosis = doc["diagnosis"]
    assert diagnosis["verdict"] == "denied" and diagnosis["layer"] == layer
    check = diagnosis["message_check"]
    if agrees is None:
        assert check is None or check["agrees"] is None
    else:
        assert check["agrees"] is True, check["text"]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_every_format(case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rule = EXPECTED[case][0]
    code, text = _diagnose(capsys, monkeypatch, case)
    assert code == 1
    assert "Verdict: DENIED (403)" in text and "Evaluation, in AWS's order" in text
    _, sarif = _diagnose(capsys, monkeypatch, case, "--format", "sarif")
    doc = json.loads(sarif)
    jsonschema.validate(doc, SARIF_SCHEMA)
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == [rule]
    assert doc["runs"][0]["properties"]["diagnosis"]["verdict"] == "denied"
    _, junit = _diagnose(capsys, monkeypatch, case, "--format", "junit")
    assert ET.fromstring(junit).attrib["failures"] == "1"
    _, github = _diagnose(capsys, monkeypatch, case, "--format", "github")
    assert github.startswith("::error file=dumps/") and rule in github
    _, gitlab = _diagnose(capsys, monkeypatch, case, "--format", "gitlab")
    assert json.loads(gitlab)[0]["check_name"] == rule


def test_statement_file_and_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = _diagnose(capsys, monkeypatch, "01-bucket-policy-deny", "--format", "json")
    statement = json.loads(out)["diagnosis"]["statement"]
    assert statement["sid"] == "DenyOutsideVpce" and statement["index"] == 1
    assert statement["file"] == "dumps/s3api.get-bucket-policy.acme-reports-prod.json" and statement["line"] == 2
    _, out = _diagnose(capsys, monkeypatch, "04-scp", "--format", "json")
    statement = json.loads(out)["diagnosis"]["statement"]
    assert statement["policy_arn"].endswith("/service_control_policy/p-4x7k2m9q")
    assert statement["sid"] == "DenyAllOutsideEU"


def test_kms_step_and_draft(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = _diagnose(capsys, monkeypatch, "02-kms-key-policy")
    assert code == 1
    assert "DENIED (403) in S3's kms:Decrypt call to KMS" in text
    assert "the key policy neither names the caller nor delegates to its IAM policies" in text
    assert '"AWS": "arn:aws:iam::111122223333:role/payroll-reader"' in text, "a draft re-simulated on the dumps"


def test_network_path_through_the_endpoint(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = _diagnose(capsys, monkeypatch, "03-vpc-endpoint-policy", "--format", "json")
    doc = json.loads(out)
    assert doc["findings"][0]["access"]["via"] == "vpce-0a7b3c9d2e1f48a65"
    assert doc["diagnosis"]["request"]["via"] == "vpce-0a7b3c9d2e1f48a65"


def test_the_same_request_from_flags_and_message(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The three flags (no event) give the same answer; --message alone gives the request too."""
    session = "arn:aws:sts::111122223333:assumed-role/ml-trainer/SageMaker"
    resource = "arn:aws:s3:::acme-ml-datasets/models/churn/v14/model.tar.gz"
    code, out = _diagnose(capsys, monkeypatch, "05-permissions-boundary", "--principal", session, "--action",
                          "s3:PutObject", "--resource", resource, "--format", "json")
    assert code == 1 and json.loads(out)["diagnosis"]["layer"] == "permissions-boundary"
    message = (f"User: {session} is not authorized to perform: s3:PutObject on resource: \"{resource}\" because no "
               "permissions boundary allows the s3:PutObject action")
    code, out = _diagnose(capsys, monkeypatch, "05-permissions-boundary", "--message", message, "--format", "json")
    doc = json.loads(out)["diagnosis"]
    assert code == 1 and doc["layer"] == "permissions-boundary" and doc["message_check"]["agrees"] is True


def test_an_allowed_request_says_so(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The same reader through the endpoint the bucket policy requires: allowed, exit 0, no finding."""
    code, out = _diagnose(capsys, monkeypatch, "01-bucket-policy-deny", "--principal",
                          "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705", "--action",
                          "s3:GetObject", "--resource", "arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv",
                          "--vpce", "vpce-0c5e8f2a9d1b34e67", "--format", "json")
    doc = json.loads(out)
    assert code == 0, doc["diagnosis"]
    assert doc["findings"] == [] and doc["diagnosis"]["verdict"] == "allowed"
    assert doc["diagnosis"]["not_collected"] == []
    code, text = _diagnose(capsys, monkeypatch, "01-bucket-policy-deny", "--principal",
                           "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705", "--action",
                           "s3:GetObject", "--resource", "arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv",
                           "--vpce", "vpce-0c5e8f2a9d1b34e67")
    assert code == 0 and "Verdict: ALLOWED" in text


def test_allowed_with_every_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """07's role reads a release (its session policy allows exactly that): allowed, exit 0."""
    monkeypatch.chdir(CASES / "07-session-policy")
    code = main(["diagnose", "dumps", "--principal", "arn:aws:sts::111122223333:assumed-role/ci-deployer/pipeline-4821",
                 "--action", "s3:GetObject", "--resource", "arn:aws:s3:::acme-build-artifacts/releases/1.0/app.tar.gz",
                 "--source-ip", "203.0.113.9"])
    text = capsys.readouterr().out
    assert code == 3, text  # no head-object for this object: its encryption is not in the dumps
    assert "s3api.head-object.acme-build-artifacts.json (not collected)" in text

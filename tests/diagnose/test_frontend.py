"""Dump shapes read into facts: ACL grantees, AWS's 'not configured' answers, events in every container."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from why403.cli.main import main
from why403.model.facts import BucketAclFact, ObjectFact, OwnershipFact, PublicAccessBlockFact
from why403.model.symbols import has_token
from why403.sources.awsdump import Hints, load_dumps
from why403.sources.awsdump.cloudtrail import events_in

CASES = Path(__file__).resolve().parents[2] / "examples" / "diagnose"
BUCKET = "acme-reports-prod"


def _copy(case: str, tmp_path: Path) -> Path:
    dest = tmp_path / case
    shutil.copytree(CASES / case, dest)
    return dest / "dumps"


def _write(path: Path, doc: object | None, err: str | None = None) -> None:
    path.write_text("" if doc is None else json.dumps(doc, indent=4))
    if err is not None:
        path.with_suffix(".err").write_text(err)


def test_acl_grantees(tmp_path: Path) -> None:
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    owner = "1111222233331111222233331111222233331111222233331111222233331111"
    _write(dumps / f"s3api.get-bucket-acl.{BUCKET}.json", {
        "Owner": {"DisplayName": "aws-111122223333", "ID": owner},
        "Grants": [
            {"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"ID": "f" * 64, "Type": "CanonicalUser"}, "Permission": "READ"},
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
             "Permission": "READ"},
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
             "Permission": "WRITE"}]})
    facts = load_dumps(dumps).result.facts
    (acl,) = [f for f in facts if isinstance(f, BucketAclFact)]
    kinds = [(g.grantee, g.permission) for g in acl.grants]
    assert kinds == [("account", "FULL_CONTROL"), ("account", "READ"), ("AllUsers", "READ"), ("LogDelivery", "WRITE")]
    assert acl.grants[0].value == "111122223333", "the owner's canonical id, from list-buckets"
    assert has_token(acl.grants[1].value), "another account's canonical id is an unknown account, not a guess"


def test_aws_answers_that_nothing_is_configured(tmp_path: Path) -> None:
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    _write(dumps / f"s3api.get-bucket-ownership-controls.{BUCKET}.json", None,
           "\nAn error occurred (OwnershipControlsNotFoundError) when calling the GetBucketOwnershipControls "
           "operation: The bucket ownership controls were not found\n")
    _write(dumps / f"s3api.get-public-access-block.{BUCKET}.json", None,
           "An error occurred (NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock "
           "operation: The public access block configuration was not found")
    facts = load_dumps(dumps).result.facts
    (own,) = [f for f in facts if isinstance(f, OwnershipFact)]
    assert own.ownership == "ObjectWriter"
    bpa = [f for f in facts if isinstance(f, PublicAccessBlockFact) and f.bucket == BUCKET]
    assert (bpa[0].block_public_acls, bpa[0].restrict_public_buckets) == (False, False)
    _write(dumps / f"s3api.get-public-access-block.{BUCKET}.json", None,
           "An error occurred (AccessDenied) when calling the GetPublicAccessBlock operation: Access Denied")
    facts = load_dumps(dumps).result.facts
    bpa = [f for f in facts if isinstance(f, PublicAccessBlockFact) and f.bucket == BUCKET]
    assert bpa[0].block_public_acls is None, "AccessDenied says nothing about the setting: unknown"


def test_a_missing_object(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """head-object 404: S3 answers GetObject with 404 only to callers that may list the bucket."""
    dumps = _copy("01-bucket-policy-deny", tmp_path)
    _write(dumps / f"s3api.head-object.{BUCKET}.json", None,
           "An error occurred (404) when calling the HeadObject operation: Not Found")
    facts = load_dumps(dumps, Hints(object_keys=((BUCKET, "2025/q1/gone.csv"),))).result.facts
    (obj,) = [f for f in facts if isinstance(f, ObjectFact)]
    assert obj.exists is False
    monkeypatch.chdir(dumps.parent)
    code = main(["diagnose", "dumps", "--format", "json", "--principal",
                 "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705", "--action", "s3:GetObject",
                 "--resource", f"arn:aws:s3:::{BUCKET}/2025/q1/gone.csv", "--vpce", "vpce-0c5e8f2a9d1b34e67"])
    doc = json.loads(capsys.readouterr().out)["diagnosis"]
    assert code == 0 and doc["http_status"] == 404, "it may list the bucket: NoSuchKey, not a 403"


def test_events_in_every_container() -> None:
    event = {"eventName": "GetObject", "eventSource": "s3.amazonaws.com", "errorCode": "AccessDenied",
             "eventID": "e1", "userIdentity": {"arn": "arn:aws:iam::111122223333:user/u"}}
    as_text = json.dumps(event)
    forms = [event, {"Records": [event]}, {"Events": [{"EventId": "e1", "CloudTrailEvent": as_text}]},
             {"events": [{"message": as_text, "timestamp": 1}]}]
    for form in forms:
        (found,) = events_in(form, "f.json", None)
        assert found.denied and found.event_id == "e1" and found.source == "s3.amazonaws.com"


def test_the_event_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """--event takes a trail's log file; several AccessDenied events need --event-id."""
    logs = json.loads((CASES / "03-vpc-endpoint-policy" / "dumps" / "logs.filter-log-events.json").read_text())
    record = json.loads(logs["events"][0]["message"])
    other = {**record, "eventID": "00000000-0000-4000-8000-000000000000"}
    trail = tmp_path / "111122223333_CloudTrail_eu-west-1_20250304T1015Z_abc.json"
    trail.write_text(json.dumps({"Records": [record, other]}))
    monkeypatch.chdir(CASES / "03-vpc-endpoint-policy")
    assert main(["diagnose", "dumps", "--event", str(trail)]) == 2
    assert "choose one with --event-id" in capsys.readouterr().err
    code = main(["diagnose", "dumps", "--event", str(trail), "--event-id", record["eventID"], "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["diagnosis"]["layer"] == "vpc-endpoint-policy"


def test_drift_from_the_code(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES / "01-bucket-policy-deny")
    code = main(["diagnose", "dumps", "--iac", "infra", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)["diagnosis"]
    assert code == 1
    (drift,) = doc["drift"]
    assert drift["layer"] == "bucket-policy" and "DenyOutsideVpce" in drift["message"]
    assert drift["live"]["file"] == "dumps/s3api.get-bucket-policy.acme-reports-prod.json"
    assert drift["code"]["file"] == "infra/main.tf"
    code = main(["diagnose", "dumps", "--iac", "infra"])
    text = capsys.readouterr().out
    assert "Drift from the code (infra)" in text and "the live bucket policy has statement DenyOutsideVpce" in text


def test_no_drift_when_the_code_says_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    case = tmp_path / "c"
    shutil.copytree(CASES / "01-bucket-policy-deny", case)
    main_tf = case / "infra" / "main.tf"
    deny = '''    }, {
      Sid       = "DenyOutsideVpce"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
      Condition = {
        StringNotEquals = { "aws:SourceVpce" = "vpce-0c5e8f2a9d1b34e67" }
        ArnNotLike      = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole" }
      }
    }]'''
    text = main_tf.read_text()
    marker = '      Resource  = "${aws_s3_bucket.reports.arn}/*"\n    }]'
    assert marker in text
    main_tf.write_text(text.replace(marker, marker[:-7] + "\n" + deny))
    monkeypatch.chdir(case)
    code = main(["diagnose", "dumps", "--iac", "infra", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)["diagnosis"]
    assert code == 1 and doc["drift"] == []

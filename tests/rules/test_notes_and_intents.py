"""U001 (a Deny that may apply to an intended access) and B308 (a must-deny that is allowed)."""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule
from why403.model.settings import Intent, Organization

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::reports-bkt-example/*}
  Reports:
    Type: AWS::S3::Bucket
    Properties: {BucketName: reports-bkt-example}
  ReportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Reports
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: OrgOnly
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [arn:aws:s3:::reports-bkt-example, arn:aws:s3:::reports-bkt-example/*]
            Condition:
              StringNotEquals: {aws:PrincipalOrgID: o-a1b2c3d4e5}
"""


def test_u001_notes_a_deny_that_hinges_on_an_unknown_organization(lint: Lint) -> None:
    findings = lint({"t.yaml": TEMPLATE})
    notes = by_rule(findings, "W403-U001")
    assert [(f.severity, f.layer) for f in notes] == [("note", "bucket-policy")]
    assert "OrgOnly" in notes[0].message and "organization" in notes[0].message
    assert [f for f in findings if f.severity in ("error", "warning")] == []


def test_u001_silent_once_the_organization_is_configured(lint: Lint) -> None:
    org = Organization(id="o-a1b2c3d4e5", accounts=("111111111111",))
    findings = lint({"t.yaml": TEMPLATE}, account_id="111111111111", organization=org)
    assert by_rule(findings, "W403-U001") == []
    assert [f for f in findings if f.kind == "denied"] == []


def test_u001_becomes_a_denial_when_the_account_is_outside_the_organization(lint: Lint) -> None:
    org = Organization(id="o-a1b2c3d4e5", accounts=("222222222222",))
    findings = lint({"t.yaml": TEMPLATE}, account_id="111111111111", organization=org)
    assert by_rule(findings, "W403-U001") == []
    assert [(f.rule, f.denial) for f in findings if f.kind == "denied"] == [("W403-D101", "explicit")]


def test_b308_fires_when_a_must_deny_is_allowed(lint: Lint) -> None:
    org = Organization(id="o-a1b2c3d4e5", accounts=("111111111111",))
    intent = Intent(principal="Reader", action="s3:GetObject", resource="arn:aws:s3:::reports-bkt-example/secret/x",
                    expect_allowed=False)
    findings = lint({"t.yaml": TEMPLATE}, account_id="111111111111", organization=org, intents=(intent,))
    hits = by_rule(findings, "W403-B308")
    assert len(hits) == 1 and hits[0].severity == "error" and "must not" in hits[0].message


def test_b308_silent_when_the_must_deny_holds(lint: Lint) -> None:
    org = Organization(id="o-a1b2c3d4e5", accounts=("111111111111",))
    intent = Intent(principal="Reader", action="s3:PutObject", resource="arn:aws:s3:::reports-bkt-example/x",
                    expect_allowed=False)
    findings = lint({"t.yaml": TEMPLATE}, account_id="111111111111", organization=org, intents=(intent,))
    assert by_rule(findings, "W403-B308") == []

"""Draft fixes a person can paste (issue 16 point 5).

Each draft is written the way the policy it extends is written (Terraform references, a policy
document statement block, CloudFormation intrinsics in YAML or JSON), keeps the conditions of the
grant it completes, and says it was re-simulated. Each test pastes the draft where it says, runs the
frontend and the check again, and finds the denial gone and nothing new.
"""

from __future__ import annotations

import json
import re

from tests.rules.conftest import Lint
from why403.model.finding import Finding
from why403.world.suggest import HEADER, NOTE

TERRAFORM_HEAD = """
provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "data" {
  bucket = "drafts-data-bkt"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"""

KEY_NOT_NAMING_THE_ROLE = TERRAFORM_HEAD + """
resource "aws_iam_role_policy" "read" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "kms:Decrypt"]
      Resource = ["${aws_s3_bucket.data.arn}/*", aws_kms_key.data.arn]
    }]
  })
}

resource "aws_kms_key" "data" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "KeyAdministrators"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/admin" }
        Action    = "kms:*"
        Resource  = "*"
      },
      # DRAFT
    ]
  })
}
"""

DOCUMENT_WITHOUT_DATA_KEY = TERRAFORM_HEAD + """
resource "aws_kms_key" "data" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIAMPolicies"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

data "aws_iam_policy_document" "write" {
  statement {
    sid       = "WriteOverTls"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }
  # DRAFT
}

resource "aws_iam_role_policy" "write" {
  role   = aws_iam_role.reader.id
  policy = data.aws_iam_policy_document.write.json
}
"""

CFN_API_NAMES = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Crawler:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: crawl
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: Enumerate
                Effect: Allow
                Action: s3:ListObjectsV2
                Resource: !GetAtt Articles.Arn
              # DRAFT
  Articles:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "articles-${AWS::AccountId}"
"""

CFN_JSON_KEY = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Reader": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "reader",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"],
                 "Resource": [{"Fn::Sub": "${Data.Arn}/*"}, {"Fn::GetAtt": ["DataKey", "Arn"]}]}]}}]}},
        "DataKey": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admins", "Effect": "Allow",
             "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/admin"}},
             "Action": "kms:*", "Resource": "*"}]}}},
        "Data": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": "data-${AWS::AccountId}"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]}}}]}}},
    },
}


def _draft_of(finding: Finding) -> str:
    """The pasteable part of a finding's draft: after the header line, without the notes."""
    assert finding.suggestion is not None, finding.message
    first, *rest = finding.suggestion.splitlines()
    assert first.startswith(HEADER), first
    return "\n".join(line for line in rest if not line.startswith(NOTE))


def _paste(source: str, draft: str, after: str = "") -> str:
    """The source with the draft in place of its ``# DRAFT`` line, indented as that line is."""
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "# DRAFT")
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    body = [indent + line for line in draft.splitlines()]
    body[-1] += after
    return "\n".join(lines[:at] + body + lines[at + 1:]) + "\n"


def _denials(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind == "denied"]


def _the_rest(findings: list[Finding], fixed: Finding) -> set[tuple[str, str]]:
    """The errors and warnings other than the one fixed (a pasted draft may leave a note: an API name
    it makes redundant, say)."""
    return {(f.rule, f.message) for f in findings
            if f.fingerprint != fixed.fingerprint and f.severity in ("error", "warning")}


def test_terraform_key_policy_draft_uses_references_and_pastes_into_the_jsonencode_list(lint: Lint) -> None:
    findings = lint({"main.tf": KEY_NOT_NAMING_THE_ROLE})
    [denied] = [f for f in findings if f.rule == "W403-D103"]
    draft = _draft_of(denied)
    assert "AWS = aws_iam_role.reader.arn" in draft  # a reference, never the ARN the sources compute
    assert "arn:aws:iam::" not in draft and "${AccountId}" not in draft and "<" not in draft
    assert '"kms:ViaService" = "s3.eu-west-1.amazonaws.com"' in draft
    assert "(an element of the Statement list its jsonencode takes)" in denied.suggestion  # type: ignore[operator]
    fixed = lint({"main.tf": _paste(KEY_NOT_NAMING_THE_ROLE, draft, after=",")})
    assert not [f for f in fixed if f.rule == "W403-D103"], [f.message for f in fixed]
    assert _the_rest(fixed, denied) <= _the_rest(findings, denied)


def test_terraform_policy_document_draft_is_a_statement_block_that_keeps_the_grants_conditions(lint: Lint) -> None:
    findings = lint({"main.tf": DOCUMENT_WITHOUT_DATA_KEY})
    [denied] = [f for f in _denials(findings) if f.access and f.access.kms_action == "kms:GenerateDataKey"]
    draft = _draft_of(denied)
    assert draft.startswith("statement {")
    assert 'actions   = ["kms:GenerateDataKey"]' in draft and "resources = [aws_kms_key.data.arn]" in draft
    assert 'variable = "aws:SecureTransport"' in draft  # the grant's own condition, kept
    assert "It keeps the conditions of WriteOverTls" in denied.suggestion  # type: ignore[operator]
    fixed = lint({"main.tf": _paste(DOCUMENT_WITHOUT_DATA_KEY, draft)})
    assert not [f for f in _denials(fixed) if f.access and f.access.kms_action], [f.message for f in fixed]
    assert _the_rest(fixed, denied) <= _the_rest(findings, denied)


def test_cloudformation_yaml_draft_uses_getatt_and_pastes_into_the_statement_list(lint: Lint) -> None:
    findings = lint({"t.yaml": CFN_API_NAMES})
    [denied] = [f for f in findings if f.rule == "W403-D102"]
    draft = _draft_of(denied)
    assert draft.splitlines() == ["- Effect: Allow", "  Action: s3:ListBucket", "  Resource: !GetAtt Articles.Arn"]
    fixed = lint({"t.yaml": _paste(CFN_API_NAMES, draft)})
    assert not [f for f in fixed if f.rule == "W403-D102"], [f.message for f in fixed]
    assert _the_rest(fixed, denied) <= _the_rest(findings, denied)


def test_cloudformation_json_draft_uses_fn_getatt_and_fn_sub(lint: Lint) -> None:
    findings = lint({"t.json": json.dumps(CFN_JSON_KEY, indent=2)})
    [denied] = [f for f in findings if f.rule == "W403-D103"]
    statement = json.loads(_draft_of(denied))
    assert statement["Principal"] == {"AWS": {"Fn::GetAtt": ["Reader", "Arn"]}}
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}
    template = json.loads(json.dumps(CFN_JSON_KEY))
    template["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"].append(statement)
    fixed = lint({"t.json": json.dumps(template, indent=2)})
    assert not [f for f in fixed if f.rule == "W403-D103"], [f.message for f in fixed]
    assert _the_rest(fixed, denied) <= _the_rest(findings, denied)


def test_a_draft_never_shows_a_placeholder_or_a_token(lint: Lint) -> None:
    for files in ({"main.tf": KEY_NOT_NAMING_THE_ROLE}, {"main.tf": DOCUMENT_WITHOUT_DATA_KEY},
                  {"t.yaml": CFN_API_NAMES}, {"t.json": json.dumps(CFN_JSON_KEY)}):
        for finding in lint(files):
            if finding.suggestion:
                assert not re.search("[\ue000-\uf8ff]|<[^<>]*>|\\$\\{AccountId\\}", finding.suggestion), \
                    finding.suggestion


def test_a_key_policy_draft_keeps_the_global_conditions_of_the_grant_it_completes(lint: Lint) -> None:
    """The role may read only over TLS: the key policy statement the draft adds says the same, next
    to the kms:ViaService condition."""
    source = KEY_NOT_NAMING_THE_ROLE.replace(
        '''      Resource = ["${aws_s3_bucket.data.arn}/*", aws_kms_key.data.arn]
    }]''', '''      Resource = ["${aws_s3_bucket.data.arn}/*", aws_kms_key.data.arn]
      Condition = {
        Bool = { "aws:SecureTransport" = "true" }
      }
    }]''')
    findings = lint({"main.tf": source})
    [denied] = [f for f in findings if f.rule == "W403-D103"]
    draft = _draft_of(denied)
    assert '"aws:SecureTransport" = "true"' in draft and '"kms:ViaService"' in draft
    assert "It keeps the conditions of statement 0, the grant it completes." in denied.suggestion  # type: ignore[operator]
    fixed = lint({"main.tf": _paste(source, draft, after=",")})
    assert not [f for f in fixed if f.rule == "W403-D103"], [f.message for f in fixed]
    assert _the_rest(fixed, denied) <= _the_rest(findings, denied)


def test_kept_conditions_are_the_global_keys_for_another_service() -> None:
    from why403.model.policy import PolicyKind
    from why403.policy.parse import parse_policy
    from why403.world.suggest import _kept_conditions

    stmt = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
        "Condition": {"Bool": {"aws:SecureTransport": "true"},
                      "StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]},
        PolicyKind.IDENTITY).statements[0]
    assert _kept_conditions(stmt, same_service=False) == {"Bool": {"aws:SecureTransport": "true"}}
    assert _kept_conditions(stmt, same_service=True) == {
        "Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    assert _kept_conditions(None, same_service=True) == {}

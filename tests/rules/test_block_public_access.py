"""Issue 15.5: Block Public Access as a layer of the deployment.

The account-level and bucket-level settings decide whether the deployer's PutBucketPolicy (or
PutBucketAcl) with a public document is refused: that denial is reported once (W403-B307), and the
public grant, which then never takes effect, is not also reported as a broad allow (W403-B301).
S3 judges a policy as a whole: an Allow to "*" that a Deny of the same policy confines to the
organization is not public (SRA's staging bucket is deployed that way with BlockPublicPolicy on).
"""

from __future__ import annotations

import json
from typing import Any

from tests.rules.conftest import Lint, by_rule

PUBLIC_READ = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::site-bkt-example/*"}
ORG_ONLY = {"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::site-bkt-example", "arn:aws:s3:::site-bkt-example/*"],
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}


def sources(statements: list[dict[str, Any]], bucket_bpa: bool | None = None, account_bpa: bool | None = None,
            acl: str | None = None) -> str:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    text = f'''
resource "aws_s3_bucket" "site" {{
  bucket = "site-bkt-example"
}}

resource "aws_s3_bucket_policy" "site" {{
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({policy})
}}
'''.replace('": ', '" = ') if statements else 'resource "aws_s3_bucket" "site" {\n  bucket = "site-bkt-example"\n}\n'
    if bucket_bpa is not None:
        flag = "true" if bucket_bpa else "false"
        text += f'''
resource "aws_s3_bucket_public_access_block" "site" {{
  bucket                  = aws_s3_bucket.site.id
  block_public_acls       = {flag}
  ignore_public_acls      = {flag}
  block_public_policy     = {flag}
  restrict_public_buckets = {flag}
}}
'''
    if account_bpa is not None:
        flag = "true" if account_bpa else "false"
        text += f'''
resource "aws_s3_account_public_access_block" "account" {{
  block_public_acls   = {flag}
  block_public_policy = {flag}
}}
'''
    if acl is not None:
        text += f'''
resource "aws_s3_bucket_ownership_controls" "site" {{
  bucket = aws_s3_bucket.site.id
  rule {{
    object_ownership = "ObjectWriter"
  }}
}}

resource "aws_s3_bucket_acl" "site" {{
  bucket = aws_s3_bucket.site.id
  acl    = "{acl}"
}}
'''
    return text


def test_the_deployers_put_bucket_policy_is_refused_once_and_the_grant_is_not_a_broad_allow(lint: Lint) -> None:
    findings = lint({"main.tf": sources([PUBLIC_READ])})
    hits = by_rule(findings, "W403-B307")
    assert len(hits) == 1
    f = hits[0]
    assert (f.kind, f.layer, f.denial, f.severity) == ("denied", "block-public-access", "explicit", "error")
    assert f.access is not None and f.access.action == "s3:PutBucketPolicy"
    assert "PublicRead" in f.message
    assert by_rule(findings, "W403-B301") == []


def test_the_message_says_when_the_setting_is_the_new_bucket_default(lint: Lint) -> None:
    """Owners who write no public access block rarely know their bucket has one."""
    (default,) = by_rule(lint({"main.tf": sources([PUBLIC_READ])}), "W403-B307")
    assert "the sources write no public access block for the bucket" in default.message
    (written,) = by_rule(lint({"main.tf": sources([PUBLIC_READ], bucket_bpa=True)}), "W403-B307")
    assert "no public access block" not in written.message


def test_the_account_setting_refuses_what_the_bucket_setting_allows(lint: Lint) -> None:
    findings = lint({"main.tf": sources([PUBLIC_READ], bucket_bpa=False, account_bpa=True)})
    assert [f.access.action for f in by_rule(findings, "W403-B307") if f.access] == ["s3:PutBucketPolicy"]
    assert by_rule(findings, "W403-B301") == []


def test_with_both_settings_off_the_public_grant_takes_effect(lint: Lint) -> None:
    findings = lint({"main.tf": sources([PUBLIC_READ], bucket_bpa=False, account_bpa=False)})
    assert by_rule(findings, "W403-B307") == []
    assert len(by_rule(findings, "W403-B301")) == 1


def test_an_unknown_account_setting_with_the_bucket_setting_off_is_not_an_error(lint: Lint) -> None:
    findings = lint({"main.tf": sources([PUBLIC_READ], bucket_bpa=False)})
    assert by_rule(findings, "W403-B307") == []


def test_a_deny_confining_the_allow_to_the_organization_makes_the_policy_not_public(lint: Lint) -> None:
    """SRA's staging bucket: Allow "*" narrowed by aws:PrincipalArn with wildcard accounts (public on
    its own), and a Deny for every principal outside the organization."""
    sra = dict(PUBLIC_READ, Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/sra-execution"}})
    findings = lint({"main.tf": sources([sra, ORG_ONLY])})
    assert by_rule(findings, "W403-B307") == []
    assert by_rule(findings, "W403-B301") == []


def test_a_deny_covering_only_part_of_the_allow_leaves_it_open_not_an_error(lint: Lint) -> None:
    partial = dict(ORG_ONLY, Resource="arn:aws:s3:::site-bkt-example/private/*")
    findings = lint({"main.tf": sources([PUBLIC_READ, partial])})
    assert by_rule(findings, "W403-B307") == []


def test_a_deny_with_a_wildcard_value_does_not_confine(lint: Lint) -> None:
    loose = dict(ORG_ONLY, Condition={"StringNotLike": {"aws:PrincipalOrgID": "o-*"}})
    findings = lint({"main.tf": sources([PUBLIC_READ, loose])})
    assert len(by_rule(findings, "W403-B307")) == 1


def test_a_public_acl_is_refused_by_block_public_acls(lint: Lint) -> None:
    findings = lint({"main.tf": sources([], acl="public-read")})
    hits = by_rule(findings, "W403-B307")
    assert [f.access.action for f in hits if f.access] == ["s3:PutBucketAcl"]
    assert by_rule(lint({"main.tf": sources([], bucket_bpa=False, account_bpa=False, acl="public-read")}),
                   "W403-B307") == []

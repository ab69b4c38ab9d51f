"""Issue 15.1: AWS services writing into buckets and using keys, simulated as AWS sends their requests.

Each fixture is a service's documented bucket policy (and key policy), from the AWS page that
``data/services.json`` cites for it. Acceptance per service: the documented policies give no
denial; removing a required statement, or a condition value the service's request does not meet,
gives the denial of the call it refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cloudformation.helpers import facts, load_text
from tests.rules.conftest import Lint, by_rule
from why403.model.facts import ServiceDeliveryFact
from why403.model.finding import Finding
from why403.simulate import services

HEADER = """
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.name
}
"""


def tf_policy(statements: list[dict[str, Any]]) -> str:
    """A policy document as Terraform writes it with jsonencode, ``${...}`` kept as interpolations."""
    text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    return f"jsonencode({text})".replace('": ', '" = ')


def bucket(name: str, statements: list[dict[str, Any]], *, kms_key: str | None = None, extra: str = "") -> str:
    out = f"""
resource "aws_s3_bucket" "target" {{
  bucket = "{name}"
}}

resource "aws_s3_bucket_policy" "target" {{
  bucket = aws_s3_bucket.target.id
  policy = {tf_policy(statements)}
}}
"""
    if kms_key is not None:
        out += f"""
resource "aws_s3_bucket_server_side_encryption_configuration" "target" {{
  bucket = aws_s3_bucket.target.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = {kms_key}
    }}
  }}
}}
"""
    return out + extra


def key(statements: list[dict[str, Any]]) -> str:
    root = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${local.account}:root"}, "Action": "kms:*", "Resource": "*"}
    return f"""
resource "aws_kms_key" "logs" {{
  policy = {tf_policy([root, *statements])}
}}
"""


def problems(findings: list[Finding]) -> list[tuple[str, str, str | None, str | None]]:
    """(rule, principal, action, KMS action) of every error or warning about an access."""
    return sorted((f.rule, f.access.principal if f.access else "", f.access.action if f.access else None,
                   f.access.kms_action if f.access else None)
                  for f in findings if f.severity in ("error", "warning") and f.kind == "denied")


def without(statements: list[dict[str, Any]], sid: str) -> list[dict[str, Any]]:
    return [s for s in statements if s.get("Sid") != sid]


def changed(statements: list[dict[str, Any]], sid: str, path: tuple[str, ...], value: Any) -> list[dict[str, Any]]:
    out = json.loads(json.dumps(statements))
    for stmt in out:
        if stmt.get("Sid") == sid:
            node = stmt
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
    return out


# -- AWS CloudTrail --------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html

TRAIL_ARN = "arn:aws:cloudtrail:${local.region}:${local.account}:trail/management-events"
CLOUDTRAIL = [
    {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::trail-logs-example",
     "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}},
    {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-logs-example/AWSLogs/${local.account}/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}}},
]
TRAIL = """
resource "aws_cloudtrail" "trail" {
  name           = "management-events"
  s3_bucket_name = aws_s3_bucket.target.id
  %s
}
"""
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
CLOUDTRAIL_KEY = [
    {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "kms:GenerateDataKey*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN},
                   "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                  "arn:aws:cloudtrail:*:${local.account}:trail/*"}}},
]


def cloudtrail(statements: list[dict[str, Any]], key_statements: list[dict[str, Any]] | None = None) -> str:
    if key_statements is None:
        return HEADER + bucket("trail-logs-example", statements) + TRAIL % ""
    return HEADER + bucket("trail-logs-example", statements) + key(key_statements) + \
        TRAIL % "kms_key_id = aws_kms_key.logs.arn"


def test_cloudtrail_documented_policy_gives_no_denial(lint: Lint) -> None:
    assert problems(lint({"main.tf": cloudtrail(CLOUDTRAIL)})) == []


def test_cloudtrail_in_another_partition_is_the_trail_its_arn_attribute_names(lint: Lint) -> None:
    """In GovCloud (and China) the trail's ARN is arn:aws-us-gov:...: the ARN CloudTrail sends as
    aws:SourceArn was built with the aws partition, so aws_cloudtrail.trail.arn never matched it."""
    statements = changed(changed(CLOUDTRAIL, "AWSCloudTrailAclCheck20150319",
                                 ("Condition", "StringEquals", "aws:SourceArn"), "${aws_cloudtrail.trail.arn}"),
                         "AWSCloudTrailWrite20150319", ("Condition", "StringEquals", "aws:SourceArn"),
                         "${aws_cloudtrail.trail.arn}")
    statements = json.loads(json.dumps(statements).replace("arn:aws:s3:::trail-logs-example",
                                                           "${aws_s3_bucket.target.arn}"))
    for region in ("us-east-1", "us-gov-west-1", "cn-north-1"):
        provider = f'provider "aws" {{\n  region = "{region}"\n}}\n'
        assert problems(lint({"main.tf": provider + cloudtrail(statements)})) == [], region


def test_cloudformation_deliveries_carry_the_partition_of_the_region(tmp_path: Path) -> None:
    template = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties: {TrailName: management-events, S3BucketName: trail-logs-example, IsLogging: true}
  Channel:
    Type: AWS::Config::DeliveryChannel
    Properties: {Name: default, S3BucketName: config-logs-example}
"""
    found = {f.service: f.source_arn for f in facts(load_text(tmp_path, template, region="us-gov-west-1"),
                                                    ServiceDeliveryFact)}
    assert found == {"cloudtrail": "arn:aws-us-gov:cloudtrail:us-gov-west-1:" + found["cloudtrail"].split(":")[4]
                     + ":trail/management-events",
                     "config": "arn:aws-us-gov:config:us-gov-west-1:" + found["config"].split(":")[4]
                     + ":delivery-channel/default"}


def test_cloudtrail_without_the_acl_check_is_denied_get_bucket_acl(lint: Lint) -> None:
    found = problems(lint({"main.tf": cloudtrail(without(CLOUDTRAIL, "AWSCloudTrailAclCheck20150319"))}))
    assert found == [("W403-D101", "cloudtrail.amazonaws.com", "s3:GetBucketAcl", None)]


def test_cloudtrail_write_for_another_trail_is_denied(lint: Lint) -> None:
    other = TRAIL_ARN.replace("management-events", "another-trail")
    statements = changed(CLOUDTRAIL, "AWSCloudTrailWrite20150319", ("Condition", "StringEquals", "aws:SourceArn"),
                         other)
    found = problems(lint({"main.tf": cloudtrail(statements)}))
    assert found == [("W403-D101", "cloudtrail.amazonaws.com", "s3:PutObject", None)]


def test_cloudtrail_sends_bucket_owner_full_control_and_nothing_else(lint: Lint) -> None:
    statements = changed(CLOUDTRAIL, "AWSCloudTrailWrite20150319", ("Condition", "StringEquals", "s3:x-amz-acl"),
                         "private")
    found = problems(lint({"main.tf": cloudtrail(statements)}))
    assert found == [("W403-D101", "cloudtrail.amazonaws.com", "s3:PutObject", None)]


def test_cloudtrail_encrypting_with_its_key_needs_the_documented_key_policy(lint: Lint) -> None:
    assert problems(lint({"main.tf": cloudtrail(CLOUDTRAIL, CLOUDTRAIL_KEY)})) == []
    found = problems(lint({"main.tf": cloudtrail(CLOUDTRAIL, [])}))
    assert found == [("W403-D103", "cloudtrail.amazonaws.com", "s3:PutObject", "kms:GenerateDataKey")]


def test_cloudtrail_bucket_policy_alone_is_not_an_error(lint: Lint) -> None:
    """The trail is defined elsewhere (SRA's org trail bucket): its ARN is unknown, never refused."""
    text = HEADER + bucket("trail-logs-example", CLOUDTRAIL)
    findings = lint({"main.tf": text})
    assert problems(findings) == []


# -- S3 server access logging ----------------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html

LOGGING = [
    {"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::access-logs-example/source/*",
     "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::source-bucket-example"},
                   "StringEquals": {"aws:SourceAccount": "${local.account}"}}},
]
SOURCE_BUCKET = """
resource "aws_s3_bucket" "source" {
  bucket = "source-bucket-example"
}

resource "aws_s3_bucket_logging" "source" {
  bucket        = aws_s3_bucket.source.id
  target_bucket = aws_s3_bucket.target.id
  target_prefix = "source/"
}
"""
LOGGING_KEY = [
    {"Sid": "Allow S3 server access log delivery", "Effect": "Allow",
     "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
     "Resource": "*"},
]


def test_server_access_logs_reach_an_sse_kms_bucket_whose_key_allows_the_service(lint: Lint) -> None:
    """The case the aws-cdk team verified (aws/aws-cdk#25350): not a request-validation error."""
    text = HEADER + bucket("access-logs-example", LOGGING, kms_key="aws_kms_key.logs.arn",
                           extra=SOURCE_BUCKET) + key(LOGGING_KEY)
    assert problems(lint({"main.tf": text})) == []


def test_server_access_logs_to_a_key_that_does_not_allow_the_service_are_refused_by_kms(lint: Lint) -> None:
    text = HEADER + bucket("access-logs-example", LOGGING, kms_key="aws_kms_key.logs.arn",
                           extra=SOURCE_BUCKET) + key([])
    assert problems(lint({"main.tf": text})) == [
        ("W403-D103", "logging.s3.amazonaws.com", "s3:PutObject", "kms:GenerateDataKey")]


def test_server_access_logs_from_another_bucket_are_refused(lint: Lint) -> None:
    statements = changed(LOGGING, "S3ServerAccessLogsPolicy", ("Condition", "ArnLike", "aws:SourceArn"),
                         "arn:aws:s3:::some-other-bucket")
    text = HEADER + bucket("access-logs-example", statements, extra=SOURCE_BUCKET)
    assert problems(lint({"main.tf": text})) == [("W403-D101", "logging.s3.amazonaws.com", "s3:PutObject", None)]


# -- VPC flow logs (CloudWatch Logs vended delivery) ------------------------------------------------------
# https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html

LOG_SOURCE = {"StringEquals": {"aws:SourceAccount": "${local.account}"},
              "ArnLike": {"aws:SourceArn": "arn:aws:logs:${local.region}:${local.account}:*"}}
FLOW_LOGS = [
    {"Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::flow-logs-example/AWSLogs/${local.account}/*",
     "Condition": {"StringEquals": {"aws:SourceAccount": "${local.account}",
                                    "s3:x-amz-acl": "bucket-owner-full-control"},
                   "ArnLike": LOG_SOURCE["ArnLike"]}},
    {"Sid": "AWSLogDeliveryAclCheck", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
     "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": "arn:aws:s3:::flow-logs-example",
     "Condition": LOG_SOURCE},
]
FLOW_LOG = """
resource "aws_flow_log" "vpc" {
  log_destination      = aws_s3_bucket.target.arn
  log_destination_type = "s3"
  traffic_type         = "ALL"
  vpc_id               = "vpc-0123456789abcdef0"
}
"""
# https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-cmk-policy.html
FLOW_LOGS_KEY = [
    {"Sid": "Allow VPC Flow Logs to use the key", "Effect": "Allow",
     "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*"},
]


def test_flow_logs_documented_policy_gives_no_denial(lint: Lint) -> None:
    assert problems(lint({"main.tf": HEADER + bucket("flow-logs-example", FLOW_LOGS) + FLOW_LOG})) == []


def test_flow_logs_without_their_grant_are_not_surely_refused(lint: Lint) -> None:
    """AWS adds (or appends) the log delivery statements to the bucket policy when the flow log is
    created by a principal that may change the policy: a missing grant is not a sure denial."""
    text = HEADER + bucket("flow-logs-example", without(FLOW_LOGS, "AWSLogDeliveryAclCheck")) + FLOW_LOG
    assert problems(lint({"main.tf": text})) == []
    no_policy = HEADER + 'resource "aws_s3_bucket" "target" {\n  bucket = "flow-logs-example"\n}\n' + FLOW_LOG
    assert problems(lint({"main.tf": no_policy})) == []


def test_flow_logs_denied_by_an_organization_perimeter_are_reported(lint: Lint) -> None:
    """A Deny still binds: log delivery carries no aws:PrincipalOrgID, so a perimeter without an
    exception for AWS services refuses it."""
    perimeter = {"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::flow-logs-example", "arn:aws:s3:::flow-logs-example/*"],
                 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
    text = HEADER + bucket("flow-logs-example", [*FLOW_LOGS, perimeter]) + FLOW_LOG
    found = problems(lint({"main.tf": text}))
    assert ("W403-D101", "delivery.logs.amazonaws.com", "s3:PutObject", None) in found


def test_flow_logs_to_an_sse_kms_bucket_need_the_key_to_allow_log_delivery(lint: Lint) -> None:
    good = HEADER + bucket("flow-logs-example", FLOW_LOGS, kms_key="aws_kms_key.logs.arn") + key(FLOW_LOGS_KEY) + \
        FLOW_LOG
    assert problems(lint({"main.tf": good})) == []
    bad = HEADER + bucket("flow-logs-example", FLOW_LOGS, kms_key="aws_kms_key.logs.arn") + key([]) + FLOW_LOG
    assert problems(lint({"main.tf": bad})) == [
        ("W403-D103", "delivery.logs.amazonaws.com", "s3:PutObject", "kms:GenerateDataKey")]


# -- Amazon GuardDuty findings export --------------------------------------------------------------------
# https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html

DETECTOR_ARN = "arn:aws:guardduty:${local.region}:${local.account}:detector/${aws_guardduty_detector.main.id}"
GD_SOURCE = {"StringEquals": {"aws:SourceAccount": "${local.account}", "aws:SourceArn": DETECTOR_ARN}}
GUARDDUTY = [
    {"Sid": "Allow GetBucketLocation", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
     "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::findings-example", "Condition": GD_SOURCE},
    {"Sid": "Allow PutObject", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::findings-example/*", "Condition": GD_SOURCE},
    {"Sid": "Deny unencrypted object uploads", "Effect": "Deny", "Principal": {"Service": "guardduty.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::findings-example/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "Deny incorrect encryption header", "Effect": "Deny",
     "Principal": {"Service": "guardduty.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::findings-example/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "${aws_kms_key.logs.arn}"}}},
    {"Sid": "Deny non-HTTPS access", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": "arn:aws:s3:::findings-example/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
]
GUARDDUTY_KEY = [
    {"Sid": "AllowGuardDutyKey", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"},
     "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": GD_SOURCE},
]
DESTINATION = """
resource "aws_guardduty_detector" "main" {
  enable = true
}

resource "aws_guardduty_publishing_destination" "findings" {
  detector_id     = aws_guardduty_detector.main.id
  destination_arn = aws_s3_bucket.target.arn
  kms_key_arn     = aws_kms_key.logs.arn
}
"""


def guardduty(statements: list[dict[str, Any]], key_statements: list[dict[str, Any]] = GUARDDUTY_KEY,
              destination: str = DESTINATION) -> str:
    return HEADER + bucket("findings-example", statements) + key(key_statements) + destination


def test_guardduty_documented_policies_give_no_denial(lint: Lint) -> None:
    assert problems(lint({"main.tf": guardduty(GUARDDUTY)})) == []


def test_guardduty_source_arn_written_as_the_detectors_arn_attribute_gives_no_denial(lint: Lint) -> None:
    """``aws:SourceArn = aws_guardduty_detector.main.arn`` (18F's guardduty module) names the same
    detector as the ARN built from its id: it was an opaque value no detector ARN could equal."""
    statements = changed(changed(GUARDDUTY, "Allow GetBucketLocation", ("Condition", "StringEquals", "aws:SourceArn"),
                                 "${aws_guardduty_detector.main.arn}"),
                         "Allow PutObject", ("Condition", "StringEquals", "aws:SourceArn"),
                         "${aws_guardduty_detector.main.arn}")
    assert problems(lint({"main.tf": guardduty(statements)})) == []
    other = changed(statements, "Allow PutObject", ("Condition", "StringEquals", "aws:SourceArn"),
                    "${aws_guardduty_detector.other.arn}")
    found = problems(lint({"main.tf": guardduty(other) + 'resource "aws_guardduty_detector" "other" {}\n'}))
    assert found == [("W403-D101", "guardduty.amazonaws.com", "s3:PutObject", None)]


def test_guardduty_without_get_bucket_location_is_denied_it(lint: Lint) -> None:
    found = problems(lint({"main.tf": guardduty(without(GUARDDUTY, "Allow GetBucketLocation"))}))
    assert found == [("W403-D101", "guardduty.amazonaws.com", "s3:GetBucketLocation", None)]


def test_guardduty_key_policy_must_allow_the_service(lint: Lint) -> None:
    found = problems(lint({"main.tf": guardduty(GUARDDUTY, [])}))
    assert found == [("W403-D103", "guardduty.amazonaws.com", "s3:PutObject", "kms:GenerateDataKey")]


def test_guardduty_policy_for_another_key_denies_the_export(lint: Lint) -> None:
    statements = changed(GUARDDUTY, "Deny incorrect encryption header",
                         ("Condition", "StringNotEquals", "s3:x-amz-server-side-encryption-aws-kms-key-id"),
                         "arn:aws:kms:us-east-1:111122223333:key/another-key")
    found = problems(lint({"main.tf": guardduty(statements)}))
    assert found == [("W403-D101", "guardduty.amazonaws.com", "s3:PutObject", None)]


def test_guardduty_regional_principals_and_an_acl_condition_without_a_destination_are_no_error(lint: Lint) -> None:
    """SRA's delivery bucket: opt-in Region principals and an x-amz-acl condition whose value GuardDuty's
    documentation does not give; the publishing destination is elsewhere. Nothing is refused for sure."""
    regional = ["guardduty.amazonaws.com", "guardduty.af-south-1.amazonaws.com", "guardduty.me-central-1.amazonaws.com"]
    statements = [
        {"Sid": "AWSBucketPermissionsCheck", "Effect": "Allow", "Principal": {"Service": regional},
         "Action": ["s3:GetBucketAcl", "s3:GetBucketLocation", "s3:ListBucket"],
         "Resource": "arn:aws:s3:::findings-example"},
        {"Sid": "AWSBucketDelivery", "Effect": "Allow", "Principal": {"Service": regional}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::findings-example/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        *GUARDDUTY[2:4],
    ]
    findings = lint({"main.tf": HEADER + bucket("findings-example", statements) + key(GUARDDUTY_KEY)})
    assert problems(findings) == []


# -- AWS Config ------------------------------------------------------------------------------------------
# https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html

CONFIG_SOURCE = {"StringEquals": {"AWS:SourceAccount": "${local.account}"}}
CONFIG = [
    {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
     "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::config-example", "Condition": CONFIG_SOURCE},
    {"Sid": "AWSConfigBucketExistenceCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
     "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::config-example", "Condition": CONFIG_SOURCE},
    {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::config-example/AWSLogs/${local.account}/Config/*",
     "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                    "AWS:SourceAccount": "${local.account}"}}},
]
CHANNEL = """
resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = aws_s3_bucket.target.id
}

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = "arn:aws:iam::${local.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
}
"""


def test_config_documented_policy_gives_no_denial(lint: Lint) -> None:
    assert problems(lint({"main.tf": HEADER + bucket("config-example", CONFIG) + CHANNEL})) == []


@pytest.mark.parametrize(("sid", "action"), [("AWSConfigBucketPermissionsCheck", "s3:GetBucketAcl"),
                                             ("AWSConfigBucketExistenceCheck", "s3:ListBucket"),
                                             ("AWSConfigBucketDelivery", "s3:PutObject")])
def test_config_without_each_statement_is_denied_its_call(lint: Lint, sid: str, action: str) -> None:
    text = HEADER + bucket("config-example", without(CONFIG, sid)) + CHANNEL
    assert problems(lint({"main.tf": text})) == [("W403-D101", "config.amazonaws.com", action, None)]


CUSTOM_RECORDER = """
resource "aws_config_delivery_channel" "main" {
  name           = "default"
  s3_bucket_name = aws_s3_bucket.target.id
}

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = aws_iam_role.recorder.arn
}

resource "aws_iam_role" "recorder" {
  name = "config-recorder"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "config.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role_policy" "recorder" {
  role   = aws_iam_role.recorder.id
  policy = jsonencode({Version = "2012-10-17", Statement = [%s]})
}
"""
RECORDER_S3 = ('{Effect = "Allow", Action = ["s3:PutObject"], Resource = "${aws_s3_bucket.target.arn}/*"}, '
               '{Effect = "Allow", Action = ["s3:GetBucketAcl", "s3:ListBucket"], Resource = aws_s3_bucket.target.arn}')


def test_config_with_its_own_recorder_role_writes_as_that_role(lint: Lint) -> None:
    """Config writes as config.amazonaws.com only with the service-linked role; with a role of its
    own, that role writes, and its identity policy (not the bucket policy) must allow it."""
    text = HEADER + bucket("config-example", []) + CUSTOM_RECORDER % RECORDER_S3
    assert problems(lint({"main.tf": text})) == []
    without_put = HEADER + bucket("config-example", []) + CUSTOM_RECORDER % RECORDER_S3.split("}, ")[1]
    found = problems(lint({"main.tf": without_put}))
    assert [(r, a) for r, _, a, _ in found] == [("W403-D102", "s3:PutObject")]


def test_config_without_a_recorder_in_the_sources_is_not_simulated(lint: Lint) -> None:
    channel_only = CHANNEL.split('resource "aws_config_configuration_recorder"')[0]
    assert problems(lint({"main.tf": HEADER + bucket("config-example", []) + channel_only})) == []


# -- Elastic Load Balancing access logs ------------------------------------------------------------------
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html

ELB = [
    {"Sid": "AllowELBLogDelivery", "Effect": "Allow",
     "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::alb-logs-example/AWSLogs/${local.account}/*"},
]
ELB_ACCOUNT = [
    {"Sid": "AllowELBAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::127311923021:root"},
     "Action": "s3:PutObject", "Resource": "arn:aws:s3:::alb-logs-example/AWSLogs/${local.account}/*"},
]


LOAD_BALANCER = """
provider "aws" {
  region = "%s"
}

resource "aws_lb" "web" {
  name = "web"
  access_logs {
    bucket  = aws_s3_bucket.target.id
    enabled = true
  }
}
"""


@pytest.mark.parametrize(("region", "statements", "denied"), [
    ("us-east-1", ELB_ACCOUNT, False), ("us-east-1", ELB, True),
    ("ap-southeast-4", ELB, False), ("ap-southeast-4", ELB_ACCOUNT, True)])
def test_elb_delivers_as_the_region_account_or_the_service_principal(
        lint: Lint, region: str, statements: list[dict[str, Any]], denied: bool) -> None:
    """Regions older than August 2022 deliver as the Region's ELB account, newer ones as the service."""
    text = LOAD_BALANCER % region + HEADER + bucket("alb-logs-example", statements)
    found = problems(lint({"main.tf": text}))
    assert bool(found) is denied, found
    assert all(f[0] == "W403-D101" and f[2] == "s3:PutObject" for f in found)


def test_elb_access_logs_to_an_sse_s3_bucket_are_delivered(lint: Lint) -> None:
    assert problems(lint({"main.tf": HEADER + bucket("alb-logs-example", ELB)})) == []
    assert problems(lint({"main.tf": HEADER + bucket("alb-logs-example", ELB_ACCOUNT)})) == []


def test_elb_access_logs_cannot_go_to_an_sse_kms_bucket(lint: Lint) -> None:
    for statements, principal in ((ELB, "logdelivery.elasticloadbalancing.amazonaws.com"),
                                  (ELB_ACCOUNT, "arn:aws:iam::127311923021:root")):
        text = HEADER + bucket("alb-logs-example", statements, kms_key="aws_kms_key.logs.arn") + key([])
        findings = lint({"main.tf": text})
        hits = by_rule(findings, "W403-D111")
        assert len(hits) == 1, problems(findings)
        assert hits[0].layer == "request-validation" and "SSE-KMS" in hits[0].message
        assert hits[0].access is not None and hits[0].access.principal.startswith(principal[:20])


# -- CloudFront origin access control --------------------------------------------------------------------
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html

OAC = [
    {"Sid": "AllowCloudFrontServicePrincipalReadOnly", "Effect": "Allow",
     "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::site-example/*",
     "Condition": {"StringEquals": {"AWS:SourceArn": "${aws_cloudfront_distribution.site.arn}"}}},
]
DISTRIBUTION = """
resource "aws_cloudfront_origin_access_control" "site" {
  name                              = "site"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "site" {
  enabled = true
  origin {
    domain_name              = aws_s3_bucket.target.bucket_regional_domain_name
    origin_id                = "site"
    origin_access_control_id = aws_cloudfront_origin_access_control.site.id
  }
}
"""


def test_cloudfront_oac_documented_policy_gives_no_denial(lint: Lint) -> None:
    assert problems(lint({"main.tf": HEADER + bucket("site-example", OAC) + DISTRIBUTION})) == []


def test_cloudfront_oac_without_the_grant_is_denied(lint: Lint) -> None:
    findings = lint({"main.tf": HEADER + bucket("site-example", []) + DISTRIBUTION})
    assert problems(findings) == [("W403-D101", "cloudfront.amazonaws.com", "s3:GetObject", None)]


def _with_origin_path(statements: list[dict[str, Any]], resource: str) -> str:
    """The distribution serving the bucket's ``/static`` folder (CloudFront requests origin path +
    request path, so ``/static`` + ``/a.css`` is the object ``static/a.css``)."""
    grants = changed(statements, "AllowCloudFrontServicePrincipalReadOnly", ("Resource",), resource)
    origin = '    origin_id                = "site"\n'
    distribution = DISTRIBUTION.replace(origin, origin + '    origin_path              = "/static"\n')
    return HEADER + bucket("site-example", grants) + distribution


def test_cloudfront_oac_with_an_origin_path_reads_under_that_folder(lint: Lint) -> None:
    assert problems(lint({"main.tf": _with_origin_path(OAC, "arn:aws:s3:::site-example/static/*")})) == []


def test_cloudfront_oac_with_an_origin_path_is_denied_outside_the_grant(lint: Lint) -> None:
    findings = lint({"main.tf": _with_origin_path(OAC, "arn:aws:s3:::site-example/assets/*")})
    assert problems(findings) == [("W403-D101", "cloudfront.amazonaws.com", "s3:GetObject", None)]


CFN_DISTRIBUTION = """
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties: {BucketName: site-example}
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: cloudfront.amazonaws.com}
            Action: s3:GetObject
            Resource: !Sub "arn:aws:s3:::site-example/%s"
            Condition:
              StringEquals: {"AWS:SourceArn": !Sub "arn:aws:cloudfront::${AWS::AccountId}:distribution/${Cdn}"}
  Oac:
    Type: AWS::CloudFront::OriginAccessControl
    Properties:
      OriginAccessControlConfig: {Name: site, OriginAccessControlOriginType: s3, SigningBehavior: always,
                                  SigningProtocol: sigv4}
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        Origins:
          - Id: site
            DomainName: !GetAtt Site.RegionalDomainName
            OriginPath: /static
            OriginAccessControlId: !GetAtt Oac.Id
            S3OriginConfig: {OriginAccessIdentity: ""}
"""


def test_cloudfront_oac_origin_path_in_a_template_reads_under_that_folder(lint: Lint) -> None:
    assert problems(lint({"site.yaml": CFN_DISTRIBUTION % "static/*"})) == []
    assert problems(lint({"other/site.yaml": CFN_DISTRIBUTION % "assets/*"})) == [
        ("W403-D101", "cloudfront.amazonaws.com", "s3:GetObject", None)]


# -- the table itself ------------------------------------------------------------------------------------


def test_every_service_cites_its_documentation_and_has_a_caller() -> None:
    for prof in services.profiles():
        assert prof.doc.startswith("https://docs.aws.amazon.com/"), prof.id
        assert prof.principal or prof.aws_principals or prof.caller is not None, prof.id
        assert prof.object_actions or prof.bucket_actions, prof.id


def test_regional_service_principals_belong_to_their_service() -> None:
    assert services.profile_for_service("guardduty.me-central-1.amazonaws.com") is services.profile("guardduty")
    assert services.profile_for_service("guardduty.example.com") is None
    assert services.profile_for_service("cloudtrail.us-east-1.amazonaws.com") is None  # not a regional service
    assert services.profile_for_aws_principal("arn:aws:iam::127311923021:root") is services.profile("elb-access-logs")
    oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"
    assert services.profile_for_aws_principal(oai) is services.profile("cloudfront-oai")


# -- the same services from CloudFormation ---------------------------------------------------------------

CFN_TRAIL = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  TrailBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-trail-logs-example
  TrailBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref TrailBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
%s          - Sid: AWSCloudTrailWrite
            Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: s3:PutObject
            Resource: !Sub "arn:aws:s3:::${TrailBucket}/AWSLogs/${AWS::AccountId}/*"
            Condition:
              StringEquals:
                s3:x-amz-acl: bucket-owner-full-control
                aws:SourceArn: !Sub "arn:aws:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/org-events"
  Trail:
    Type: AWS::CloudTrail::Trail
    DependsOn: TrailBucketPolicy
    Properties:
      TrailName: org-events
      S3BucketName: !Ref TrailBucket
      IsLogging: true
"""
CFN_ACL_CHECK = """          - Sid: AWSCloudTrailAclCheck
            Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: s3:GetBucketAcl
            Resource: !GetAtt TrailBucket.Arn
"""


def test_cloudformation_trail_with_the_documented_policy_is_delivered(lint: Lint) -> None:
    assert problems(lint({"trail.yaml": CFN_TRAIL % CFN_ACL_CHECK})) == []


def test_cloudformation_trail_without_the_acl_check_is_refused(lint: Lint) -> None:
    assert problems(lint({"trail.yaml": CFN_TRAIL % ""})) == [
        ("W403-D101", "cloudtrail.amazonaws.com", "s3:GetBucketAcl", None)]


CFN_FIREHOSE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeliveryRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: firehose.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: s3
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:AbortMultipartUpload, s3:GetBucketLocation, s3:GetObject, s3:ListBucket,
                         s3:ListBucketMultipartUploads, s3:PutObject]
                Resource: [!GetAtt Archive.Arn, !Sub "${Archive.Arn}/*"]
  Archive:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: firehose-archive-example
  ArchivePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Archive
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: OnlyFromOurVpc
            Effect: Deny
            Principal: "*"
            Action: s3:PutObject
            Resource: !Sub "${Archive.Arn}/*"
            Condition:
              StringNotEquals: {aws:SourceVpce: vpce-0a1b2c3d4e5f60718}
  Stream:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Archive.Arn
        RoleARN: !GetAtt DeliveryRole.Arn
        Prefix: events/
"""


def test_firehose_writes_as_its_role_from_outside_any_vpc(lint: Lint) -> None:
    """Firehose calls S3 with its role's credentials from AWS's network, never through your endpoint:
    a Deny for requests that do not come through the endpoint refuses every delivery."""
    findings = lint({"firehose.yaml": CFN_FIREHOSE})
    hits = [f for f in by_rule(findings, "W403-D101") if "Firehose" in f.message]
    assert len(hits) == 1
    assert hits[0].access is not None and hits[0].access.action == "s3:PutObject"
    assert hits[0].denial == "explicit" and "OnlyFromOurVpc" in hits[0].message

"""Values stated outside the sources (issue 14, lead's review of govuk-aws): a policy whose existence
depends on an unknown (``count = var.aws_environment == "staging" ? 1 : 0``) or whose text comes
from a root variable's empty default (``default = ""`` / ``[]`` in a root deployed with each
environment's variable file) yields at most a warning that says why, and a note when the policy may
not be created at all; the same defect written in the sources stays an error.
"""

from __future__ import annotations

from tests.unknowns.conftest import Check, of_rule


def test_placeholders_cap_policy_problems_at_warning_and_unknown_existence_at_note(check: Check) -> None:
    code, report = check("tf-per-environment-root")
    assert code == 1
    found = {f["location"]["line"]: f for f in of_rule(report, "W403-S401")}
    assert set(found) == {43, 54, 70}
    staging = found[43]
    # Whether this policy is created at all depends on var.aws_environment: a note naming it.
    assert staging["severity"] == "note"
    assert "invalid AWS principal ''" in staging["message"]
    assert "the count of aws_s3_bucket_policy.integration_reads_staging is not known" in staging["message"]
    assert 'var.aws_integration_account_root_arn = ""' in staging["message"]
    snapshots = found[54]
    assert snapshots["severity"] == "warning"
    assert "var.snapshot_bucket_arns = []" in snapshots["message"]
    assert found[70]["severity"] == "error"


def test_a_supplied_value_makes_the_finding_definite(check: Check) -> None:
    code, report = check("tf-per-environment-root", "--var", "aws_environment=staging",
                         "--var", "aws_integration_account_root_arn=", "--var", 'snapshot_bucket_arns=[]')
    found = {f["location"]["line"]: f["severity"] for f in of_rule(report, "W403-S401")}
    assert code == 1
    assert found == {43: "error", 54: "error", 70: "error"}


# A root deployed per environment passes a placeholder down to a shared bucket module, which merges
# the caller's documents into its own bucket policy (alphagov/govuk-infrastructure's shape).
SHARED_BUCKET = {
    "main.tf": """
        variable "office_cidrs" {
          type    = list(string)
          default = %s
        }
        module "mirror" {
          source         = "./modules/bucket"
          name           = "mirror-bkt-example"
          extra_policies = [data.aws_iam_policy_document.office_read.json]
        }
        data "aws_iam_policy_document" "office_read" {
          statement {
            sid       = "OfficeRead"
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::mirror-bkt-example/*"]
            principals {
              type        = "AWS"
              identifiers = ["*"]
            }
            condition {
              test     = "IpAddress"
              variable = "aws:SourceIp"
              values   = var.office_cidrs
            }
          }
        }
        """,
    "modules/bucket/main.tf": """
        variable "name" { type = string }
        variable "extra_policies" {
          type    = list(string)
          default = []
        }
        resource "aws_s3_bucket" "this" {
          bucket = var.name
        }
        resource "aws_s3_bucket_public_access_block" "this" {
          bucket                  = aws_s3_bucket.this.id
          block_public_acls       = true
          block_public_policy     = true
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
        data "aws_iam_policy_document" "combined" {
          source_policy_documents = var.extra_policies
        }
        resource "aws_s3_bucket_policy" "this" {
          bucket = aws_s3_bucket.this.id
          policy = data.aws_iam_policy_document.combined.json
        }
        """,
}


def _shared_bucket(default: str) -> dict[str, str]:
    return {name: text % default if name == "main.tf" else text for name, text in SHARED_BUCKET.items()}


def test_a_placeholder_passed_down_to_a_module_caps_its_policy_problem_at_warning(check: Check) -> None:
    """An empty condition value list, from a root variable's ``default = []`` passed through a module
    input: at most a warning that names the variable (it was an error), and the condition is not
    dropped: the statement stays narrowed to the source addresses, never read as public."""
    _, report = check(_shared_bucket("[]"))
    (problem,) = of_rule(report, "W403-S401")
    assert problem["severity"] == "warning"
    assert "aws:SourceIp has no values" in problem["message"] and "var.office_cidrs = []" in problem["message"]
    assert of_rule(report, "W403-B307") == [] and of_rule(report, "W403-B301") == []


def test_the_same_module_with_written_addresses_is_judged_on_them(check: Check) -> None:
    _, narrow = check(_shared_bucket('["203.0.113.0/24"]'))
    assert of_rule(narrow, "W403-S401") == [] and of_rule(narrow, "W403-B307") == []


def test_a_condition_everyone_passes_is_still_public(check: Check) -> None:
    _, wide = check(_shared_bucket('["0.0.0.0/0"]'))
    (refused,) = of_rule(wide, "W403-B307")
    assert refused["severity"] == "error" and "OfficeRead" in refused["message"]


# A template whose optional parameters default to "" ("if not provided, X must be specified"):
# awslabs' serverless data lake framework and the WAF security automations are written this way.
PLACEHOLDER_TEMPLATE = """
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      AccessLogBucket:
        Type: String
        Default: ""
      ReaderRoleArn:
        Type: String
        Default: ""
    Resources:
      Parser:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
          Policies:
            - PolicyName: logs
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: s3:ListBucket
                    Resource: !Sub arn:${AWS::Partition}:s3:::${AccessLogBucket}
      Data:
        Type: AWS::S3::Bucket
        Properties: {BucketName: data-bkt-example}
      DataPolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Data
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {AWS: !Ref ReaderRoleArn}
                Action: s3:GetObject
                Resource: arn:aws:s3:::data-bkt-example/*
"""


def test_a_template_parameters_empty_default_is_a_placeholder_too(check: Check) -> None:
    _, report = check({"template.yaml": PLACEHOLDER_TEMPLATE})
    found = {f["layer"]: f for f in of_rule(report, "W403-S401")}
    assert set(found) == {"identity-policy", "bucket-policy"}
    # Refused as written, but it rests on the placeholder: at most a warning that says so.
    principal = found["bucket-policy"]
    assert principal["severity"] == "warning" and "invalid AWS principal ''" in principal["message"]
    assert 'parameter ReaderRoleArn = ""' in principal["message"]
    # Dead as written (a warning anyway): the message says what it rests on.
    dead = found["identity-policy"]
    assert dead["severity"] == "warning" and "'arn:aws:s3:::' is not an ARN" in dead["message"]
    assert 'parameter AccessLogBucket = ""' in dead["message"]


def test_a_supplied_empty_parameter_is_the_deployed_value(check: Check) -> None:
    _, report = check({"template.yaml": PLACEHOLDER_TEMPLATE}, "--parameter", "ReaderRoleArn=",
                      "--parameter", "AccessLogBucket=")
    found = {f["layer"]: f for f in of_rule(report, "W403-S401")}
    assert found["bucket-policy"]["severity"] == "error"
    assert all("rests on" not in f["message"] for f in found.values())

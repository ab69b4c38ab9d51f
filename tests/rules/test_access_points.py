"""Issue 15.4: access points in the unit's account, bucket policies that delegate to them, and their
network origin. The delegation is AWS's documented one ("Configuring IAM policies for using access
points": the bucket policy allows "*" when s3:DataAccessPointAccount is the bucket owner's account)."""

from __future__ import annotations

from tests.rules.conftest import Lint

SOURCES = """
provider "aws" {
  region = "us-east-1"
}

data "aws_caller_identity" "me" {}

resource "aws_s3_bucket" "data" {
  bucket = "ap-data-example"
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{
    Sid = "DelegateToAccessPoints", Effect = "Allow", Principal = {AWS = "*"}, Action = "*",
    Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"],
    Condition = {StringEquals = {%s}}}]})
}

resource "aws_s3_access_point" "analytics" {
  bucket = aws_s3_bucket.data.id
  name   = "analytics"
  %s
  policy = jsonencode({Version = "2012-10-17", Statement = [{
    Effect = "Allow", Principal = {AWS = aws_iam_role.analyst.arn}, Action = "s3:GetObject",
    Resource = "arn:aws:s3:us-east-1:${data.aws_caller_identity.me.account_id}:accesspoint/analytics/object/*"}]})
}

resource "aws_iam_role" "analyst" {
  name = "analyst"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role_policy" "analyst" {
  role = aws_iam_role.analyst.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = "s3:GetObject",
    Resource = "${aws_s3_access_point.analytics.arn}/object/*"}]})
}
"""
BY_ACCOUNT = '"s3:DataAccessPointAccount" = data.aws_caller_identity.me.account_id'
BY_THIS_ARN = ('"s3:DataAccessPointArn" = '
               '"arn:aws:s3:us-east-1:${data.aws_caller_identity.me.account_id}:accesspoint/analytics"')
BY_OTHER_ARN = BY_THIS_ARN.replace("accesspoint/analytics", "accesspoint/other")
VPC = 'vpc_configuration {\n    vpc_id = "vpc-0123456789abcdef0"\n  }'


def problems(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule, f.layer) for f in findings if f.kind == "denied" and f.severity in ("error", "warning")]


def test_a_bucket_delegating_to_its_accounts_access_points_lets_the_grant_through(lint: Lint) -> None:
    assert problems(lint({"main.tf": SOURCES % (BY_ACCOUNT, "")})) == []
    assert problems(lint({"main.tf": SOURCES % (BY_THIS_ARN, "")})) == []


def test_a_bucket_delegating_to_another_access_point_refuses_it(lint: Lint) -> None:
    assert problems(lint({"main.tf": SOURCES % (BY_OTHER_ARN, "")})) == [("W403-D101", "bucket-policy")]


def test_a_vpc_access_point_refuses_a_caller_only_when_its_network_is_known(lint: Lint) -> None:
    """The role's requests may or may not come from the VPC (the sources do not say): not an error."""
    assert problems(lint({"main.tf": SOURCES % (BY_ACCOUNT, VPC)})) == []

"""A deployment in the China or GovCloud partition links and matches in its own partition.

The frontends spell a resource's ARN in the partition of its region (``arn:aws-cn:s3:::b``); the
world and the engine must ask about the same ARNs, or every grant there would look denied. An
account principal is the account whatever partition its ARN is written in.
"""

from __future__ import annotations

import pytest

from .conftest import Lint, by_rule

SOURCES = """
provider "aws" {
  region = "%(region)s"
}

resource "aws_s3_bucket" "b" {
  bucket = "data-part"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
    Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}

resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = aws_iam_role.app.arn }, Action = ["s3:GetObject", "s3:PutObject"],
        Resource = "${aws_s3_bucket.b.arn}/*" },
      { Effect = "Deny", Principal = "*", Action = "s3:PutObject", Resource = "${aws_s3_bucket.b.arn}/*",
        Condition = { StringNotEquals = { "aws:PrincipalAccount" = "111122223333" } } },
    ]
  })
}
"""


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1", "eu-west-1"])
def test_a_grant_in_the_partition_works_and_its_deny_still_bites(lint: Lint, region: str) -> None:
    findings = lint({"main.tf": SOURCES % {"region": region}}, account_id="999988887777")
    assert not by_rule(findings, "W403-D102"), [f.message for f in findings]
    denied = by_rule(findings, "W403-D101")
    assert [f.access.action for f in denied if f.access] == ["s3:PutObject"]
    assert denied[0].denial == "explicit"

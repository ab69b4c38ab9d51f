"""A literal account id the sources treat as their own keeps the unconfigured home account uncertain."""

from __future__ import annotations

from tests.rules.conftest import Lint

HARDCODED = """
provider "aws" {
  region = "eu-west-1"
}

resource "aws_kms_key" "data" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdmins"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_s3_bucket" "data" {
  bucket = "hardcoded-account-data"
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

resource "aws_iam_role_policy" "reader" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.data.arn}/*" },
      { Effect = "Allow", Action = "kms:Decrypt", Resource = aws_kms_key.data.arn },
    ]
  })
}
"""


def test_a_key_administered_by_a_hardcoded_account_is_not_a_lockout_or_a_denial(lint: Lint) -> None:
    findings = lint({"main.tf": HARDCODED})
    assert [f for f in findings if f.severity in ("error", "warning")] == []


def test_with_the_account_configured_the_same_sources_are_clean(lint: Lint) -> None:
    findings = lint({"main.tf": HARDCODED}, account_id="111122223333")
    assert [f for f in findings if f.severity in ("error", "warning")] == []


def test_with_another_account_configured_the_key_really_is_foreign(lint: Lint) -> None:
    findings = lint({"main.tf": HARDCODED}, account_id="444455556666")
    rules = {f.rule for f in findings if f.severity == "error"}
    assert {"W403-D103", "W403-L202"} <= rules

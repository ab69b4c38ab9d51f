"""W403-S404 when the competing policies exist only under a condition the sources leave open.

Real repositories often write one bucket policy per environment, each with ``count`` on a
variable that has no value in the sources (``var.environment == "staging" ? 1 : 0``): the two are
never created together, so a warning that they compete would be false. It stays a finding, as a
note naming what decides it; two policies that certainly both exist remain a warning.
"""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule

POLICY = '''
resource "aws_s3_bucket_policy" "{name}" {{
  count  = {count}
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ AWS = "arn:aws:iam::{account}:root" }},
                   Action = "s3:GetObject", Resource = "${{aws_s3_bucket.data.arn}}/*" }}]
  }})
}}
'''

BUCKET = '''
variable "environment" {
  type = string
}

resource "aws_s3_bucket" "data" {
  bucket = "example-${var.environment}-data"
}
'''


def test_policies_per_environment_are_a_note_naming_the_condition(lint: Lint) -> None:
    findings = lint({"main.tf": BUCKET
                     + POLICY.format(name="staging", count='var.environment == "staging" ? 1 : 0',
                                     account="111122223333")
                     + POLICY.format(name="production", count='var.environment == "production" ? 1 : 0',
                                     account="444455556666")})
    [hit] = by_rule(findings, "W403-S404")
    assert hit.severity == "note"
    assert "may be given 2 policies" in hit.message
    assert "var.environment" in hit.message


def test_policies_that_both_exist_are_a_warning(lint: Lint) -> None:
    findings = lint({"main.tf": BUCKET
                     + POLICY.format(name="staging", count="1", account="111122223333")
                     + POLICY.format(name="production", count="1", account="444455556666")})
    [hit] = by_rule(findings, "W403-S404")
    assert hit.severity == "warning"
    assert "is given 2 policies" in hit.message


def test_one_certain_and_one_conditional_policy_is_a_note(lint: Lint) -> None:
    findings = lint({"main.tf": BUCKET
                     + POLICY.format(name="always", count="1", account="111122223333")
                     + POLICY.format(name="production", count='var.environment == "production" ? 1 : 0',
                                     account="444455556666")})
    [hit] = by_rule(findings, "W403-S404")
    assert hit.severity == "note"
    assert "whether aws_s3_bucket_policy.production[0] is created" in hit.message

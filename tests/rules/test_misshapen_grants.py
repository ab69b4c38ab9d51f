"""Issue 15.7: a grant whose Action and Resource can never meet, when the code's own access relies on it.

The access the statement was written for (the object action on the bucket's objects, the bucket
action on the bucket, the ARN that was meant) is simulated: when nothing else grants it, it is a
denial by the identity-based policy (implicit), with the shape problem as the reason, and W403-S401
does not say it again; when another statement grants it, the dead statement is only S401's.
"""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule

ROLE = """
resource "aws_s3_bucket" "reports" {
  bucket = "reports-bkt-example"
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role_policy" "reader" {
  role   = aws_iam_role.reader.id
  policy = jsonencode({Version = "2012-10-17", Statement = [%s]})
}
"""


def denied(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule, f.layer, f.denial, f.access.action if f.access else None)
            for f in findings if f.kind == "denied" and f.severity in ("error", "warning") and f.rule != "W403-S401"]


def test_an_object_action_on_the_bucket_arn_is_the_denial_it_causes(lint: Lint) -> None:
    grant = '{Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.reports.arn}'
    findings = lint({"main.tf": ROLE % grant})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:GetObject")]
    d102 = by_rule(findings, "W403-D102")[0]
    assert "applies to objects, but the statement names only bucket ARNs" in d102.message
    assert by_rule(findings, "W403-S401") == []


def test_a_bucket_action_on_object_arns_is_the_denial_it_causes(lint: Lint) -> None:
    findings = lint({"main.tf": ROLE % '{Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], '
                                       'Resource = "${aws_s3_bucket.reports.arn}/*"}'})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:ListBucket")]
    assert by_rule(findings, "W403-S401") == []


def test_an_arn_in_the_bucket_name_slot_is_the_denial_it_causes(lint: Lint) -> None:
    findings = lint({"main.tf": ROLE % '{Effect = "Allow", Action = "s3:GetObject", '
                                       'Resource = "arn:aws:s3:::${aws_s3_bucket.reports.arn}/*"}'})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:GetObject")]
    assert "ARN where the bucket name goes" in by_rule(findings, "W403-D102")[0].message
    assert by_rule(findings, "W403-S401") == []


def test_a_dead_statement_beside_one_that_grants_is_only_a_policy_problem(lint: Lint) -> None:
    statements = ('{Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.reports.arn}, '
                  '{Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.reports.arn}/*"}')
    findings = lint({"main.tf": ROLE % statements})
    assert denied(findings) == []
    assert [f.severity for f in by_rule(findings, "W403-S401")] == ["warning"]

"""A dynamic reference (``{{resolve:ssm:...}}``) in a template's policy is no policy problem: the
value is read from Parameter Store when CloudFormation deploys (the frontend's side is in
tests/cloudformation/test_dynamic_references.py)."""

from __future__ import annotations

from tests.cloudformation.test_dynamic_references import GOOD, TEMPLATE

from .conftest import Lint, by_rule


def test_no_policy_problem_is_reported_for_a_dynamic_reference(lint: Lint) -> None:
    findings = lint({"template.yaml": TEMPLATE % GOOD})
    assert by_rule(findings, "W403-S401") == []


def test_a_real_problem_beside_a_dynamic_reference_is_still_reported(lint: Lint) -> None:
    # An action no service has, on the objects of a bucket Parameter Store names.
    findings = lint({"template.yaml": (TEMPLATE % GOOD).replace("Action: s3:GetObject", "Action: s3:GetObjects")})
    (problem,) = by_rule(findings, "W403-S401")
    assert "s3:GetObjects" in problem.message

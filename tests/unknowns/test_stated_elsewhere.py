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

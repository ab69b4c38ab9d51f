"""IAM policy variables in realistic sources (issue 14, point 3): users against roles with
``${aws:username}``, ABAC on principal tags (Terraform ``default_tags``, CloudFormation ``Tags``),
session tags, and the three ways sources spell a variable (``&{...}`` in
``aws_iam_policy_document``, ``$${...}`` in HCL strings, ``${!...}`` in ``Fn::Sub``).

Before, a grant's variables were replaced by ``x`` in the simulated key, so alice's own home
directory was reported denied, and the principal tags of a role were unknown even when the sources
list them all.
"""

from __future__ import annotations

from typing import Any

from tests.unknowns.conftest import Check, of_rule


def _by_principal(report: dict[str, Any], rule: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in of_rule(report, rule):
        out.setdefault(f["access"]["principal_ref"], []).append(f)
    return out


def test_terraform_users_roles_and_tags(check: Check) -> None:
    code, report = check("tf-policy-variables")
    assert code == 1
    denied = _by_principal(report, "W403-D102")
    # alice's own home directory works; reporting reads its team's prefix through default_tags;
    # the federated analyst's team comes from session tags (unknown), so it is no error either.
    assert set(denied) == {"aws_iam_role.batch", "aws_iam_role.billing"}
    assert all(f["severity"] == "error" for fs in denied.values() for f in fs)
    batch = {a for f in denied["aws_iam_role.batch"] for a in f["access"]["actions"] or [f["access"]["action"]]}
    assert batch == {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
    assert all("a role session has no aws:username" in f["message"] for f in denied["aws_iam_role.batch"])
    [billing] = denied["aws_iam_role.billing"]
    assert "the principal has no tag 'cost-centre'" in billing["message"]
    assert billing["access"]["resource"] == "arn:aws:s3:::acme-team-data/cost-centres/${aws:PrincipalTag/cost-centre}/*"
    # Whether the analyst's grant covers a key depends on its session tag: a note saying so.
    [varies] = of_rule(report, "W403-U001")
    assert varies["severity"] == "note" and varies["access"]["principal_ref"] == "aws_iam_role.analyst"
    assert "sts:TagSession" in varies["message"]


def test_terraform_tags_left_open_make_the_tag_unknown_not_absent(check: Check) -> None:
    files = {
        "main.tf": '''
            provider "aws" { region = "eu-west-1" }
            variable "extra_tags" { type = map(string) }
            resource "aws_s3_bucket" "data" { bucket = "acme-team-data" }
            resource "aws_iam_role" "billing" {
              name = "billing-export"
              tags = var.extra_tags
              assume_role_policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
                               Principal = { Service = "ecs-tasks.amazonaws.com" } }]
              })
            }
            resource "aws_iam_role_policy" "billing" {
              role = aws_iam_role.billing.id
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = ["s3:GetObject"],
                               Resource = "${aws_s3_bucket.data.arn}/cost-centres/$${aws:PrincipalTag/cost-centre}/*" }]
              })
            }
        ''',
    }
    code, report = check(files)
    assert code == 0 and not of_rule(report, "W403-D102"), report["findings"]


def test_cloudformation_users_roles_and_tags(check: Check) -> None:
    code, report = check("cfn-policy-variables")
    denied = _by_principal(report, "W403-D102")
    # Alice's Fn::Sub writes ${!aws:username}: her home works. BillingRole lacks the tag in the
    # template, but the stack's tags may carry it: unknown, no error.
    assert set(denied) == {"BatchRole"}
    assert code == 1
    [batch] = denied["BatchRole"]
    assert batch["access"]["resource"] == "arn:aws:s3:::acme-home-<this unit's account>/home/${aws:username}/*"
    assert "a role session has no aws:username" in batch["message"]

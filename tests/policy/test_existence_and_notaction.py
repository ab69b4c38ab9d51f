"""Review fixes: a document's possible absence is what the frontend says, not a guess from its
statements; an API name in NotAction is not dead text beside its permission."""

from __future__ import annotations

from dataclasses import replace

from why403.model.policy import PolicyKind, Statement
from why403.policy.parse import parse_policy
from why403.policy.validate import validate_policy

UNKNOWN_STATEMENTS = Statement(index=0, effect="Allow", actions=("s3:GetObject",), resources=("*",),
                               maybe="its statements come from a parameter without a value")


def test_statements_that_may_not_apply_do_not_make_the_document_absent() -> None:
    policy = parse_policy({"Version": "2012-10-17", "Statement": []}, PolicyKind.IDENTITY)

    with_maybe = replace(policy, statements=(UNKNOWN_STATEMENTS,))
    assert with_maybe.existence_open is None
    assert replace(with_maybe, exists_if="the count is not known").existence_open == "the count is not known"


def test_a_document_created_only_if_rests_on_that_value_and_on_what_else_it_reads() -> None:
    policy = parse_policy({"Version": "2012-10-17", "Statement": []}, PolicyKind.IDENTITY)

    created = policy.created_only_if("var.enabled").resting_on('var.name = ""')

    assert created.existence_open == "var.enabled"
    assert created.rests_on == ('whether it exists depends on values the sources leave open: var.enabled; '
                                'var.name = ""')
    assert policy.resting_on("x").rests_on == "x" and policy.resting_on("x").existence_open is None


def _codes(stmt: dict[str, object]) -> set[str]:
    policy = parse_policy({"Version": "2012-10-17", "Statement": [stmt]}, PolicyKind.IDENTITY)
    return {p.code for p in validate_policy(policy)}


def test_api_name_beside_its_permission_in_action_is_dead_text() -> None:
    codes = _codes({"Effect": "Deny", "Action": ["s3:GetObject", "s3:HeadObject"], "Resource": "*"})
    assert "api-name-beside-permission" in codes


def test_api_name_in_notaction_is_not_dead_text() -> None:
    codes = _codes({"Effect": "Deny", "NotAction": ["s3:HeadObject"], "Resource": "*"})
    assert "api-name-beside-permission" not in codes
    assert "unknown-action" in codes

"""Policy documents as values: copies, equality and the private per-document cache."""

from __future__ import annotations

from dataclasses import replace

import pytest

from why403.model.policy import (
    BASE_OPERATORS,
    NEGATED_OPERATORS,
    POSITIVE_OF,
    UNKNOWN_CONDITION_KEY,
    Policy,
    PolicyKind,
)
from why403.model.values import Unknown
from why403.policy.conditions import eval_condition
from why403.policy.context import RequestContext
from why403.policy.parse import parse_policy


def _policy() -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]},
        PolicyKind.IDENTITY, origin="test")


def test_a_changed_copy_starts_with_an_empty_cache() -> None:
    """A memo of the old statements must never answer for the new ones."""
    p = _policy()
    p._cache["probe"] = True
    assert replace(p, statements=())._cache == {}
    assert p.with_kind(PolicyKind.BOUNDARY)._cache == {}
    assert p._cache == {"probe": True}


def test_the_cache_takes_no_part_in_equality_hash_or_repr() -> None:
    p, q = _policy(), _policy()
    p._cache["probe"] = True
    assert p == q and hash(p) == hash(q)
    assert "_cache" not in repr(p)


def test_the_cache_cannot_be_passed_in() -> None:
    with pytest.raises(ValueError, match="init=False"):
        replace(_policy(), _cache={})


def test_with_kind_keeps_everything_but_the_kind() -> None:
    p = replace(_policy(), arn="arn:aws:iam::aws:policy/X")
    b = p.with_kind(PolicyKind.BOUNDARY)
    assert b.kind is PolicyKind.BOUNDARY
    assert replace(b, kind=p.kind) == p
    assert p.with_kind(p.kind) is p


def test_with_maybe_marks_every_statement_and_keeps_an_earlier_reason() -> None:
    p = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}, PolicyKind.IDENTITY, origin="test")
    p = replace(p, statements=(replace(p.statements[0], maybe="its own reason"), p.statements[1]))
    m = p.with_maybe("the attachment is open")
    assert [s.maybe for s in m.statements] == ["its own reason", "the attachment is open"]
    assert [replace(s, maybe=None) for s in m.statements] == [replace(s, maybe=None) for s in p.statements]
    assert (m.kind, m.origin, m.problems) == (p.kind, p.origin, p.problems)


@pytest.mark.parametrize("condition", [Unknown("var.condition"), {"StringEquals": Unknown("var.block")}],
                         ids=["whole-block", "one-operator"])
def test_an_open_condition_is_a_stand_in_that_evaluates_to_unknown(condition: object) -> None:
    p = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}]},
        PolicyKind.IDENTITY, origin="test")
    (cond,) = p.statements[0].conditions
    assert cond.is_unknown and cond.key == UNKNOWN_CONDITION_KEY
    assert eval_condition(cond, RequestContext.of({UNKNOWN_CONDITION_KEY: "true"}), substitute=True) is None
    assert not any(c.is_unknown for c in parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"Null": {"aws:SourceVpce": "true"}}}]}, PolicyKind.IDENTITY).statements[0].conditions)


def test_every_negated_operator_negates_a_known_positive_one() -> None:
    assert NEGATED_OPERATORS == set(POSITIVE_OF) <= BASE_OPERATORS
    assert set(POSITIVE_OF.values()) <= BASE_OPERATORS - NEGATED_OPERATORS

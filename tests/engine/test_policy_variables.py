"""Policy variables resolved per caller and request (access-model 6.7; issue 14, point 3).

The closed-world vectors are AWS's rules as the IAM user guide states them (IAM JSON policy
elements: Variables and tags): a variable whose key is absent makes its Resource entry match nothing
and its condition value not match (a negated operator then matches); ``${*}``, ``${?}``, ``${$}``
are the literal characters; a default applies when the key is absent. The open-world cases are the
requests derived from sources: which keys a caller has is known from what it is (IAM users have
``aws:username``, role sessions do not), its tags from the role or user resource, unless a
session can carry session tags (the role's trust policy allows ``sts:TagSession``: session tags add
to and override the role's tags, IAM user guide, "Pass session tags in AWS STS").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from why403.simulate.decision import Decision
from why403.simulate.engine import authorize

from .world0 import APP_ROLE, BKT, OBJ, Q1, W0, alice, allow, app, role

GET, LIST = "s3:GetObject", "s3:ListBucket"
HOME = "arn:aws:s3:::data-bkt/home/${aws:username}/*"


def _open(actor: Any, action: str, key: str | None = None, **kwargs: Any) -> Decision:
    """The request as the sources' simulation makes it: keys the builder did not set are unknown."""
    return authorize(replace(W0.request(actor, action, key, **kwargs), open_world=True), W0.env())


# -- closed world: AWS's rules --------------------------------------------------------------------


def test_a_user_name_resolves_for_a_user_and_matches_nothing_for_a_role() -> None:
    assert W0.decide(alice(allow(GET, HOME)), GET, "home/alice/q.csv").outcome == "allowed"
    assert W0.decide(alice(allow(GET, HOME)), GET, "home/bob/q.csv").outcome == "implicit-deny"
    # The role session has no aws:username: not even the literal text matches.
    assert W0.decide(app(allow(GET, HOME)), GET, "home/${aws:username}/q.csv").outcome == "implicit-deny"


def test_an_unresolved_variable_in_not_resource_excludes_nothing() -> None:
    actor = app(allow("s3:*", OBJ), {"Effect": "Deny", "Action": GET, "NotResource": HOME})
    assert W0.decide(actor, GET, Q1).outcome == "explicit-deny"
    assert W0.decide(alice(allow("s3:*", OBJ), {"Effect": "Deny", "Action": GET, "NotResource": HOME}),
                     GET, "home/alice/x").outcome == "allowed"


@pytest.mark.parametrize(("operator", "outcome"), [("StringLike", "implicit-deny"), ("StringNotLike", "allowed")])
def test_an_unresolved_condition_value_does_not_match_and_its_negation_does(operator: str, outcome: str) -> None:
    actor = app(allow(LIST, BKT, Condition={operator: {"s3:prefix": "home/${aws:username}/*"}}))
    assert W0.decide(actor, LIST, context={"s3:prefix": "home/App/"}).outcome == outcome


def test_a_default_applies_when_the_key_is_absent() -> None:
    grant = allow(GET, "arn:aws:s3:::data-bkt/teams/${aws:PrincipalTag/team, 'shared'}/*")
    assert W0.decide(alice(grant), GET, "teams/shared/x").outcome == "allowed"
    assert W0.decide(alice(grant, tags={"team": "red"}), GET, "teams/red/x").outcome == "allowed"
    assert W0.decide(alice(grant, tags={"team": "red"}), GET, "teams/shared/x").outcome == "implicit-deny"


def test_the_escapes_are_literal_characters() -> None:
    grant = allow(GET, "arn:aws:s3:::data-bkt/odd/${*}${?}${$}/*")
    assert W0.decide(alice(grant), GET, "odd/*?$/x").outcome == "allowed"
    assert W0.decide(alice(grant), GET, "odd/ab$/x").outcome == "implicit-deny"


def test_variable_names_are_case_insensitive() -> None:
    assert W0.decide(alice(allow(GET, "arn:aws:s3:::data-bkt/home/${AWS:UserName}/*")), GET,
                     "home/alice/x").outcome == "allowed"


# -- open world: what the sources say about the caller ---------------------------------------------

TEAM = allow(GET, "arn:aws:s3:::data-bkt/teams/${aws:PrincipalTag/team}/*")


def _tagged_role(tags: dict[str, str], session_inputs: frozenset[str] | None) -> Any:
    return replace(role(APP_ROLE, "s1", TEAM), tags=tags, session_inputs=session_inputs)


def test_a_role_whose_trust_allows_no_session_tags_has_exactly_its_own_tags() -> None:
    assert _open(_tagged_role({"team": "red"}, frozenset()), GET, "teams/red/x").outcome == "allowed"
    # No tag 'team': the entry matches nothing, for every value of what the sources leave open.
    assert _open(_tagged_role({}, frozenset()), GET, "teams/x/x").outcome == "implicit-deny"


def test_session_tags_leave_every_principal_tag_unknown() -> None:
    assert _open(_tagged_role({"team": "red"}, frozenset({"tags"})), GET, "teams/red/x").outcome == "unknown"
    assert _open(_tagged_role({}, frozenset({"tags"})), GET, "teams/red/x").outcome == "unknown"
    # A role outside the sources: what its trust policy allows is not known either.
    assert _open(_tagged_role({"team": "red"}, None), GET, "teams/red/x").outcome == "unknown"


def test_tags_the_sources_do_not_all_list_are_unknown_beyond_those_listed() -> None:
    actor = replace(_tagged_role({"owner": "ops"}, frozenset()), tags_open=True)
    assert _open(actor, GET, "teams/red/x").outcome == "unknown"


def test_a_user_name_is_known_in_the_open_world_and_a_role_never_has_one() -> None:
    assert _open(alice(allow(GET, HOME)), GET, "home/alice/x").outcome == "allowed"
    assert _open(app(allow(GET, HOME)), GET, "home/x/x").outcome == "implicit-deny"


def test_an_unknown_request_key_still_fails_a_condition_no_value_of_which_resolves() -> None:
    """``s3:prefix`` is not known from the sources, but ``home/${aws:username}/*`` matches no prefix
    of a role session: the Allow never applies."""
    grant = allow(LIST, BKT, Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}})
    assert _open(app(grant), LIST).outcome == "implicit-deny"
    assert _open(alice(grant), LIST).outcome == "unknown"
    negated = allow(LIST, BKT, Condition={"StringNotLike": {"s3:prefix": "home/${aws:username}/*"}})
    assert _open(app(negated), LIST).outcome == "allowed"


def test_a_source_identity_exists_only_when_the_trust_policy_lets_a_caller_set_one() -> None:
    grant = allow(GET, "arn:aws:s3:::data-bkt/by/${aws:SourceIdentity}/*")
    fixed = replace(role(APP_ROLE, "s1", grant), session_inputs=frozenset())
    assert _open(fixed, GET, "by/x/y").outcome == "implicit-deny"
    settable = replace(fixed, session_inputs=frozenset({"source-identity"}))
    assert _open(settable, GET, "by/x/y").outcome == "unknown"

"""Vectors of the one engine function that decides whether a grant is public or cross-account.

``simulate.exposure`` answers W403-B301 and W403-B307 (bucket policies), W403-B302 (key
policies), W403-B303 (endpoint policies) and W403-B304 (identity statements on resources outside
the sources). Each vector starts from W0 (access-model 7.1): S3's public classification follows
access-model 5.2, and who gets in is the full evaluation of section 2 for an anonymous caller and
an administrator of account B, which is outside the organization.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from why403.model.policy import Statement
from why403.simulate.exposure import (
    Exposure,
    Outsider,
    bucket_grant_exposure,
    endpoint_admits_anyone,
    grants_outside_the_sources,
    key_grant_exposures,
)
from why403.simulate.state import Network

from .world0 import (
    ANONYMOUS,
    BPA_OFF,
    OBJ,
    W0,
    A,
    allow,
    endpoint_policy,
    ext,
    identity,
    key_policy,
    kms_key,
)

GET = "s3:GetObject"
ANYONE = Outsider("anonymous", ANONYMOUS)
STRANGER = Outsider("a principal of any other AWS account", ext(allow("*", "*")))
OUTSIDERS = (ANYONE, STRANGER)
INTERNET = Network("internet", source_ip=None)
OPEN_GET: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": OBJ}


def _bucket(*statements: dict[str, Any], bpa_off: bool = True) -> list[Exposure]:
    world = W0.with_bucket_policy(*statements)
    if bpa_off:
        world = world.with_bucket(bpa=BPA_OFF)
    bucket = world.bucket
    assert bucket.policy is not None
    return [bucket_grant_exposure(bucket, s, OUTSIDERS, world.env(), INTERNET) for s in bucket.policy.statements]


def _who(exposure: Exposure) -> set[tuple[str, str]]:
    return {(a.who, a.action) for a in exposure.admitted}


# -- bucket policies ----------------------------------------------------------------------------


def test_a_star_allow_without_condition_is_public_and_admits_everyone() -> None:
    [e] = _bucket(OPEN_GET)
    assert e.public is True and e.simulated
    assert _who(e) == {("anonymous", GET), ("a principal of any other AWS account", GET)}
    assert {a.resource for a in e.admitted} == {OBJ}


def test_an_organization_condition_makes_it_neither_public_nor_open() -> None:
    [e] = _bucket({**OPEN_GET, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1"}}})
    assert e.public is False and e.simulated and not e.admitted


def test_restrict_public_buckets_keeps_outsiders_out_of_a_public_policy() -> None:
    """The B301 warning case: S3 classes it public, but today nobody outside gets in."""
    [e] = _bucket(OPEN_GET, bpa_off=False)
    assert e.public is True and e.simulated and not e.admitted


def test_principal_account_narrows_access_but_s3_still_calls_it_public() -> None:
    """aws:PrincipalAccount is not on S3's list of keys that make a statement non-public (5.2)."""
    [e] = _bucket({**OPEN_GET, "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}})
    assert e.public is True and not e.admitted


def test_a_named_principal_is_not_asked_about() -> None:
    [e] = _bucket({**OPEN_GET, "Principal": {"AWS": f"arn:aws:iam::{A}:role/App"}})
    assert e.public is False and not e.simulated and not e.admitted


def test_an_allow_with_not_principal_is_public_but_grants_nobody() -> None:
    """S3 classes it public (5.2); AWS does not honour NotPrincipal with Allow (6.3), so the
    evaluation admits nobody through it and W403-B301 can only warn."""
    stmt = {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": GET, "Resource": OBJ}
    [e] = _bucket(stmt)
    assert e.public is True and e.simulated and not e.admitted


def test_a_deny_opens_nothing() -> None:
    _, e = _bucket(OPEN_GET, {"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": OBJ})
    assert e.public is False and not e.simulated


def test_only_the_resources_of_this_bucket_are_asked_about() -> None:
    [e] = _bucket({**OPEN_GET, "Resource": ["arn:aws:s3:::other-bkt/*", OBJ]})
    assert {a.resource for a in e.admitted} == {OBJ}


# -- key policies -------------------------------------------------------------------------------


def _key_exposures(*statements: dict[str, Any]) -> list[Exposure]:
    key = replace(kms_key(), policy=key_policy(*statements))
    return list(key_grant_exposures(key, STRANGER, ("kms:Decrypt", "kms:PutKeyPolicy"), W0.with_key(key).env()))


def test_a_star_key_statement_lets_any_account_decrypt() -> None:
    [e] = _key_exposures({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})
    assert [a.action for a in e.admitted] == ["kms:Decrypt"]
    assert e.public is None


def test_caller_account_keeps_the_key_to_its_account() -> None:
    [e] = _key_exposures({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*",
                          "Condition": {"StringEquals": {"kms:CallerAccount": A}}})
    assert not e.admitted


def test_only_open_key_statements_are_judged() -> None:
    assert _key_exposures({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*",
                           "Resource": "*"}) == []


# -- endpoint policies --------------------------------------------------------------------------


@pytest.mark.parametrize(("statement", "open_to_anyone"), [
    ({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
      "Condition": {"StringEquals": {"aws:PrincipalAccount": A}}}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"}, False),
    ({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
      "Condition": {"StringEquals": {"s3:ResourceAccount": A}}}, False),
])
def test_endpoint_policies(statement: dict[str, Any], open_to_anyone: bool) -> None:
    assert endpoint_admits_anyone(endpoint_policy(statement), STRANGER, True, W0.env()) is open_to_anyone


# -- identity statements on resources outside the sources -----------------------------------------


def _statement(doc: dict[str, Any]) -> tuple[Any, Statement]:
    policy = identity(doc)
    return policy, policy.statements[0]


def test_resource_star_reaches_buckets_and_keys_outside_the_sources() -> None:
    actor = ext()
    policy, stmt = _statement(allow(["s3:GetObject", "kms:Decrypt"], "*"))
    got = grants_outside_the_sources(actor, policy, stmt, ("s3:GetObject", "s3:PutObject", "kms:Decrypt"), W0.env())
    assert got == ["s3:GetObject", "kms:Decrypt"]


def test_a_named_bucket_reaches_nothing_outside() -> None:
    policy, stmt = _statement(allow("s3:*", OBJ))
    assert grants_outside_the_sources(ext(), policy, stmt, ("s3:GetObject",), W0.env()) == []

"""Rules of access-model sections 2.6, 2.7 and 2.9 that no numbered vector pins."""

from __future__ import annotations

from dataclasses import replace

from why403.simulate.state import AccessPointState

from .world0 import BKT, OBJ, Q1, REGION, W0, A, B, alice, allow, ext, gateway

POLICY_APIS = ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]


def test_bucket_policy_apis_from_another_account_answer_405() -> None:
    """2.7 [S3-API-BP]: an identity outside the owner's account that has the permission gets 405."""
    w = W0.with_bucket_policy({"Effect": "Allow", "Principal": {"AWS": B}, "Action": POLICY_APIS, "Resource": BKT})
    d = w.decide(ext(allow(POLICY_APIS, BKT)), "s3:GetBucketPolicy")
    assert (d.outcome, d.layer, d.http_status) == ("rejected", "request-validation", 405)
    # Without the permission it is the ordinary 403.
    d = W0.decide(ext(allow(POLICY_APIS, BKT)), "s3:GetBucketPolicy")
    assert (d.outcome, d.layer, d.http_status) == ("implicit-deny", "bucket-policy", 403)
    # The owner's own identities are unaffected.
    assert w.decide(alice(allow(POLICY_APIS, BKT)), "s3:GetBucketPolicy").allowed


def test_an_endpoint_does_not_reach_a_bucket_in_another_region() -> None:
    """2.9 / 4.1 [VPC-S3GW]: a cross-Region request through an endpoint is a non-policy failure."""
    reader = alice(allow("s3:GetObject", OBJ))
    assert W0.decide(reader, "s3:GetObject", Q1, network=gateway()).allowed
    d = W0.decide(reader, "s3:GetObject", Q1, network=replace(gateway(), endpoint_region="eu-west-1"))
    assert (d.outcome, d.layer) == ("rejected", "request-validation")
    assert W0.bucket.region == REGION


def test_same_account_access_point_without_a_policy_follows_the_union_model() -> None:
    """2.6 default: absence of an access point policy is no grant, not a deny."""
    ap = AccessPointState("ap2", A, REGION)
    ap_objects = f"arn:aws:s3:{REGION}:{A}:accesspoint/ap2/object/*"
    assert W0.decide(alice(allow("s3:GetObject", [OBJ, ap_objects])), "s3:GetObject", Q1, access_point=ap).allowed
    d = W0.decide(alice(), "s3:GetObject", Q1, access_point=ap)
    assert d.outcome == "implicit-deny"

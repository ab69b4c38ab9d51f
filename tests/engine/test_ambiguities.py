"""The defaults access-model.md section 8 chooses for points AWS leaves open, where no numbered
vector pins them. Each test names its ambiguity (A2, A3, ...) and starts from W0."""

from __future__ import annotations

from dataclasses import replace

from why403.model.acl import AclGrant
from why403.simulate.kms import aws_managed_s3_key
from why403.simulate.state import BlockPublicAccess, KmsGrant, OrgLevel

from .world0 import (
    ANONYMOUS,
    BPA_OFF,
    DEFAULT_KEY_STATEMENT,
    EXT_ROLE,
    KEY_A,
    OBJ,
    Q1,
    RCP_FULL_AWS_ACCESS,
    REGION,
    W0,
    A,
    B,
    alice,
    allow,
    app,
    endpoint_policy,
    ext,
    gateway,
    kms_key,
    member_org,
    rcp,
)

GET = "s3:GetObject"


def test_a2_same_account_account_principal_delegates_to_iam() -> None:
    w = W0.with_bucket_policy({"Effect": "Allow", "Principal": {"AWS": A}, "Action": GET, "Resource": OBJ})
    d = w.decide(alice(), GET, Q1)
    assert (d.outcome, d.layer) == ("implicit-deny", "identity-policy")
    assert w.decide(alice(allow(GET, OBJ)), GET, Q1).allowed


def test_a3_aws_star_matches_anonymous_callers() -> None:
    w = W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": GET, "Resource": OBJ})
    assert w.decide(ANONYMOUS, GET, Q1).allowed


def test_a4_restrict_public_buckets_leaves_cross_account_acl_grants() -> None:
    w = W0.with_bucket(ownership="ObjectWriter", bpa=BlockPublicAccess(restrict_public_buckets=True))
    w = w.with_object(Q1, acl=(AclGrant("account", "FULL_CONTROL", A), AclGrant("account", "READ", B)))
    w = w.with_bucket_policy(
        {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "arn:aws:s3:::data-bkt/public/*"},
        {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:PutObject", "Resource": OBJ})
    caller = ext(allow([GET, "s3:PutObject"], OBJ))
    assert w.decide(caller, GET, Q1).allowed  # granted by the object ACL
    d = w.decide(caller, "s3:PutObject", "tmp/x")  # granted only by the (blocked) policy
    assert (d.outcome, d.layer) == ("explicit-deny", "block-public-access")
    anonymous = w.decide(ANONYMOUS, GET, "public/a.png")
    assert (anonymous.outcome, anonymous.layer) == ("explicit-deny", "block-public-access")


def test_a5_same_account_star_grant_is_not_limited_by_the_boundary() -> None:
    w = W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(
        {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": OBJ})
    assert w.decide(app(boundary=[allow("s3:ListBucket", "*")]), GET, Q1).allowed


def test_a6_kms_key_id_condition_key_exists_only_with_the_header() -> None:
    w = W0.with_bucket(default_encryption="SSE-KMS", default_key=W0.keys[KEY_A]).with_bucket_policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": OBJ,
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_A}}})
    writer = alice(allow("s3:PutObject", OBJ), allow("kms:GenerateDataKey", KEY_A))
    d = w.decide(writer, "s3:PutObject", "tmp/x")
    assert (d.outcome, d.layer) == ("explicit-deny", "bucket-policy")
    assert w.decide(writer, "s3:PutObject", "tmp/x", headers={
        "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": KEY_A}).allowed


def test_a8_sse_kms_header_without_key_id_uses_aws_s3() -> None:
    key = kms_key(KEY_A, DEFAULT_KEY_STATEMENT, {"Effect": "Allow", "Principal": {"AWS": B},
                                                 "Action": "kms:GenerateDataKey", "Resource": "*"})
    w = W0.with_key(key).with_bucket(default_encryption="SSE-KMS", default_key=key).with_bucket_policy(
        {"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:PutObject", "Resource": OBJ})
    writer = ext(allow("s3:PutObject", OBJ), allow("kms:GenerateDataKey", "*"))
    assert w.decide(writer, "s3:PutObject", "tmp/x").allowed  # bucket default: the customer key
    d = w.decide(writer, "s3:PutObject", "tmp/x", headers={"x-amz-server-side-encryption": "aws:kms"})
    assert (d.outcome, d.layer, d.kms_action) == ("implicit-deny", "kms-key-policy", "kms:GenerateDataKey")


def test_a13_an_rcp_level_without_an_allow_denies() -> None:
    org = member_org()
    levels = (org.rcp_levels[0], OrgLevel("ou", ()), org.rcp_levels[2])
    w = W0.with_org(A, replace(org, rcp_levels=levels))
    d = w.decide(alice(allow(GET, OBJ)), GET, Q1)
    assert (d.outcome, d.layer) == ("implicit-deny", "rcp")
    assert RCP_FULL_AWS_ACCESS.statements


def test_a14_rcps_of_the_bucket_owner_cover_objects_of_other_accounts() -> None:
    deny_b = rcp({"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": "*",
                  "Condition": {"StringEquals": {"aws:PrincipalAccount": B}}})
    w = W0.with_org(A, member_org(rcp_ou=(deny_b,))).with_bucket(ownership="ObjectWriter").with_object(
        "drop/x.csv", owner_account=B, acl=(AclGrant("account", "FULL_CONTROL", B),))
    d = w.decide(ext(allow(GET, OBJ)), GET, "drop/x.csv")
    assert (d.outcome, d.layer) == ("explicit-deny", "rcp")


def test_a15_not_principal_needs_every_level_listed() -> None:
    session = f"arn:aws:sts::{B}:assumed-role/Ext/e1"
    w = W0.with_bucket_policy(
        {"Effect": "Deny", "NotPrincipal": {"AWS": [EXT_ROLE, session]}, "Action": "s3:*", "Resource": OBJ},
        {"Effect": "Allow", "Principal": {"AWS": EXT_ROLE}, "Action": GET, "Resource": OBJ})
    d = w.decide(ext(allow(GET, OBJ)), GET, Q1)  # the account level is missing
    assert (d.outcome, d.layer) == ("explicit-deny", "bucket-policy")


def test_a16_anonymous_principal_account_is_anonymous() -> None:
    w = W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(
        {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": OBJ},
        {"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": OBJ,
         "Condition": {"StringEquals": {"aws:PrincipalAccount": "anonymous"}}})
    d = w.decide(ANONYMOUS, GET, Q1)
    assert (d.outcome, d.layer) == ("explicit-deny", "bucket-policy")


def test_a19_head_object_calls_no_kms() -> None:
    w = W0.with_object(Q1, encryption="SSE-KMS", kms_key=W0.keys[KEY_A])
    reader = alice(allow(GET, OBJ))
    assert w.decide(reader, GET, Q1, operation="HeadObject").allowed
    assert w.decide(reader, GET, Q1).kms_action == "kms:Decrypt"


def test_a21_a_grant_alone_lets_another_account_use_the_key() -> None:
    key = replace(kms_key(KEY_A), grants=(KmsGrant(EXT_ROLE, ("Decrypt",)),))
    w = W0.with_key(key).with_object(Q1, encryption="SSE-KMS", kms_key=key).with_bucket_policy(
        {"Effect": "Allow", "Principal": {"AWS": EXT_ROLE}, "Action": GET, "Resource": OBJ})
    d = w.decide(ext(allow(GET, OBJ)), GET, Q1)  # no kms:Decrypt in Ext's identity policy
    assert d.allowed and any(s.layer == "kms-grant" for s in d.trace)


def test_a22_the_s3_endpoint_policy_is_not_applied_to_s3s_kms_call() -> None:
    ep = endpoint_policy({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    w = W0.with_object(Q1, encryption="SSE-KMS", kms_key=W0.keys[KEY_A])
    assert w.decide(alice(allow(GET, OBJ), allow("kms:Decrypt", KEY_A)), GET, Q1, network=gateway(ep)).allowed


def test_aws_managed_key_is_not_subject_to_rcps() -> None:
    """[KMS-RCP]: RCPs never restrict AWS managed keys."""
    deny_kms = rcp({"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    w = W0.with_org(A, member_org(rcp_ou=(deny_kms,)))
    managed = w.with_object(Q1, encryption="SSE-KMS", kms_key=aws_managed_s3_key(A, REGION))
    assert managed.decide(alice(allow(GET, OBJ)), GET, Q1).allowed
    customer = w.with_object(Q1, encryption="SSE-KMS", kms_key=W0.keys[KEY_A])
    d = customer.decide(alice(allow(GET, OBJ), allow("kms:Decrypt", KEY_A)), GET, Q1)
    assert (d.outcome, d.layer, d.kms_action) == ("explicit-deny", "rcp", "kms:Decrypt")

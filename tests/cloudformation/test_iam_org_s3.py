"""IAM principals and policies, Organizations policies, and the rest of the S3/KMS resources."""

from __future__ import annotations

import pytest

from why403.model import symbols
from why403.model.facts import (
    AccessPointFact,
    AliasFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    KeyFact,
    ManagedPolicyFact,
    OrgPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RoleFact,
    SourceResult,
    UserFact,
)
from why403.model.policy import PolicyKind

from .helpers import FIXTURES, facts, load_paths, one, opaque

A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION


@pytest.fixture(scope="module")
def res() -> SourceResult:
    (result,) = load_paths(FIXTURES / "iam_org_s3.yaml")
    assert not result.diagnostics
    return result


def test_bucket_inline_settings_become_separate_facts(res: SourceResult) -> None:
    acl = one(res, BucketAclFact)
    assert (acl.bucket, acl.canned) == ("reporting-exports", "log-delivery-write")
    log = one(res, BucketLoggingFact)
    assert (log.bucket, log.target_bucket, log.target_prefix) == ("reporting-exports", "reporting-exports", "self/")
    enc = one(res, BucketEncryptionFact)
    assert (enc.algorithm, enc.key, enc.bucket_key) == ("aws:kms", "alias/reports", False)
    assert one(res, OwnershipFact).ownership == "BucketOwnerPreferred"
    pab = one(res, PublicAccessBlockFact)
    # a flag left out of the block is off
    assert (pab.block_public_acls, pab.ignore_public_acls, pab.block_public_policy,
            pab.restrict_public_buckets) == (True, False, False, False)


def test_unnamed_bucket_gets_an_opaque_name(res: SourceResult) -> None:
    unnamed = one(res, BucketFact, "UnnamedBucket")
    assert unnamed.name == opaque(res, "UnnamedBucket.bucket")
    assert [f for f in res.facts if f.ref == "UnnamedBucket"] == [unnamed]


def test_access_point(res: SourceResult) -> None:
    ap = one(res, AccessPointFact)
    assert (ap.name, ap.bucket, ap.vpc_id) == ("reports-vpc", "reporting-exports", "vpc-0abc1234def567890")
    assert ap.block_public_policy is True  # access points block public access unless told otherwise
    assert ap.policy is not None and ap.policy.kind is PolicyKind.ACCESS_POINT
    group = one(res, GroupFact)
    assert ap.policy.statements[0].principals[0].value == group.arn
    assert ap.policy.statements[0].resources == (f"arn:aws:s3:{R}:{A}:accesspoint/reports-vpc/object/*",)


def test_keys_alias_and_replica(res: SourceResult) -> None:
    key = one(res, KeyFact, "ReportsKey")
    assert key.enabled is False and key.policy is None  # no KeyPolicy: AWS's default applies
    alias = one(res, AliasFact)
    assert (alias.name, alias.target_key) == ("alias/reports", key.arn)
    replica = one(res, KeyFact, "ReportsReplica")
    assert replica.policy is not None and replica.key_id == opaque(res, "ReportsReplica.key_id")


def test_group_user_membership(res: SourceResult) -> None:
    group = one(res, GroupFact)
    assert (group.name, group.arn) == ("analysts", f"arn:aws:iam::{A}:group/reporting/analysts")
    assert group.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert group.inline_policies[0].origin == "Analysts.reports"
    alice = one(res, UserFact, "Alice")
    assert (alice.name, alice.arn, alice.groups) == ("alice", f"arn:aws:iam::{A}:user/alice", ("analysts",))
    assert alice.boundary_arn == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert alice.tags == (("team", "reporting"),)
    bob = one(res, UserFact, "Bob")
    assert bob.name == opaque(res, "Bob.name")
    member = one(res, GroupMembershipFact)
    assert (member.group, member.users) == ("analysts", (bob.name,))


def test_standalone_policies(res: SourceResult) -> None:
    by_ref = {f.ref: f for f in facts(res, InlinePolicyFact)}
    exports = by_ref["ExportsPolicy"]
    assert (exports.users, exports.groups, exports.roles) == (("alice",), ("analysts",), ())
    assert by_ref["ExporterInline"].roles == ("exporter",)
    assert by_ref["AliceInline"].users == ("alice",)
    assert by_ref["AnalystsInline"].groups == ("analysts",)
    assert by_ref["AnalystsInline"].policy.statements[0].effect == "Deny"


def test_customer_managed_policy_attached_both_ways(res: SourceResult) -> None:
    mp = one(res, ManagedPolicyFact)
    assert mp.arn == f"arn:aws:iam::{A}:policy/reporting-exports-write"
    assert mp.roles == ("exporter",)
    role = one(res, RoleFact)
    assert role.managed_policy_arns == (mp.arn,)
    assert role.boundary_arn == "arn:aws:iam::aws:policy/PowerUserAccess"


def test_scp_and_rcp_with_targets(res: SourceResult) -> None:
    policies = {f.ref: f for f in facts(res, OrgPolicyFact)}
    assert set(policies) == {"DenyBucketDeletion", "OrgPerimeter"}  # the tag policy decides no access
    scp = policies["DenyBucketDeletion"]
    assert scp.policy_type == "SERVICE_CONTROL_POLICY" and scp.policy.kind is PolicyKind.SCP
    assert scp.targets == ("ou-ab12-cdef3456", "123456789012")
    assert scp.policy_id == opaque(res, "DenyBucketDeletion.id")
    rcp = policies["OrgPerimeter"]
    assert rcp.policy.kind is PolicyKind.RCP and rcp.targets == ("r-ab12",)
    (stmt,) = rcp.policy.statements
    assert stmt.conditions[0].if_exists and stmt.conditions[0].values == ("o-abc123",)

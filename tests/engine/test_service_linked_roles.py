"""Service-linked roles: neither SCPs nor RCPs restrict them (access-model 2.3, [ORG-SCP], [ORG-RCP]).

AWS creates a service-linked role under the path ``/aws-service-role/``; a role elsewhere, even
with the same name, is an ordinary role that the organization's policies do restrict. The
identity policy, the bucket policy and the key policy still apply to it as to any role.
"""

from __future__ import annotations

from why403.model.actor import Actor, role_session

from .world0 import (
    KEY_A,
    OBJ,
    Q1,
    W0,
    A,
    allow,
    deny,
    identity,
    kms_key,
    member_org,
    rcp,
    scp,
)

GET = "s3:GetObject"
SLR = f"arn:aws:iam::{A}:role/aws-service-role/replication.s3.amazonaws.com/AWSServiceRoleForS3Replication"
LOOKALIKE = f"arn:aws:iam::{A}:role/service-role/AWSServiceRoleForS3Replication"
DENY_S3_SCP = scp(deny("s3:*", "*"))
DENY_S3_RCP = rcp({"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "kms:*"], "Resource": "*"})


def _session(role_arn: str) -> Actor:
    return role_session(role_arn, unique_id="AROASLR0000000000000",
                        identity_policies=(identity(allow(GET, OBJ), allow("kms:Decrypt", KEY_A)),))


def test_the_role_path_marks_a_role_service_linked() -> None:
    assert role_session(SLR).is_service_linked_role
    assert not role_session(LOOKALIKE).is_service_linked_role


def test_an_scp_deny_does_not_restrict_a_service_linked_role() -> None:
    world = W0.with_org(A, member_org(ou=(DENY_S3_SCP,)))
    assert world.decide(_session(SLR), GET, Q1).allowed
    looks_alike = world.decide(_session(LOOKALIKE), GET, Q1)
    assert looks_alike.outcome == "explicit-deny" and looks_alike.layer == "scp"


def test_an_rcp_deny_does_not_restrict_a_service_linked_role() -> None:
    world = W0.with_org(A, member_org(rcp_ou=(DENY_S3_RCP,)))
    assert world.decide(_session(SLR), GET, Q1).allowed
    looks_alike = world.decide(_session(LOOKALIKE), GET, Q1)
    assert looks_alike.outcome == "explicit-deny" and looks_alike.layer == "rcp"


def test_kms_does_not_apply_organization_policies_to_a_service_linked_role() -> None:
    world = W0.with_key(kms_key(KEY_A)).with_org(A, member_org(ou=(DENY_S3_SCP, scp(deny("kms:*", "*"))),
                                                              rcp_ou=(DENY_S3_RCP,)))
    assert world.kms_direct(_session(SLR), "kms:Decrypt", KEY_A).allowed
    looks_alike = world.kms_direct(_session(LOOKALIKE), "kms:Decrypt", KEY_A)
    assert looks_alike.outcome == "explicit-deny"


def test_a_service_linked_role_still_needs_an_allow_of_its_own() -> None:
    world = W0.with_org(A, member_org(ou=(DENY_S3_SCP,)))
    bare = role_session(SLR, unique_id="AROASLR0000000000000", identity_policies=())
    decision = world.decide(bare, GET, Q1)
    assert decision.outcome == "implicit-deny" and decision.layer == "identity-policy"

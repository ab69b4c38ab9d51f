"""The baseline world W0 of access-model.md section 7.1, and small builders for the vectors.

Every vector starts from :data:`W0` and states only its changes, so this module mirrors 7.1
line by line: organization ``o-a1`` (A a member under one OU, FullAWSAccess SCPs and
RCPFullAWSAccess RCPs at every level), account B outside any organization, bucket ``data-bkt``
in A (no policy, BucketOwnerEnforced, all four BPA settings on, SSE-S3, no Requester Pays),
object ``reports/q1.csv`` (SSE-S3), principals without policies, an HTTPS internet request from
198.51.100.7 and the customer managed key ``k-a`` with the default key policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from why403.model.actor import Actor, role_session
from why403.model.policy import Policy, PolicyKind
from why403.policy.context import ContextValue, RequestContext
from why403.policy.parse import parse_policy
from why403.simulate.decision import Decision
from why403.simulate.engine import authorize
from why403.simulate.kms import authorize_kms_direct
from why403.simulate.request import S3Request, principal_keys
from why403.simulate.state import (
    AccessPointState,
    AccountOrg,
    BlockPublicAccess,
    BucketState,
    Environment,
    KmsKey,
    Network,
    ObjectState,
    Organizations,
    OrgLevel,
)

Stmt = dict[str, Any]

A = "111111111111"
B = "222222222222"
C = "333333333333"
MGMT = "999999999999"
REGION = "us-east-1"

BKT = "arn:aws:s3:::data-bkt"
OBJ = "arn:aws:s3:::data-bkt/*"
Q1 = "reports/q1.csv"

ALICE_ARN = f"arn:aws:iam::{A}:user/alice"
APP_ROLE = f"arn:aws:iam::{A}:role/App"
EXT_ROLE = f"arn:aws:iam::{B}:role/Ext"
KEY_A = f"arn:aws:kms:{REGION}:{A}:key/k-a"
KEY_B = f"arn:aws:kms:{REGION}:{A}:key/k-b"
VPCE = "vpce-1a2b3c4d"
VPC = "vpc-111bbb22"

# -- policies -------------------------------------------------------------------------------------


def policy(kind: PolicyKind, *statements: Stmt, version: str | None = "2012-10-17") -> Policy:
    """A parsed policy. The vectors' documents are valid, so an ``error`` problem is a test bug."""
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        doc["Version"] = version
    parsed = parse_policy(doc, kind, origin=f"{kind.value} policy")
    errors = [p for p in parsed.problems if p.severity == "error"]
    assert not errors, errors
    return parsed


def identity(*statements: Stmt, version: str | None = "2012-10-17") -> Policy:
    return policy(PolicyKind.IDENTITY, *statements, version=version)


def bucket_policy(*statements: Stmt) -> Policy:
    return policy(PolicyKind.BUCKET, *statements)


def key_policy(*statements: Stmt) -> Policy:
    return policy(PolicyKind.KEY, *statements)


def endpoint_policy(*statements: Stmt) -> Policy:
    return policy(PolicyKind.ENDPOINT, *statements)


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> Stmt:
    """An identity-policy Allow statement (``Condition=...``, ``Principal=...`` through extra)."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str], **extra: Any) -> Stmt:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


DEFAULT_KEY_STATEMENT: Stmt = {
    "Sid": "Enable IAM policies",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
    "Action": "kms:*",
    "Resource": "*",
}

FULL_AWS_ACCESS = policy(PolicyKind.SCP, {"Effect": "Allow", "Action": "*", "Resource": "*"})
RCP_FULL_AWS_ACCESS = policy(
    PolicyKind.RCP, {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
)


def scp(*statements: Stmt) -> Policy:
    return policy(PolicyKind.SCP, *statements)


def rcp(*statements: Stmt) -> Policy:
    return policy(PolicyKind.RCP, *statements)


def member_org(
    org_id: str = "o-a1",
    root: tuple[Policy, ...] = (),
    ou: tuple[Policy, ...] = (),
    account: tuple[Policy, ...] = (),
    rcp_ou: tuple[Policy, ...] = (),
    ou_full_access: bool = True,
) -> AccountOrg:
    """A member account under one OU: FullAWSAccess / RCPFullAWSAccess at every level plus extras."""
    full = (FULL_AWS_ACCESS,)
    return AccountOrg(
        org_id=org_id,
        scp_levels=(
            OrgLevel("root", full + root),
            OrgLevel("ou", (full if ou_full_access else ()) + ou),
            OrgLevel("account", full + account),
        ),
        rcp_levels=(
            OrgLevel("root", (RCP_FULL_AWS_ACCESS,)),
            OrgLevel("ou", (RCP_FULL_AWS_ACCESS, *rcp_ou)),
            OrgLevel("account", (RCP_FULL_AWS_ACCESS,)),
        ),
        org_paths=(f"{org_id}/r-ab12/ou-ab12-11111111/",),
    )


def management_org(root: tuple[Policy, ...] = ()) -> AccountOrg:
    return AccountOrg(org_id="o-a1", management=True,
                      scp_levels=(OrgLevel("root", (FULL_AWS_ACCESS, *root)),))


# -- principals -----------------------------------------------------------------------------------


def _limits(boundary: list[Stmt] | None, session: list[Stmt] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if boundary is not None:
        out["permissions_boundary"] = policy(PolicyKind.BOUNDARY, *boundary)
    if session is not None:
        out["session_policies"] = (policy(PolicyKind.SESSION, *session),)
    return out


def user(
    name: str = "alice",
    *statements: Stmt,
    account: str = A,
    boundary: list[Stmt] | None = None,
    tags: Mapping[str, str] | None = None,
    version: str | None = "2012-10-17",
) -> Actor:
    return Actor(
        kind="iam_user",
        account=account,
        arn=f"arn:aws:iam::{account}:user/{name}",
        username=name,
        unique_id=f"AIDA{name.upper():0<17}",
        identity_policies=(identity(*statements, version=version),) if statements else (),
        tags=dict(tags or {}),
        **_limits(boundary, None),
    )


def alice(*statements: Stmt, **kwargs: Any) -> Actor:
    return user("alice", *statements, **kwargs)


def role(
    role_arn: str,
    session: str,
    *statements: Stmt,
    boundary: list[Stmt] | None = None,
    session_policy: list[Stmt] | None = None,
    version: str | None = "2012-10-17",
) -> Actor:
    return role_session(
        role_arn,
        session_name=session,
        unique_id="AROA" + role_arn.rsplit("/", 1)[-1].upper().ljust(17, "0"),
        identity_policies=(identity(*statements, version=version),) if statements else (),
        **_limits(boundary, session_policy),
    )


def app(*statements: Stmt, session: str = "s1", **kwargs: Any) -> Actor:
    return role(APP_ROLE, session, *statements, **kwargs)


def ext(*statements: Stmt, session: str = "e1", **kwargs: Any) -> Actor:
    return role(EXT_ROLE, session, *statements, **kwargs)


def root(account: str = A) -> Actor:
    return Actor(kind="root", account=account, arn=f"arn:aws:iam::{account}:root")


ANONYMOUS = Actor(kind="anonymous")


def service(name: str) -> Actor:
    return Actor(kind="service", service=name)


def federated(name: str, account: str, session_policy: list[Stmt]) -> Actor:
    """A GetFederationToken session of IAM user ``name`` (the user has no identity policy)."""
    return Actor(
        kind="federated_user",
        account=account,
        arn=f"arn:aws:sts::{account}:federated-user/{name}",
        federating_user_arn=f"arn:aws:iam::{account}:user/{name}",
        username=name,
        identity_policies=(),
        session_policies=(policy(PolicyKind.SESSION, *session_policy),),
    )


# -- network --------------------------------------------------------------------------------------

INTERNET = Network()
HTTP = Network(tls=False)


def gateway(ep: Policy | None = None) -> Network:
    """Through the gateway endpoint ``vpce-1a2b3c4d`` of ``vpc-111bbb22`` (None = default policy)."""
    return Network(path="gateway_endpoint", endpoint_policy=ep, vpce_id=VPCE, vpc_id=VPC, source_ip=None,
                   vpc_source_ip="10.0.1.5", endpoint_region=REGION)


# -- keys -----------------------------------------------------------------------------------------


def kms_key(arn: str = KEY_A, *statements: Stmt) -> KmsKey:
    """A customer managed key in A; without statements it has the default key policy."""
    return KmsKey(arn=arn, account=A, region=REGION,
                  policy=key_policy(*(statements or (DEFAULT_KEY_STATEMENT,))))


# -- the world ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    bucket: BucketState
    objects: Mapping[str, ObjectState]
    orgs: Organizations
    keys: Mapping[str, KmsKey] = field(default_factory=dict)

    # changes ----------------------------------------------------------------------------------

    def with_bucket(self, **changes: Any) -> World:
        return replace(self, bucket=replace(self.bucket, **changes))

    def with_bucket_policy(self, *statements: Stmt) -> World:
        return self.with_bucket(policy=bucket_policy(*statements))

    def with_object(self, key: str, **changes: Any) -> World:
        base = self.objects.get(key) or ObjectState(key, self.bucket.account)
        return replace(self, objects={**self.objects, key: replace(base, **changes)})

    def with_org(self, account: str, org: AccountOrg | None) -> World:
        accounts = dict(self.orgs.accounts)
        if org is None:
            accounts.pop(account, None)
        else:
            accounts[account] = org
        return replace(self, orgs=Organizations(accounts))

    def with_key(self, key: KmsKey) -> World:
        return replace(self, keys={**self.keys, key.arn: key})

    # requests ---------------------------------------------------------------------------------

    def env(self) -> Environment:
        return Environment(orgs=self.orgs, keys=self.keys)

    def request(
        self,
        actor: Actor,
        action: str,
        key: str | None = None,
        *,
        bucket: BucketState | None = None,
        operation: str | None = None,
        network: Network = INTERNET,
        headers: Mapping[str, str] | None = None,
        context: Mapping[str, ContextValue] | None = None,
        access_point: AccessPointState | None = None,
        new_policy: Policy | None = None,
    ) -> S3Request:
        bkt = bucket or self.bucket
        obj: ObjectState | None = None
        if key is not None:
            if bkt.name == self.bucket.name and key in self.objects:
                obj = self.objects[key]
            elif action.lower() != "s3:putobject":
                obj = ObjectState(key, bkt.account)  # any other key read in a vector exists, SSE-S3
        return S3Request(
            actor=actor,
            action=action,
            bucket=bkt,
            key=key,
            operation=operation,
            object=obj,
            network=network,
            access_point=access_point,
            headers=dict(headers or {}),
            context=dict(context or {}),
            new_policy=new_policy,
        )

    def decide(self, actor: Actor, action: str, key: str | None = None, **kwargs: Any) -> Decision:
        return authorize(self.request(actor, action, key, **kwargs), self.env())

    def copy_object(self, actor: Actor, source_key: str, dest_bucket: BucketState, dest_key: str) -> Decision:
        """CopyObject: GetObject on the source and PutObject on the destination must both allow
        (access-model 1.2, 6.2); the first that does not is the answer."""
        source = self.decide(actor, "s3:GetObject", source_key, operation="CopyObject")
        if not source.allowed:
            return source
        return self.decide(actor, "s3:PutObject", dest_key, bucket=dest_bucket, operation="CopyObject",
                           headers={"x-amz-copy-source": f"{self.bucket.name}/{source_key}"})

    def kms_direct(self, actor: Actor, action: str, key_arn: str) -> Decision:
        """A KMS call the principal makes itself: its own principal keys, no ``kms:ViaService``."""
        values: dict[str, ContextValue] = dict(principal_keys(actor, self.orgs, False))
        values["kms:CallerAccount"] = actor.account or ""
        values["aws:SecureTransport"] = "true"
        values["aws:ViaAWSService"] = "false"
        values["aws:SourceIp"] = INTERNET.source_ip or ""
        return authorize_kms_direct(actor, action, self.keys[key_arn], RequestContext.of(values), self.env())


W0 = World(
    bucket=BucketState(
        name="data-bkt",
        account=A,
        region=REGION,
        ownership="BucketOwnerEnforced",
        bpa=BlockPublicAccess.all(True),
        default_encryption="SSE-S3",
        requester_pays=False,
    ),
    objects={Q1: ObjectState(Q1, A, encryption="SSE-S3")},
    orgs=Organizations({A: member_org(), MGMT: management_org()}),
    keys={KEY_A: kms_key(KEY_A)},
)
"""Baseline world W0 (access-model 7.1)."""

BPA_OFF = BlockPublicAccess.all(False)

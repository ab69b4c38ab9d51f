"""What a resource-policy grant opens to callers outside your accounts: decided here, once.

Two AWS notions answer "is this grant public or cross-account":

- S3's own classification of an Allow as *public* (access-model 5.2), which Block Public Access
  judges: ``BlockPublicPolicy`` refuses to store such a policy, ``RestrictPublicBuckets`` refuses
  it to outsiders at request time.
- Whether outsiders really get in today: an anonymous caller and an administrator of an
  unrelated account, each request simulated through every layer, so a Deny, a condition or Block
  Public Access that stops them counts.

Rules ask these functions and format the answer; none of them matches statements itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.arn import kms_key, partition_of, s3_bucket, split_s3_arn
from why403.model.policy import Policy, Statement
from why403.model.tri import Tri
from why403.policy.match import Target, find, find_any
from why403.simulate.decision import Decision
from why403.simulate.engine import authorize
from why403.simulate.kms import authorize_kms_direct
from why403.simulate.public import public_in
from why403.simulate.request import S3Request, build_context, client_request, kms_direct_context
from why403.simulate.samples import concrete_actions, sample_key
from why403.simulate.state import BucketState, Environment, KmsKey, Network, external_bucket

# A bucket and a key of an account the sources do not mention.
ELSEWHERE = symbols.opaque("a bucket outside the sources")
ELSEWHERE_KEY = symbols.opaque("a key outside the sources")
FOREIGN_BUCKET = symbols.opaque("a bucket of another account")


@dataclass(frozen=True)
class Outsider:
    """A caller from outside the sources' accounts, as findings name it."""

    label: str
    actor: Actor


@dataclass(frozen=True)
class Admission:
    """One request an outsider gets through with: who, which action, on which Resource entry."""

    who: str
    action: str
    resource: str


@dataclass(frozen=True)
class Exposure:
    """What one statement opens to outsiders.

    ``public``: S3 classes the statement as public (5.2). ``simulated``: outsiders were asked for,
    because the statement is an Allow that names nobody in particular (principal ``"*"``, or
    ``NotPrincipal``) with Action and Resource lists. ``admitted``: the requests outsiders get
    through with today, among those the statement's own actions and resources stand for.
    """

    statement: Statement
    public: Tri
    simulated: bool = False
    admitted: tuple[Admission, ...] = ()


def _open_principal(stmt: Statement) -> bool:
    return stmt.principals is None or any(e.is_wildcard for e in stmt.principals)


def bucket_grant_exposure(bucket: BucketState, stmt: Statement, outsiders: Sequence[Outsider], env: Environment,
                          network: Network) -> Exposure:
    """What an Allow of ``bucket``'s policy opens: S3's public classification, and which outsiders
    it admits (each asking the actions the statement names on the keys it names, from ``network``)."""
    policy = bucket.policy
    assert policy is not None
    public = public_in(policy, stmt)
    if stmt.effect != "Allow" or not _open_principal(stmt) or stmt.actions is None or stmt.resources is None:
        return Exposure(stmt, public)
    admitted: list[Admission] = []
    for resource in stmt.resources:
        key_pattern = _key_pattern(bucket.name, resource, partition_of(bucket.region))
        if key_pattern is False:
            continue
        actions, _ = concrete_actions(stmt.actions, key_pattern is not None)
        key = sample_key(key_pattern) if isinstance(key_pattern, str) else None
        for who in outsiders:
            for action in actions:
                if authorize(client_request(who.actor, action, bucket, key, network, plausible=False),
                             env).allowed:
                    admitted.append(Admission(who.label, action, resource))
    return Exposure(stmt, public, True, tuple(admitted))


def deployment_refusals(bucket: BucketState, deployer: Actor, env: Environment) -> tuple[tuple[str, Decision], ...]:
    """The calls a deployment makes to give a bucket its policy and ACL that Block Public Access
    refuses (issue 15.5): ``PutBucketPolicy`` with a public policy under ``BlockPublicPolicy``,
    ``PutBucketAcl`` with a public ACL under ``BlockPublicAcls``, with the settings of the bucket
    and its account combined. Each is S3's answer to the deployer's request."""
    out: list[tuple[str, Decision]] = []
    if bucket.policy is not None and bucket.policy.unknown is None:
        req = S3Request(actor=deployer, action="s3:PutBucketPolicy", bucket=bucket, new_policy=bucket.policy,
                        open_world=True)
        out.append(("s3:PutBucketPolicy", authorize(req, env)))
    groups = {g.grantee for g in bucket.acl}
    canned = "public-read" if "AllUsers" in groups else "authenticated-read" if "AuthenticatedUsers" in groups else None
    if canned is not None:
        req = S3Request(actor=deployer, action="s3:PutBucketAcl", bucket=bucket, headers={"x-amz-acl": canned},
                        open_world=True)
        out.append(("s3:PutBucketAcl", authorize(req, env)))
    return tuple((action, d) for action, d in out if d.outcome == "rejected" and d.layer == "block-public-access")


def _key_pattern(bucket: str, resource: str, partition: str) -> str | bool | None:
    """The object key pattern a Resource entry names in ``bucket`` (None: the bucket itself;
    False: it names another bucket or none)."""
    parsed = split_s3_arn(resource) if resource != "*" else (bucket, "*")
    if parsed is None and (resource.startswith(s3_bucket(bucket, partition)) or resource == s3_bucket("*", partition)):
        parsed = (bucket, "*")
    if parsed is None or parsed[0] != bucket:
        return False
    return parsed[1]


def key_grant_exposures(key: KmsKey, outsider: Outsider, actions: Sequence[str], env: Environment
                        ) -> tuple[Exposure, ...]:
    """For each open-principal Allow of a key policy, which of ``actions`` it grants an outsider,
    calling KMS directly or through S3. KMS has no notion of a public key policy (``public`` None)."""
    wide = [s for s in key.policy.statements if s.effect == "Allow" and _open_principal(s)]
    if not wide:
        return ()
    granted = []
    for action in actions:
        for via in (None, f"s3.{key.region}.amazonaws.com"):
            ctx = kms_direct_context(outsider.actor, env.orgs, action, via)
            decision = authorize_kms_direct(outsider.actor, action, key, ctx, env)
            if decision.allowed:
                granted.append((action, decision))
    out = []
    for stmt in wide:
        admitted: dict[str, Admission] = {}
        for action, decision in granted:
            if decision.granted_by(stmt):
                admitted.setdefault(action, Admission(outsider.label, action, key.arn))
        out.append(Exposure(stmt, None, True, tuple(admitted.values())))
    return tuple(out)


def endpoint_admits_anyone(policy: Policy, outsider: Outsider, gateway: bool, env: Environment,
                           actions: Sequence[str] = ("s3:GetObject", "s3:PutObject")) -> bool:
    """Whether a VPC endpoint policy lets an outsider read and write a bucket of yet another account:
    an Allow applies, no Deny may, whatever the principal and the bucket (access-model 4.2)."""
    bucket = external_bucket(FOREIGN_BUCKET)
    for action in actions:
        req = client_request(outsider.actor, action, bucket, "x", Network())
        target = Target(outsider.actor, action, req.resource, build_context(req, env.orgs), gateway_endpoint=gateway)
        if find(policy, target, "Allow")[0] is not True or find(policy, target, "Deny")[0] is not False:
            return False
    return True


def grants_outside_the_sources(actor: Actor, policy: Policy, stmt: Statement, actions: Sequence[str],
                               env: Environment) -> list[str]:
    """Which of ``actions`` one identity-policy statement, on its own, grants ``actor`` on a bucket
    (``s3:``) or a key (``kms:``) that the sources do not define."""
    only = Policy(kind=policy.kind, statements=(stmt,), version=policy.version)
    bucket = external_bucket(ELSEWHERE)
    key = kms_key(symbols.HOME_REGION, str(actor.account), ELSEWHERE_KEY, actor.partition)
    out = []
    for action in actions:
        is_kms = action.lower().startswith("kms:")
        req = client_request(actor, "s3:GetObject" if is_kms else action, bucket, "x", Network())
        target = Target(actor, action, key if is_kms else req.resource, build_context(req, env.orgs))
        if find_any((only,), target, "Allow")[0] is True:
            out.append(action)
    return out


# The IAM calls with which a principal writes its own permissions. Allowed on itself, with no
# permissions boundary to cap what it attaches, they let it attach AdministratorAccess to itself.
_WRITES_OWN_POLICIES = {"role": ("iam:AttachRolePolicy", "iam:PutRolePolicy"),
                        "user": ("iam:AttachUserPolicy", "iam:PutUserPolicy")}


def writes_its_own_permissions(actor: Actor, entity_arn: str, kind: str, env: Environment) -> bool:
    """Whether ``actor``'s identity policies surely let it attach or write any policy on its own role
    or user (``entity_arn``): no condition it may fail, no Deny that may apply, no permissions
    boundary. Such a principal is an administrator in effect (a deployment role with ``iam:*``)."""
    actions = _WRITES_OWN_POLICIES.get(kind, ())
    policies = actor.identity_policies
    if not actions or policies is None or actor.permissions_boundary is not None:
        return False
    req = client_request(actor, "s3:GetObject", external_bucket(ELSEWHERE), "x", Network())
    context = build_context(req, env.orgs)
    for action in actions:
        target = Target(actor, action, entity_arn, context)
        if find_any(policies, target, "Allow")[0] is True and find_any(policies, target, "Deny")[0] is False:
            return True
    return False

"""Resource types -> facts. One small function per resource type, shared by HCL and plan JSON.

A handler reads its resource through the :class:`Reader` interface (evaluated arguments, nested
blocks, the attributes AWS computes) and knows the resource's AWS meaning: which argument is the
policy and of which kind, the defaults AWS applies when an argument is unset, how a nested block
maps to a fact. It knows nothing about HCL or plan JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.facts import (
    AccessPointFact,
    AccessPointPolicyFact,
    AliasFact,
    AttachmentFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    ComputeFact,
    EndpointFact,
    EndpointPolicyFact,
    EndpointRouteTableFact,
    Fact,
    GrantFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    InstanceProfileFact,
    KeyFact,
    KeyPolicyFact,
    ManagedPolicyFact,
    OrgAttachmentFact,
    OrgPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RequesterPaysFact,
    RoleFact,
    RouteTableAssociationFact,
    SubnetFact,
    TaskDefinitionFact,
    UserFact,
)
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.terraform.policies import policy_from_value
from why403.sources.terraform.tfvalues import ABSENT, Unk


class Reader(Protocol):
    ref: str
    rtype: str
    file: str
    maybe: str | None

    @property
    def account(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def location(self) -> Location: ...

    def arg(self, name: str) -> Any: ...

    def text(self, name: str) -> str | None: ...

    def as_text(self, value: Any) -> str | None: ...

    def blocks(self, name: str) -> list[Any]: ...

    def attr_line(self, name: str) -> int: ...

    def get_attr(self, name: str) -> Any: ...


class Emitter(Protocol):
    """Where handlers put facts, and how they record which inputs left a value unknown."""

    def fact(self, fact: Fact) -> None: ...

    def used(self, value: Any, by: str) -> None: ...


Handler = Callable[[Reader, Emitter], None]


class FactList:
    """The :class:`Emitter` of both frontends: facts go to a list; ``on_used`` hears which
    unknown values a handler used (HCL notes the inputs that would decide them; a plan's
    unknowns are only known after apply, with no input to name, so it passes none)."""

    def __init__(self, facts: list[Fact], on_used: Callable[[Any, str], None] | None = None) -> None:
        self.facts = facts
        self.on_used = on_used

    def fact(self, fact: Fact) -> None:
        self.facts.append(fact)

    def used(self, value: Any, by: str) -> None:
        if self.on_used is not None:
            self.on_used(value, by)


# -- helpers ------------------------------------------------------------------------------------


def _loc(r: Reader, name: str | None = None) -> Location:
    if name is not None:
        line = r.attr_line(name)
        if line:
            return Location(r.file, line)
    return r.location


def _policy(r: Any, out: Emitter, name: str, kind: PolicyKind, origin: str | None = None) -> Policy | None:
    value = r.arg(name)
    out.used(value, getattr(r, "ref", origin or ""))
    owner_ref = getattr(r, "owner_ref", None) or r.ref
    return policy_from_value(value, kind, origin or f"{owner_ref}.{name}", _loc(r, name), r.maybe)


def _text(r: Any, out: Emitter, name: str) -> str | None:
    value = r.arg(name)
    out.used(value, r.ref)
    text: str | None = r.as_text(value)
    return text


def _computed(r: Reader, out: Emitter, name: str) -> str:
    value = r.get_attr(name)
    out.used(value, r.ref)
    text = r.as_text(value)
    return text if text is not None else symbols.unknown(f"{r.ref}.{name}")


def _texts(r: Any, out: Emitter, name: str) -> tuple[tuple[str, ...], bool]:
    """A list-of-strings argument; the flag says whether part of it is unknown."""
    value = r.arg(name)
    out.used(value, r.ref)
    if value is ABSENT or value is None:
        return (), False
    if isinstance(value, Unk):
        return (), True
    items = value if isinstance(value, list) else [value]
    texts: list[str] = []
    unknown = False
    for item in items:
        if isinstance(item, Unk) and item.many:
            unknown = True
            continue
        t = r.as_text(item)
        if t is not None:
            texts.append(t)
    return tuple(texts), unknown


def _flag(r: Any, name: str, default: bool | None) -> bool | None:
    value = r.arg(name)
    if value is ABSENT or value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def _first_block(r: Any, name: str) -> Any:
    for b in r.blocks(name):
        if not isinstance(b, Unk):
            return b
    return None


# -- S3 -----------------------------------------------------------------------------------------


def s3_bucket(r: Reader, out: Emitter) -> None:
    name = _computed(r, out, "bucket")
    out.fact(BucketFact(r.ref, r.location, name, r.account, r.region))
    policy = _policy(r, out, "policy", PolicyKind.BUCKET)
    if policy is not None:
        out.fact(BucketPolicyFact(r.ref, _loc(r, "policy"), name, policy))
    acl = _text(r, out, "acl")
    grants = _acl_grants(r, out, r.blocks("grant"))
    if acl is not None or grants:
        out.fact(BucketAclFact(r.ref, _loc(r, "acl") if acl else r.location, name, acl, tuple(grants)))
    sse = _first_block(r, "server_side_encryption_configuration")
    if sse is not None:
        _encryption_rules(r, out, sse, name)
    logging = _first_block(r, "logging")
    if logging is not None:
        target = _text(logging, out, "target_bucket")
        if target is not None:
            prefix = _text(logging, out, "target_prefix") or ""
            out.fact(BucketLoggingFact(r.ref, logging.location, name, target, prefix))
    payer = r.arg("request_payer")
    if isinstance(payer, str):
        out.fact(RequesterPaysFact(r.ref, _loc(r, "request_payer"), name, payer == "Requester"))


def _encryption_rules(r: Reader, out: Emitter, config: Any, bucket: str) -> None:
    for rule in config.blocks("rule"):
        if isinstance(rule, Unk):
            continue
        default = _first_block(rule, "apply_server_side_encryption_by_default")
        if default is None:
            continue
        algorithm = _text(default, out, "sse_algorithm") or "AES256"
        key = _text(default, out, "kms_master_key_id")
        bucket_key = _flag(rule, "bucket_key_enabled", False)
        out.fact(BucketEncryptionFact(r.ref, rule.location, bucket, algorithm, key, bucket_key))
        return


def _acl_grants(r: Reader, out: Emitter, blocks: list[Any]) -> list[AclGrant]:
    grants: list[AclGrant] = []
    for g in blocks:
        if isinstance(g, Unk):
            continue
        perms = g.arg("permissions")
        perm_list = perms if isinstance(perms, list) else [g.arg("permission")]
        gtype = g.text("type")
        grantee = _grantee(g, gtype)
        if grantee is None:
            continue
        for perm in perm_list:
            if isinstance(perm, str) and perm in ("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"):
                grants.append(AclGrant(grantee[0], perm, grantee[1]))  # type: ignore[arg-type]
    return grants


_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
    "http://acs.amazonaws.com/groups/s3/LogDelivery": "LogDelivery",
}


def _grantee(g: Any, gtype: str | None) -> tuple[Any, str] | None:
    if gtype == "Group":
        uri = g.text("uri")
        group = _GROUPS.get(uri or "")
        return (group, "") if group else None
    if gtype == "CanonicalUser":
        return ("canonical", g.text("id") or "")
    if gtype == "AmazonCustomerByEmail":
        return ("canonical", g.text("email_address") or g.text("email") or "")
    return None


def s3_bucket_acl(r: Reader, out: Emitter) -> None:
    bucket = _text(r, out, "bucket")
    if bucket is None:
        return
    acl = _text(r, out, "acl")
    grants: list[AclGrant] = []
    acp = _first_block(r, "access_control_policy")
    if acp is not None:
        for grant in acp.blocks("grant"):
            if isinstance(grant, Unk):
                continue
            grantee_block = _first_block(grant, "grantee")
            perm = grant.text("permission")
            if grantee_block is None or perm is None:
                continue
            grantee = _grantee(grantee_block, grantee_block.text("type"))
            if grantee is not None and perm in ("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"):
                grants.append(AclGrant(grantee[0], perm, grantee[1]))
    out.fact(BucketAclFact(r.ref, r.location, bucket, acl, tuple(grants)))


def s3_bucket_policy(r: Reader, out: Emitter) -> None:
    bucket = _text(r, out, "bucket")
    policy = _policy(r, out, "policy", PolicyKind.BUCKET)
    if bucket is not None and policy is not None:
        out.fact(BucketPolicyFact(r.ref, r.location, bucket, policy))


def s3_encryption(r: Reader, out: Emitter) -> None:
    bucket = _text(r, out, "bucket")
    if bucket is not None:
        _encryption_rules(r, out, r, bucket)


def s3_public_access_block(r: Reader, out: Emitter) -> None:
    bucket = _text(r, out, "bucket")
    if bucket is None:
        return
    out.fact(PublicAccessBlockFact(r.ref, r.location, bucket, r.account, *_bpa(r, False)))


def _bpa(r: Any, default: bool) -> tuple[bool | None, bool | None, bool | None, bool | None]:
    return (_flag(r, "block_public_acls", default), _flag(r, "ignore_public_acls", default),
            _flag(r, "block_public_policy", default), _flag(r, "restrict_public_buckets", default))


def s3_account_public_access_block(r: Reader, out: Emitter) -> None:
    account = _text(r, out, "account_id") or r.account
    out.fact(PublicAccessBlockFact(r.ref, r.location, None, account, *_bpa(r, False)))


def s3_ownership(r: Reader, out: Emitter) -> None:
    bucket = _text(r, out, "bucket")
    rule = _first_block(r, "rule")
    if bucket is None or rule is None:
        return
    ownership = _text(rule, out, "object_ownership")
    if ownership is not None:
        out.fact(OwnershipFact(r.ref, r.location, bucket, ownership))


def s3_logging(r: Reader, out: Emitter) -> None:
    bucket, target = _text(r, out, "bucket"), _text(r, out, "target_bucket")
    if bucket is not None and target is not None:
        out.fact(BucketLoggingFact(r.ref, r.location, bucket, target, _text(r, out, "target_prefix") or ""))


def s3_request_payment(r: Reader, out: Emitter) -> None:
    bucket, payer = _text(r, out, "bucket"), _text(r, out, "payer")
    if bucket is not None and payer is not None:
        out.fact(RequesterPaysFact(r.ref, r.location, bucket, payer == "Requester"))


def s3_access_point(r: Reader, out: Emitter) -> None:
    name = _text(r, out, "name")
    bucket = _text(r, out, "bucket")
    if name is None or bucket is None:
        return
    account = _text(r, out, "account_id") or r.account
    vpc = _first_block(r, "vpc_configuration")
    bpa_block = _first_block(r, "public_access_block_configuration")
    flags = _bpa(bpa_block, True) if bpa_block is not None else (True, True, True, True)
    out.fact(AccessPointFact(r.ref, r.location, name, bucket, account, r.region,
                             _policy(r, out, "policy", PolicyKind.ACCESS_POINT),
                             _text(vpc, out, "vpc_id") if vpc is not None else None, *flags))


def s3control_access_point_policy(r: Reader, out: Emitter) -> None:
    ap = _text(r, out, "access_point_arn")
    policy = _policy(r, out, "policy", PolicyKind.ACCESS_POINT)
    if ap is not None and policy is not None:
        out.fact(AccessPointPolicyFact(r.ref, r.location, ap, policy))


# -- KMS ----------------------------------------------------------------------------------------


def kms_key(r: Reader, out: Emitter) -> None:
    out.fact(KeyFact(r.ref, r.location, _computed(r, out, "key_id"), _computed(r, out, "arn"), r.account, r.region,
                     _policy(r, out, "policy", PolicyKind.KEY), _flag(r, "is_enabled", True),
                     bool(_flag(r, "bypass_policy_lockout_safety_check", False))))


def kms_key_policy(r: Reader, out: Emitter) -> None:
    key = _text(r, out, "key_id")
    policy = _policy(r, out, "policy", PolicyKind.KEY)
    if key is not None and policy is not None:
        out.fact(KeyPolicyFact(r.ref, r.location, key, policy,
                               bool(_flag(r, "bypass_policy_lockout_safety_check", False))))


def kms_alias(r: Reader, out: Emitter) -> None:
    target = _text(r, out, "target_key_id")
    if target is not None:
        out.fact(AliasFact(r.ref, r.location, _computed(r, out, "name"), target, r.account, r.region))


def kms_grant(r: Reader, out: Emitter) -> None:
    key = _text(r, out, "key_id")
    grantee = _text(r, out, "grantee_principal")
    ops, _ = _texts(r, out, "operations")
    if key is None or grantee is None:
        return
    equals: tuple[tuple[str, str], ...] | None = None
    subset: tuple[tuple[str, str], ...] | None = None
    for c in r.blocks("constraints"):
        if isinstance(c, Unk):
            continue
        for name in ("encryption_context_equals", "encryption_context_subset"):
            value = c.arg(name)
            if isinstance(value, dict):
                pairs = tuple(sorted((k, c.as_text(v) or "") for k, v in value.items()))
                if name.endswith("equals"):
                    equals = pairs
                else:
                    subset = pairs
    out.fact(GrantFact(r.ref, r.location, key, grantee, ops, equals, subset))


# -- network and compute ------------------------------------------------------------------------


def vpc_endpoint(r: Reader, out: Emitter) -> None:
    endpoint_type = _text(r, out, "vpc_endpoint_type") or "Gateway"
    route_tables, _ = _texts(r, out, "route_table_ids")
    subnets, _ = _texts(r, out, "subnet_ids")
    out.fact(EndpointFact(r.ref, r.location, _computed(r, out, "id"), _text(r, out, "service_name") or "",
                          endpoint_type, _text(r, out, "vpc_id") or "", r.account, r.region,
                          _policy(r, out, "policy", PolicyKind.ENDPOINT), route_tables, subnets))


def vpc_endpoint_policy(r: Reader, out: Emitter) -> None:
    endpoint = _text(r, out, "vpc_endpoint_id")
    policy = _policy(r, out, "policy", PolicyKind.ENDPOINT)
    if endpoint is not None and policy is not None:
        out.fact(EndpointPolicyFact(r.ref, r.location, endpoint, policy))


def vpc_endpoint_route_table(r: Reader, out: Emitter) -> None:
    endpoint, table = _text(r, out, "vpc_endpoint_id"), _text(r, out, "route_table_id")
    if endpoint is not None and table is not None:
        out.fact(EndpointRouteTableFact(r.ref, r.location, endpoint, table))


def subnet(r: Reader, out: Emitter) -> None:
    out.fact(SubnetFact(r.ref, r.location, _computed(r, out, "id"), _text(r, out, "vpc_id") or ""))


def route_table_association(r: Reader, out: Emitter) -> None:
    sub, table = _text(r, out, "subnet_id"), _text(r, out, "route_table_id")
    if sub is not None and table is not None:
        out.fact(RouteTableAssociationFact(r.ref, r.location, sub, table))


def instance(r: Reader, out: Emitter) -> None:
    profile = _text(r, out, "iam_instance_profile")
    sub = _text(r, out, "subnet_id")
    out.fact(ComputeFact(r.ref, r.location, "ec2", (sub,) if sub else (), instance_profile=profile,
                         in_vpc=True if sub else None))


def launch_template(r: Reader, out: Emitter) -> None:
    profile_block = _first_block(r, "iam_instance_profile")
    profile = None
    if profile_block is not None:
        profile = _text(profile_block, out, "arn") or _text(profile_block, out, "name")
    subnets: list[str] = []
    for ni in r.blocks("network_interfaces"):
        if not isinstance(ni, Unk):
            s = _text(ni, out, "subnet_id")
            if s:
                subnets.append(s)
    out.fact(ComputeFact(r.ref, r.location, "ec2", tuple(subnets), instance_profile=profile,
                         in_vpc=True if subnets else None))


def iam_instance_profile(r: Reader, out: Emitter) -> None:
    role = _text(r, out, "role")
    out.fact(InstanceProfileFact(r.ref, r.location, _computed(r, out, "name"), _computed(r, out, "arn"),
                                 (role,) if role else ()))


def lambda_function(r: Reader, out: Emitter) -> None:
    role = _text(r, out, "role")
    vpc = _first_block(r, "vpc_config")
    subnets: tuple[str, ...] = ()
    unknown = False
    if vpc is not None:
        subnets, unknown = _texts(vpc, out, "subnet_ids")
    in_vpc = True if subnets else (None if unknown else False)
    out.fact(ComputeFact(r.ref, r.location, "lambda", subnets, role=role, in_vpc=in_vpc))


def ecs_task_definition(r: Reader, out: Emitter) -> None:
    out.fact(TaskDefinitionFact(r.ref, r.location, _computed(r, out, "arn"), _text(r, out, "task_role_arn"),
                                _text(r, out, "network_mode")))


def ecs_service(r: Reader, out: Emitter) -> None:
    task = _text(r, out, "task_definition")
    net = _first_block(r, "network_configuration")
    subnets: tuple[str, ...] = ()
    unknown = False
    if net is not None:
        subnets, unknown = _texts(net, out, "subnets")
    in_vpc = True if subnets else (None if unknown or net is None else False)
    out.fact(ComputeFact(r.ref, r.location, "ecs", subnets, task_definition=task, in_vpc=in_vpc))


# -- IAM ----------------------------------------------------------------------------------------


def _tags(r: Reader) -> tuple[tuple[str, str], ...]:
    tags = r.arg("tags")
    if not isinstance(tags, dict):
        return ()
    out = []
    for k, v in tags.items():
        t = r.as_text(v)
        if t is not None:
            out.append((k, t))
    return tuple(sorted(out))


def _inline_blocks(r: Reader, out: Emitter) -> tuple[Policy, ...]:
    policies = []
    for block in r.blocks("inline_policy"):
        if isinstance(block, Unk):
            continue
        name = block.text("name") or "inline"
        policy = _policy(block, out, "policy", PolicyKind.IDENTITY, origin=f"{r.ref} inline policy {name}")
        if policy is not None:
            policies.append(policy)
    return tuple(policies)


def iam_role(r: Reader, out: Emitter) -> None:
    managed, managed_unknown = _texts(r, out, "managed_policy_arns")
    boundary = _text(r, out, "permissions_boundary")
    out.fact(RoleFact(r.ref, r.location, _computed(r, out, "name"), _computed(r, out, "arn"), r.account,
                      _computed(r, out, "unique_id"), _policy(r, out, "assume_role_policy", PolicyKind.TRUST),
                      _inline_blocks(r, out), managed, boundary, _tags(r), managed_unknown))


def iam_user(r: Reader, out: Emitter) -> None:
    out.fact(UserFact(r.ref, r.location, _computed(r, out, "name"), _computed(r, out, "arn"), r.account,
                      _computed(r, out, "unique_id"), boundary_arn=_text(r, out, "permissions_boundary"),
                      tags=_tags(r)))


def iam_group(r: Reader, out: Emitter) -> None:
    out.fact(GroupFact(r.ref, r.location, _computed(r, out, "name"), _computed(r, out, "arn"), r.account))


def iam_policy(r: Reader, out: Emitter) -> None:
    policy = _policy(r, out, "policy", PolicyKind.IDENTITY)
    if policy is None:
        return
    arn = _computed(r, out, "arn")
    policy = Policy(kind=policy.kind, statements=policy.statements, version=policy.version, id=policy.id,
                    origin=policy.origin, location=policy.location, problems=policy.problems,
                    unknown=policy.unknown, arn=arn)
    out.fact(ManagedPolicyFact(r.ref, r.location, _computed(r, out, "name"), arn, r.account, policy))


def _inline_policy(kind: str) -> Handler:
    def run(r: Reader, out: Emitter) -> None:
        principal = _text(r, out, kind)
        policy = _policy(r, out, "policy", PolicyKind.IDENTITY)
        if principal is None or policy is None:
            return
        out.fact(InlinePolicyFact(r.ref, r.location, policy, **{kind + "s": (principal,)}))

    return run


def _attachment(kind: str) -> Handler:
    def run(r: Reader, out: Emitter) -> None:
        principal = _text(r, out, kind)
        arn = _text(r, out, "policy_arn")
        if principal is None or arn is None:
            return
        out.fact(AttachmentFact(r.ref, r.location, arn, **{kind + "s": (principal,)}))

    return run


def iam_policy_attachment(r: Reader, out: Emitter) -> None:
    arn = _text(r, out, "policy_arn")
    if arn is None:
        return
    roles, _ = _texts(r, out, "roles")
    users, _ = _texts(r, out, "users")
    groups, _ = _texts(r, out, "groups")
    out.fact(AttachmentFact(r.ref, r.location, arn, roles, users, groups))


def iam_group_membership(r: Reader, out: Emitter) -> None:
    group = _text(r, out, "group")
    users, _ = _texts(r, out, "users")
    if group is not None:
        out.fact(GroupMembershipFact(r.ref, r.location, group, users))


def iam_user_group_membership(r: Reader, out: Emitter) -> None:
    user = _text(r, out, "user")
    groups, _ = _texts(r, out, "groups")
    if user is None:
        return
    for group in groups:
        out.fact(GroupMembershipFact(r.ref, r.location, group, (user,)))


# -- Organizations ------------------------------------------------------------------------------

_ORG_KINDS = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


def organizations_policy(r: Reader, out: Emitter) -> None:
    ptype = _text(r, out, "type") or "SERVICE_CONTROL_POLICY"
    kind = _ORG_KINDS.get(ptype)
    if kind is None:
        return
    policy = _policy(r, out, "content", kind)
    if policy is None:
        return
    out.fact(OrgPolicyFact(r.ref, r.location, _computed(r, out, "id"), ptype, policy))


def organizations_attachment(r: Reader, out: Emitter) -> None:
    policy_id, target = _text(r, out, "policy_id"), _text(r, out, "target_id")
    if policy_id is not None and target is not None:
        out.fact(OrgAttachmentFact(r.ref, r.location, policy_id, target))


HANDLERS: dict[str, Handler] = {
    "aws_s3_bucket": s3_bucket,
    "aws_s3_bucket_policy": s3_bucket_policy,
    "aws_s3_bucket_server_side_encryption_configuration": s3_encryption,
    "aws_s3_bucket_public_access_block": s3_public_access_block,
    "aws_s3_account_public_access_block": s3_account_public_access_block,
    "aws_s3_bucket_ownership_controls": s3_ownership,
    "aws_s3_bucket_acl": s3_bucket_acl,
    "aws_s3_bucket_logging": s3_logging,
    "aws_s3_bucket_request_payment_configuration": s3_request_payment,
    "aws_s3_access_point": s3_access_point,
    "aws_s3control_access_point_policy": s3control_access_point_policy,
    "aws_kms_key": kms_key,
    "aws_kms_key_policy": kms_key_policy,
    "aws_kms_alias": kms_alias,
    "aws_kms_grant": kms_grant,
    "aws_vpc_endpoint": vpc_endpoint,
    "aws_vpc_endpoint_policy": vpc_endpoint_policy,
    "aws_vpc_endpoint_route_table_association": vpc_endpoint_route_table,
    "aws_subnet": subnet,
    "aws_route_table_association": route_table_association,
    "aws_instance": instance,
    "aws_launch_template": launch_template,
    "aws_iam_instance_profile": iam_instance_profile,
    "aws_lambda_function": lambda_function,
    "aws_ecs_task_definition": ecs_task_definition,
    "aws_ecs_service": ecs_service,
    "aws_iam_role": iam_role,
    "aws_iam_role_policy": _inline_policy("role"),
    "aws_iam_user_policy": _inline_policy("user"),
    "aws_iam_group_policy": _inline_policy("group"),
    "aws_iam_policy": iam_policy,
    "aws_iam_role_policy_attachment": _attachment("role"),
    "aws_iam_user_policy_attachment": _attachment("user"),
    "aws_iam_group_policy_attachment": _attachment("group"),
    "aws_iam_policy_attachment": iam_policy_attachment,
    "aws_iam_user": iam_user,
    "aws_iam_group": iam_group,
    "aws_iam_group_membership": iam_group_membership,
    "aws_iam_user_group_membership": iam_user_group_membership,
    "aws_organizations_policy": organizations_policy,
    "aws_organizations_policy_attachment": organizations_attachment,
}

"""Intended accesses: every grant the sources make to a specific principal or a specific bucket.

Principle 1 of design.md: every grant should work. An identity-policy Allow that names a bucket,
an object prefix or a key; a bucket-policy Allow that names a principal; a service the sources
make deliver into a bucket (server access logging); and each ``must-allow``/``must-deny`` of the
config. A wildcard action expands, through the IAM action catalogue, to the everyday actions that
apply to that resource type, so ``s3:*`` on ``bucket/*`` means reads, writes, deletes and tags, not
every object-lock or replication call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from why403.model import symbols
from why403.model.arn import (
    account_root,
    arn_in_bucket_slot,
    partition_of,
    split_access_point_arn,
    split_s3_arn,
)
from why403.model.policy import Policy, PrincipalEntry, Statement
from why403.model.settings import Intent as ConfigIntent
from why403.policy import catalogue
from why403.policy.context import ContextValue, RequestContext
from why403.simulate import services
from why403.simulate.request import caller_context
from why403.simulate.samples import (
    caller_sample_key,
    concrete_actions,
    dead_condition_variable,
    intended_actions,
    sample_key,
)
from why403.simulate.services import Delivery
from why403.world.managed import is_aws_managed
from why403.world.model import NetworkPath, PrincipalInfo, ServiceUse, World, endpoint_path, internet_path
from why403.world.outsiders import SERVICE_PATH, external_principal, service_owned_principal, service_principal


@dataclass(frozen=True)
class AccessIntent:
    """One principal meant to perform ``actions`` on ``resource`` (an ARN pattern as written)."""

    principal: PrincipalInfo
    actions: tuple[str, ...]
    resource: str
    bucket: str
    key: str | None  # sample object key simulated (None for bucket operations)
    source: str  # identity-policy | bucket-policy | service | config
    policy: Policy | None = None
    statement: Statement | None = None
    expect_allowed: bool = True
    context: tuple[tuple[str, ContextValue], ...] = ()
    from_wildcard: bool = False
    paths: tuple[NetworkPath, ...] = field(default=())
    # Permission -> the API names the grant wrote instead (s3:ListBucket <- s3:ListObjectsV2).
    written_as: tuple[tuple[str, str], ...] = ()
    access_point: str | None = None  # the access point ARN the request goes through
    # An AWS service's request (data/services.json): it is built as the service sends it.
    delivery: Delivery | None = None
    # The policy variable of the grant that has no value for this principal (``aws:username`` for
    # a role session) and where it is ("Resource entry", "condition value"): the grant then names
    # nothing (access-model 6.7).
    unresolved: tuple[str, str] | None = None
    # Why a policy variable of the grant's Resource has no known value for this principal (a
    # session tag): whether the grant covers the access depends on it.
    varies: str | None = None
    # The grant can never match what it was written for (issue 15.7): what is wrong with it as the
    # policy problem names it (the action or the Resource entry), and why, in a sentence.
    misshapen: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        return self.statement.label if self.statement is not None else self.source

    @property
    def unresolved_why(self) -> str | None:
        """Why the grant names nothing for this principal, in a sentence: its policy variable has no
        value (IAM: an entry whose variable has no value matches no resource)."""
        if self.unresolved is None:
            return None
        key, where = self.unresolved
        actor = self.principal.actor
        lower = key.lower()
        if lower == "aws:username":
            who = {"role_session": "a role session", "federated_user": "a federated user",
                   "root": "the root user"}.get(actor.kind, "this caller")
            why = f"{who} has no aws:username (only IAM users have one)"
        elif lower.startswith("aws:principaltag/"):
            why = f"the principal has no tag {key.split('/', 1)[1]!r}"
        elif lower == "aws:sourceidentity":
            why = "its sessions carry no source identity (the trust policy does not allow sts:SetSourceIdentity)"
        else:
            why = f"its requests carry no {key}"
        return (f"the grant's ${{{key}}} has no value for it: {why}, and a {where} whose variable has no value "
                "matches nothing")


@dataclass(frozen=True)
class _Sample:
    key: str | None
    unresolved: tuple[str, str] | None = None
    varies: str | None = None


def _sample(key_pattern: str | None, policy: Policy | None, stmt: Statement, caller: RequestContext) -> _Sample:
    """The sample key a grant stands for, for this caller (its policy variables resolved); the
    variable that has no value for it, with where it is written; why one has no known value."""
    if policy is not None and not policy.substitutes_variables:
        return _Sample(sample_key(key_pattern) if key_pattern is not None else None)
    if key_pattern is not None:
        found = caller_sample_key(key_pattern, caller)
        if found.unresolved is not None:
            return _Sample(found.key, (found.unresolved, "Resource entry"))
        key, varies = found.key, found.varies
    else:
        key, varies = None, None
    dead = dead_condition_variable(stmt, caller)
    return _Sample(key, (dead, "condition value") if dead is not None else None, varies)


def _identity_intents(world: World, info: PrincipalInfo) -> Iterator[AccessIntent]:
    caller = caller_context(info.actor, world.env.orgs)
    for policy in info.actor.identity_policies or ():
        if policy.unknown is not None or (policy.arn and is_aws_managed(policy.arn)):
            continue
        for stmt in policy.statements:
            if stmt.effect != "Allow" or stmt.actions is None or stmt.resources is None or stmt.maybe:
                continue
            for resource in stmt.resources:
                ap = split_access_point_arn(resource)
                if ap is not None and ap[0] in world.access_points:
                    yield from _access_point_intent(world, info, resource, ap, stmt, policy, "identity-policy")
                    continue
                meant = arn_in_bucket_slot(resource)
                if meant is not None:
                    yield from _misshapen_intents(info, policy, stmt, caller, meant, None, (
                        resource, f"its Resource {resource} has an ARN where the bucket name goes, so it names no "
                                  f"bucket (meant: {meant}; a parameter that takes a bucket name, such as the "
                                  "BucketName of a SAM policy template, was given the bucket's ARN)"))
                    continue
                parsed = split_s3_arn(resource)
                if parsed is None:
                    continue
                bucket, key_pattern = parsed
                is_object = key_pattern is not None
                yield from _misshapen_actions(info, policy, stmt, caller, resource, is_object)
                actions, wildcard, aliases = intended_actions(stmt.actions, is_object)
                if not actions:
                    continue
                sample = _sample(key_pattern, policy, stmt, caller)
                yield AccessIntent(info, actions, resource, bucket, sample.key, "identity-policy", policy, stmt,
                                   from_wildcard=wildcard, written_as=aliases, unresolved=sample.unresolved,
                                   varies=sample.varies)


def _misshapen_actions(info: PrincipalInfo, policy: Policy, stmt: Statement, caller: RequestContext,
                       resource: str, is_object: bool) -> Iterator[AccessIntent]:
    """Issue 15.7: an object action written with only bucket ARNs (or a bucket action with only
    object ARNs) can never match; the access it was written for is the action on the right ARN,
    which the simulation then finds denied unless another grant gives it."""
    shapes = {None if p is None else p[1] is not None for p in (split_s3_arn(r) for r in stmt.resources or ())}
    if shapes != {is_object}:
        return
    for action in stmt.actions or ():
        if not action.lower().startswith("s3:") or any(c in action for c in "*?"):
            continue
        on_object, _, _ = intended_actions((action,), True)
        on_bucket, _, _ = intended_actions((action,), False)
        if is_object and on_bucket and not on_object:
            meant, what = resource.split("/", 1)[0], "applies to the bucket, but the statement names only object ARNs"
        elif not is_object and on_object and not on_bucket:
            meant, what = f"{resource}/*", "applies to objects, but the statement names only bucket ARNs"
        else:
            continue
        yield from _misshapen_intents(info, policy, stmt, caller, meant, (action,),
                                      (action, f"the grant never matches: {catalogue.display(action)} {what}"))


def _misshapen_intents(info: PrincipalInfo, policy: Policy, stmt: Statement, caller: RequestContext, meant: str,
                       only: tuple[str, ...] | None, misshapen: tuple[str, str]) -> Iterator[AccessIntent]:
    parsed = split_s3_arn(meant)
    if parsed is None:
        return
    bucket, key_pattern = parsed
    actions, wildcard, aliases = intended_actions(only or stmt.actions or (), key_pattern is not None)
    if actions:
        sample = _sample(key_pattern, policy, stmt, caller)
        yield AccessIntent(info, actions, meant, bucket, sample.key, "identity-policy", policy, stmt,
                           from_wildcard=wildcard, written_as=aliases, unresolved=sample.unresolved,
                           varies=sample.varies, misshapen=misshapen)


def _access_point_intent(world: World, info: PrincipalInfo, resource: str, ap: tuple[str, str | None],
                         stmt: Statement, policy: Policy, source: str) -> Iterator[AccessIntent]:
    ap_arn, key_pattern = ap
    ap_info = world.access_points[ap_arn]
    is_object = key_pattern is not None
    actions, wildcard, aliases = intended_actions(stmt.actions or (), is_object)
    if actions:
        yield AccessIntent(info, actions, resource, ap_info.bucket,
                           sample_key(key_pattern) if key_pattern is not None else None, source, policy, stmt,
                           from_wildcard=wildcard, written_as=aliases, access_point=ap_arn)


def _named_grants(policy: Policy | None) -> Iterator[tuple[Statement, PrincipalEntry]]:
    """Each specific principal an Allow of a resource policy names (not "*", not unknown)."""
    if policy is None or policy.unknown is not None:
        return
    for stmt in policy.statements:
        if stmt.effect != "Allow" or stmt.principals is None or stmt.actions is None or stmt.resources is None \
                or stmt.maybe:
            continue
        for entry in stmt.principals:
            if not entry.is_wildcard and not symbols.is_entirely_unknown(entry.value):
                yield stmt, entry


def _access_point_policy_intents(world: World) -> Iterator[AccessIntent]:
    for ap_arn, ap_info in sorted(world.access_points.items()):
        policy = ap_info.state.policy
        for stmt, entry in _named_grants(policy):
            if entry.type != "AWS" or policy is None:
                continue
            principal = external_principal(world, entry.value)
            for resource in stmt.resources or ():
                ap = split_access_point_arn(resource)
                if ap is not None and ap[0] == ap_arn:
                    yield from _access_point_intent(world, principal, resource, ap, stmt, policy,
                                                    "access-point-policy")


def delivery_of(use: ServiceUse) -> Delivery:
    return Delivery(services.profile(use.profile), use.source_arn, use.source_account, use.key, configured=True)


def _delivery_context(delivery: Delivery | None) -> tuple[tuple[str, ContextValue], ...]:
    """The keys that name the source of a service's request, as the suggested fix writes them."""
    if delivery is None or delivery.source_arn is None:
        return ()
    return (("aws:SourceArn", delivery.source_arn), ("aws:SourceAccount", delivery.source_account or ""))


def _bucket_policy_intents(world: World) -> Iterator[AccessIntent]:
    uses: dict[tuple[str, str], ServiceUse] = {}
    for use in world.services:
        uses[(use.profile, use.bucket)] = use
    for name, binfo in world.buckets.items():
        policy = binfo.state.policy
        for stmt, entry in _named_grants(policy):
            delivery: Delivery | None = None
            if entry.type == "AWS":
                owner = services.profile_for_aws_principal(entry.value)
                if owner is not None:
                    principal = service_owned_principal(entry.value, owner)
                    delivery = Delivery(owner)
                else:
                    principal = external_principal(world, entry.value)
            elif entry.type == "Service":
                principal = service_principal(entry.value)
                prof = services.profile_for_service(entry.value)
                if prof is not None:
                    found = uses.get((prof.id, name))
                    delivery = delivery_of(found) if found is not None else Delivery(prof)
            else:
                continue
            for resource in stmt.resources or ():
                parsed = split_s3_arn(resource)
                if parsed is None or parsed[0] != name:
                    continue
                _, key_pattern = parsed
                actions, wildcard = concrete_actions(stmt.actions or (), key_pattern is not None)
                if actions:
                    sample = _sample(key_pattern, policy, stmt, caller_context(principal.actor, world.env.orgs))
                    yield AccessIntent(principal, actions, resource, name, sample.key, "bucket-policy", policy, stmt,
                                       context=_delivery_context(delivery), from_wildcard=wildcard,
                                       delivery=delivery, unresolved=sample.unresolved, varies=sample.varies)


def _service_intents(world: World) -> Iterator[AccessIntent]:
    """Every call a service the sources configure makes on its bucket: its checks on the bucket,
    then its deliveries under the prefix."""
    for use in world.services:
        if use.bucket not in world.buckets:
            continue
        delivery = delivery_of(use)
        prof = delivery.profile
        if use.as_role:
            role = world.principals.get(use.service)
            if role is None:
                continue
            principal = replace(role, paths=SERVICE_PATH)
        elif prof.accounts:
            # Regions older than the service principal deliver as the Region's account of the service.
            region = world.buckets[use.bucket].state.region
            if symbols.has_uncertain_token(region):
                continue  # which principal delivers is not determined: the bucket policy's grants say
            account = prof.accounts.get(region)
            principal = service_principal(use.service) if account is None else \
                service_owned_principal(account_root(account, partition_of(region)), prof)
        else:
            principal = service_principal(use.service)
        context = _delivery_context(delivery)
        if prof.bucket_actions:
            yield AccessIntent(principal, prof.bucket_actions, world.bucket_arn(use.bucket), use.bucket, None,
                               "service", context=context, delivery=delivery)
        key = (use.prefix or "") + "*"
        yield AccessIntent(principal, prof.object_actions, world.bucket_arn(use.bucket, key), use.bucket,
                           sample_key(key), "service", context=context, delivery=delivery)


def _config_intents(world: World) -> Iterator[AccessIntent]:
    for ci in world.settings.intents:
        yield from _one_config_intent(world, ci)


def _one_config_intent(world: World, ci: ConfigIntent) -> Iterator[AccessIntent]:
    info = world.principal(ci.principal)
    if info is None:
        if ci.principal.startswith("arn:"):
            info = external_principal(world, ci.principal)
        else:
            return
    resource = world.refs.get(ci.resource, ci.resource)
    if not resource.startswith("arn:"):
        resource = world.bucket_arn(resource)
    parsed = split_s3_arn(resource)
    if parsed is None:
        return
    bucket, key_pattern = parsed
    paths = info.paths
    if ci.via:
        ep = world.endpoint(ci.via)
        if ep is not None:
            paths = (endpoint_path(ep, "config"),)
        elif ci.via == "internet":
            paths = (internet_path(reason="config"),)
    yield AccessIntent(info, (catalogue.display(ci.action),), resource, bucket,
                       sample_key(key_pattern) if key_pattern is not None else None, "config",
                       expect_allowed=ci.expect_allowed, paths=paths)


def enumerate_intents(world: World) -> list[AccessIntent]:
    intents: list[AccessIntent] = []
    for info in sorted(world.principals.values(), key=lambda i: i.ref):
        if info.kind in ("role", "user"):
            intents.extend(_identity_intents(world, info))
    intents.extend(_bucket_policy_intents(world))
    intents.extend(_access_point_policy_intents(world))
    intents.extend(_service_intents(world))
    intents.extend(_config_intents(world))
    return intents

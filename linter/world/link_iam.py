"""Principals: roles and users with every policy attached to them, the sessions of a live dump, and
the deployers, joined by name or ARN as IAM attaches them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from why403.model import symbols
from why403.model.actor import Actor, role_session
from why403.model.arn import account_root, partition_of_arn, split_arn
from why403.model.facts import (
    AttachmentFact,
    DeployerFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    ManagedPolicyFact,
    RoleFact,
    SessionFact,
    UserFact,
)
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.policy.match import action_match
from why403.world.linker import Linker
from why403.world.managed import ADMIN_POLICY_ARN, aws_managed_policy, is_aws_managed
from why403.world.model import PrincipalInfo, internet_path


def managed(b: Linker) -> None:
    for f in b.of(ManagedPolicyFact):
        assert isinstance(f, ManagedPolicyFact)
        b.world.managed_policies[f.arn] = replace(f.policy, arn=f.arn)
        b.ref(f.ref, f.arn)


def resolve_managed(b: Linker, arn: str, location: Location | None) -> Policy:
    found = b.world.managed_policies.get(arn)
    if found is not None:
        return found
    if is_aws_managed(arn):
        return aws_managed_policy(arn)
    reason = f"the managed policy {symbols.render(arn)} is not in the sources"
    return Policy(kind=PolicyKind.IDENTITY, origin=symbols.render(arn), arn=arn, unknown=reason,
                  location=location)


def principals(b: Linker) -> None:
    inline: dict[str, list[InlinePolicyFact]] = defaultdict(list)
    for f in b.of(InlinePolicyFact):
        assert isinstance(f, InlinePolicyFact)
        for key in _holders(f.roles, f.users, f.groups):
            inline[key].append(f)
    attached: dict[str, list[AttachmentFact]] = defaultdict(list)
    for f in b.of(AttachmentFact):
        assert isinstance(f, AttachmentFact)
        for key in _holders(f.roles, f.users, f.groups):
            attached[key].append(f)
    for f in b.of(ManagedPolicyFact):
        assert isinstance(f, ManagedPolicyFact)
        for key in _holders(f.roles, f.users, f.groups):
            attached[key].append(AttachmentFact(f.ref, f.location, f.arn))

    def policies_for(kind: str, name: str, arn: str, own: tuple[Policy, ...], managed: tuple[str, ...],
                     location: Location | None) -> list[Policy]:
        out = list(own)
        for key in (f"{kind}:{name}", f"{kind}:{arn}"):
            out += [p.policy for p in inline.get(key, [])]
            out += [resolve_managed(b, a.policy_arn, a.location) for a in attached.get(key, [])]
        out += [resolve_managed(b, a, location) for a in managed]
        seen: set[int] = set()
        unique = []
        for p in out:
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        return unique

    groups: dict[str, list[Policy]] = {}
    for f in b.of(GroupFact):
        assert isinstance(f, GroupFact)
        groups[f.name] = policies_for("group", f.name, f.arn, f.inline_policies, f.managed_policy_arns,
                                      f.location)
    memberships: dict[str, set[str]] = defaultdict(set)
    for f in b.of(GroupMembershipFact):
        assert isinstance(f, GroupMembershipFact)
        for user in f.users:
            memberships[user].add(f.group)
    for f in b.of(RoleFact):
        assert isinstance(f, RoleFact)
        pols = policies_for("role", f.name, f.arn, f.inline_policies, f.managed_policy_arns, f.location)
        if f.managed_policies_unknown:
            pols.append(Policy(kind=PolicyKind.IDENTITY, origin=f"{f.ref} managed policies",
                               unknown="its managed policy list is not determined"))
        boundary = boundary_policy(b, f.boundary_arn, f.location)
        org_id, org_known = b.org_of(f.account)
        actor = role_session(f.arn, unique_id=f.unique_id, identity_policies=tuple(pols),
                             permissions_boundary=boundary, tags=dict(f.tags), org_id=org_id,
                             org_known=org_known, ref=f.ref, name=f.name, tags_open=f.tags_open,
                             session_inputs=session_inputs(f.trust_policy))
        b.add_principal(PrincipalInfo(f.ref, f.arn, f.account, actor, f.location, "role",
                                      admin=_is_admin(pols)))
    for f in b.of(UserFact):
        assert isinstance(f, UserFact)
        pols = policies_for("user", f.name, f.arn, f.inline_policies, f.managed_policy_arns, f.location)
        for group in set(f.groups) | memberships.get(f.name, set()):
            pols += groups.get(group, [])
        boundary = boundary_policy(b, f.boundary_arn, f.location)
        org_id, org_known = b.org_of(f.account)
        actor = Actor(kind="iam_user", account=f.account, arn=f.arn, unique_id=f.unique_id, username=f.name,
                      identity_policies=tuple(pols), permissions_boundary=boundary, tags=dict(f.tags),
                      org_id=org_id, org_known=org_known, ref=f.ref, name=f.name, tags_open=f.tags_open)
        b.add_principal(PrincipalInfo(f.ref, f.arn, f.account, actor, f.location, "user",
                                      admin=_is_admin(pols)))


# What a caller sets when it starts a session, and the permissions-only action the role's trust
# policy must allow for it (IAM user guide, "Pass session tags in AWS STS": "This action must be
# allowed before the user can pass session tags"; "Monitor and control actions taken with assumed
# roles": sts:SetSourceIdentity). Transitive tags of a chained session need sts:TagSession too.
_SESSION_INPUTS = (("tags", "sts:TagSession"), ("source-identity", "sts:SetSourceIdentity"))


def session_inputs(trust: Policy | None) -> frozenset[str]:
    """What a caller may set when starting a session of a role with this trust policy: an input
    whose action some Allow of the policy may grant (or every input, when the policy is unknown)."""
    if trust is None or trust.unknown is not None:
        return frozenset(name for name, _ in _SESSION_INPUTS)
    return frozenset(name for name, action in _SESSION_INPUTS
                     if any(s.effect == "Allow" and action_match(s, action) is not False for s in trust.statements))


def sessions(b: Linker) -> None:
    """Role sessions STS created (CloudTrail AssumeRole events), each a principal of its own: the
    role's policies, capped by the session policies passed, with the session tags."""
    for f in b.of(SessionFact):
        assert isinstance(f, SessionFact)
        role = b.world.principals.get(f.role_arn)
        policies: tuple[Policy, ...] | None = None
        if f.unknown is not None:
            policies = (Policy(kind=PolicyKind.SESSION, origin=f"session policy of {f.session_name}",
                               location=f.location, unknown=f.unknown),)
        elif f.inline_policy is not None or f.policy_arns:
            inline = (f.inline_policy,) if f.inline_policy is not None else ()
            policies = (*inline, *(resolve_managed(b, a, f.location).with_kind(PolicyKind.SESSION)
                                   for a in f.policy_arns))
        if role is not None:
            tags = dict(role.actor.tags or {})
            tags.update(f.tags)
            actor = replace(role.actor, arn=f.arn, session_name=f.session_name, session_policies=policies,
                            tags=tags, ref=f.arn, session_inputs=frozenset())
        else:
            actor = role_session(f.role_arn, session_name=f.session_name, identity_policies=None,
                                 session_policies=policies, tags=dict(f.tags) or None, org_known=False,
                                 ref=f.arn)
        account = actor.account or symbols.unknown(f"account of {f.arn}")
        # Named like its role (whose policies a fix would change); found by its own ARN.
        b.world.principals[f.arn] = PrincipalInfo(role.ref if role else f.role_arn, f.arn, account, actor,
                                                  f.location, "role", in_sources=role is not None)


def boundary_policy(b: Linker, arn: str | None, location: Location | None) -> Policy | None:
    if not arn:
        return None
    found = resolve_managed(b, arn, location)
    if found.unknown is None and not any(s.maybe for s in found.statements):
        return found.with_kind(PolicyKind.BOUNDARY)
    return Policy(kind=PolicyKind.BOUNDARY, origin=symbols.render(arn), arn=arn,
                  unknown=f"the permissions boundary {symbols.render(arn)} is not in the sources")


def deployers(b: Linker) -> None:
    world = b.world
    arns: list[tuple[str, Location | None, str]] = []
    for f in b.of(DeployerFact):
        assert isinstance(f, DeployerFact)
        arns.append((f.arn, f.location, f.ref))
    for d in b.settings.deployers:
        arns.append((world.refs.get(d, d), None, d))
    seen: set[str] = set()
    for arn, location, ref in arns:
        if arn in seen:
            continue
        seen.add(arn)
        info = world.principals.get(arn)
        if info is None:
            info = assumed_admin(arn, ref, location)
        world.deployers.append(info)


def assumed_admin(arn: str, ref: str, location: Location | None) -> PrincipalInfo:
    """A principal outside the sources that we assume administers the account (a deployer)."""
    parts = split_arn(arn)
    account = parts[4] if parts is not None else symbols.unknown(f"account of {ref}")
    admin = (aws_managed_policy(ADMIN_POLICY_ARN),)
    if ":role/" in arn:
        actor = role_session(arn, unique_id=symbols.opaque(f"{arn}.unique_id"), identity_policies=admin, ref=ref,
                             org_known=False)
        kind = "role"
    elif ":user/" in arn:
        actor = Actor(kind="iam_user", account=account, arn=arn, unique_id=symbols.opaque(f"{arn}.unique_id"),
                      username=arn.rsplit("/", 1)[-1], identity_policies=admin, ref=ref, org_known=False)
        kind = "user"
    else:
        actor = Actor(kind="root", account=account, arn=account_root(account, partition_of_arn(arn)), ref=ref,
                      org_known=False)
        kind = "root"
    paths = (internet_path(known=False, reason="not in the sources"),)
    return PrincipalInfo(ref, arn, account, actor, location, kind, paths, admin=True, in_sources=False)


def _is_admin(policies: Iterable[Policy]) -> bool:
    for p in policies:
        for s in p.statements:
            if s.effect == "Allow" and s.actions and "*" in s.actions and s.resources and "*" in s.resources \
                    and not s.conditions and not s.maybe:
                return True
    return False


def _holders(roles: tuple[str, ...], users: tuple[str, ...], groups: tuple[str, ...]) -> list[str]:
    """``role:NAME``, ``user:NAME``, ``group:NAME`` for each identity a policy is attached to."""
    return [f"{kind}:{name}" for kind, names in (("role", roles), ("user", users), ("group", groups))
            for name in names]

"""IAM principals, their policies and attachments, and Organizations policies."""

from __future__ import annotations

import dataclasses
from typing import Any

from why403.model import symbols
from why403.model.facts import (
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    ManagedPolicyFact,
    OrgPolicyFact,
    RoleFact,
    UserFact,
)
from why403.model.policy import Policy, PolicyKind, unknown_policy
from why403.model.values import Unknown
from why403.sources.cloudformation.context import Ctx, Resource
from why403.sources.cloudformation.nodes import is_if, is_intrinsic, text
from why403.sources.cloudformation.tree import line_of


def _entries(ctx: Ctx, raw: Any) -> tuple[list[tuple[Any, str | None]], str | None]:
    """Raw list elements (Fn::If resolved where decidable), or the reason the list is unknown."""
    if isinstance(raw, list):
        return ctx.r.raw_items(raw), None
    if is_if(raw):
        out: list[tuple[Any, str | None]] = []
        for branch, maybe in ctx.r.raw_items([raw]):
            inner, why = _entries(ctx, branch)
            if why is not None:
                return [], why
            out.extend((node, maybe or m) for node, m in inner)
        return out, None
    if is_intrinsic(raw):
        v = ctx.r.value(raw)
        return [], v.reason if isinstance(v, Unknown) else "the list is computed by an intrinsic function"
    return [], None


def inline_policies(ctx: Ctx, res: Resource, key: str = "Policies") -> tuple[Policy, ...]:
    if key not in res.props:
        return ()
    raw = res.props[key]
    entries, why = _entries(ctx, raw)
    if why is not None:
        return (unknown_policy(PolicyKind.IDENTITY, why, f"{res.lid}.{key}", ctx.key_loc(res, key)),)
    out = []
    for entry, maybe in entries:
        if not isinstance(entry, dict):
            continue
        name = text(ctx.r.value(entry.get("PolicyName", "")), f"{res.lid}.PolicyName")
        out.append(ctx.policy(res, entry.get("PolicyDocument"), PolicyKind.IDENTITY, f"{res.lid}.{name}",
                              line_of(entry, ctx.key_loc(res, key).line), maybe))
    return tuple(out)


def _tags(ctx: Ctx, res: Resource) -> tuple[tuple[str, str], ...]:
    """The ``Tags`` the template writes. They are never all the tags: the stack's own tags (``aws
    cloudformation deploy --tags``, CDK's stack tags) are propagated to its roles and users too, so
    facts say ``tags_open``."""
    tags = ctx.value(res, "Tags")
    if not isinstance(tags, list):
        return ()
    return tuple((text(t.get("Key"), "tag"), text(t.get("Value"), "tag")) for t in tags
                 if isinstance(t, dict) and "Key" in t)


def _managed(ctx: Ctx, res: Resource) -> tuple[tuple[str, ...], bool]:
    return ctx.texts(res, "ManagedPolicyArns")


def role(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    trust = None
    if "AssumeRolePolicyDocument" in res.props:
        trust = ctx.policy(res, res.props["AssumeRolePolicyDocument"], PolicyKind.TRUST, f"{res.lid} (trust)",
                           res.props.key_line("AssumeRolePolicyDocument"))
    arns, partial = _managed(ctx, res)
    ctx.facts.append(RoleFact(
        res.lid, ctx.at(res), name=attrs["Ref"], arn=attrs["Arn"], account=ctx.account,
        unique_id=attrs["RoleId"], trust_policy=trust, inline_policies=inline_policies(ctx, res),
        managed_policy_arns=arns, boundary_arn=ctx.text(res, "PermissionsBoundary"), tags=_tags(ctx, res),
        managed_policies_unknown=partial, tags_open=True))


def user(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    arns, _ = _managed(ctx, res)
    groups, _ = ctx.texts(res, "Groups")
    ctx.facts.append(UserFact(
        res.lid, ctx.at(res), name=attrs["Ref"], arn=attrs["Arn"], account=ctx.account,
        unique_id=symbols.opaque(f"{res.lid}.unique_id"), inline_policies=inline_policies(ctx, res),
        managed_policy_arns=arns, boundary_arn=ctx.text(res, "PermissionsBoundary"), groups=groups,
        tags=_tags(ctx, res), tags_open=True))


def group(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    arns, _ = _managed(ctx, res)
    ctx.facts.append(GroupFact(res.lid, ctx.at(res), name=attrs["Ref"], arn=attrs["Arn"], account=ctx.account,
                               inline_policies=inline_policies(ctx, res), managed_policy_arns=arns))


def user_to_group(ctx: Ctx, res: Resource) -> None:
    users, _ = ctx.texts(res, "Users")
    ctx.facts.append(GroupMembershipFact(res.lid, ctx.at(res),
                                         group=ctx.text(res, "GroupName") or symbols.unknown(f"{res.lid}.GroupName"),
                                         users=users))


def _document(ctx: Ctx, res: Resource, key: str, kind: PolicyKind, origin: str) -> Policy:
    return ctx.policy(res, res.props.get(key), kind, origin, res.props.key_line(key))


def policy(ctx: Ctx, res: Resource) -> None:
    """AWS::IAM::Policy: an inline policy put on the listed roles, users and groups."""
    name = ctx.text(res, "PolicyName") or res.lid
    ctx.facts.append(InlinePolicyFact(
        res.lid, ctx.at(res), policy=_document(ctx, res, "PolicyDocument", PolicyKind.IDENTITY, f"{res.lid}.{name}"),
        roles=ctx.texts(res, "Roles")[0], users=ctx.texts(res, "Users")[0], groups=ctx.texts(res, "Groups")[0]))


def principal_policy(kind: str) -> Any:
    """AWS::IAM::RolePolicy / UserPolicy / GroupPolicy: one inline policy on one principal."""
    key = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]

    def handle(ctx: Ctx, res: Resource) -> None:
        name = ctx.text(res, "PolicyName") or res.lid
        target = (ctx.text(res, key) or symbols.unknown(f"{res.lid}.{key}"),)
        doc = _document(ctx, res, "PolicyDocument", PolicyKind.IDENTITY, f"{res.lid}.{name}")
        ctx.facts.append(InlinePolicyFact(res.lid, ctx.at(res), policy=doc, roles=target if kind == "role" else (),
                                          users=target if kind == "user" else (),
                                          groups=target if kind == "group" else ()))

    return handle


def managed_policy(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    arn = attrs["Ref"]
    doc = _document(ctx, res, "PolicyDocument", PolicyKind.IDENTITY, res.lid)
    doc = dataclasses.replace(doc, arn=arn)
    name = ctx.text(res, "ManagedPolicyName") or symbols.opaque(f"{res.lid}.name")
    ctx.facts.append(ManagedPolicyFact(
        res.lid, ctx.at(res), name=name, arn=arn, account=ctx.account, policy=doc,
        roles=ctx.texts(res, "Roles")[0], users=ctx.texts(res, "Users")[0], groups=ctx.texts(res, "Groups")[0]))


_ORG_KINDS = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


def org_policy(ctx: Ctx, res: Resource) -> None:
    ptype = ctx.text(res, "Type")
    if ptype is None:
        return
    kind = _ORG_KINDS.get(ptype)
    if kind is None:
        if symbols.has_uncertain_token(ptype):
            ctx.diagnostics.append(_note(ctx, res, f"{res.lid}: the policy Type is unknown, so it is not read"))
        return  # tag, backup and AI opt-out policies do not decide access
    doc = _document(ctx, res, "Content", kind, res.lid)
    targets, _ = ctx.texts(res, "TargetIds")
    ctx.facts.append(OrgPolicyFact(res.lid, ctx.at(res), policy_id=ctx.r.naming.ref(res.lid), policy_type=ptype,
                                   policy=doc, targets=targets))


def _note(ctx: Ctx, res: Resource, message: str) -> Any:
    from why403.model.facts import Diagnostic

    return Diagnostic("note", message, ctx.at(res), code="cfn-unknown")

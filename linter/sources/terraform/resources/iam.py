"""IAM resources: roles, users, groups, managed and inline policies, attachments, memberships."""

from __future__ import annotations

from dataclasses import replace

from why403.model.facts import (
    AttachmentFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    ManagedPolicyFact,
    RoleFact,
    UserFact,
)
from why403.model.policy import Policy, PolicyKind
from why403.sources.terraform.providers import tag_pairs
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader
from why403.sources.terraform.tfvalues import Unk


def _tags(r: Reader) -> tuple[tuple[tuple[str, str], ...], bool]:
    """The tags AWS attaches (they are the principal's ``aws:PrincipalTag/*``): the provider's
    ``default_tags`` under the resource's own ``tags`` (a plan's ``tags_all`` holds both), and
    whether some are left open (then tags not listed may exist)."""
    planned = r.arg("tags_all")
    if isinstance(planned, dict):
        merged = tag_pairs(r, planned)
        return (merged, False) if merged is not None else ((), True)
    defaults = r.default_tags
    own = tag_pairs(r, r.arg("tags"))
    tags = dict(defaults or ())
    tags.update(own or ())
    return tuple(sorted(tags.items())), defaults is None or own is None


def _inline_blocks(r: Reader, out: Emitter) -> tuple[Policy, ...]:
    policies = []
    for block in r.blocks("inline_policy"):
        if isinstance(block, Unk):
            continue
        name = block.text("name") or "inline"
        policy = read.policy(block, out, "policy", PolicyKind.IDENTITY, origin=f"{r.ref} inline policy {name}")
        if policy is not None:
            policies.append(policy)
    return tuple(policies)


def iam_role(r: Reader, out: Emitter) -> None:
    managed, managed_unknown = read.texts(r, out, "managed_policy_arns")
    boundary = read.text(r, out, "permissions_boundary")
    tags, tags_open = _tags(r)
    out.fact(RoleFact(r.ref, r.location, read.computed(r, out, "name"), read.computed(r, out, "arn"), r.account,
                      read.computed(r, out, "unique_id"), read.policy(r, out, "assume_role_policy", PolicyKind.TRUST),
                      _inline_blocks(r, out), managed, boundary, tags, managed_unknown, tags_open=tags_open))


def iam_user(r: Reader, out: Emitter) -> None:
    tags, tags_open = _tags(r)
    out.fact(UserFact(r.ref, r.location, read.computed(r, out, "name"), read.computed(r, out, "arn"), r.account,
                      read.computed(r, out, "unique_id"), boundary_arn=read.text(r, out, "permissions_boundary"),
                      tags=tags, tags_open=tags_open))


def iam_group(r: Reader, out: Emitter) -> None:
    out.fact(GroupFact(r.ref, r.location, read.computed(r, out, "name"), read.computed(r, out, "arn"), r.account))


def iam_policy(r: Reader, out: Emitter) -> None:
    policy = read.policy(r, out, "policy", PolicyKind.IDENTITY)
    if policy is None:
        return
    arn = read.computed(r, out, "arn")
    policy = replace(policy, arn=arn)
    out.fact(ManagedPolicyFact(r.ref, r.location, read.computed(r, out, "name"), arn, r.account, policy))


def _inline_policy(kind: str) -> Handler:
    def run(r: Reader, out: Emitter) -> None:
        principal = read.text(r, out, kind)
        policy = read.policy(r, out, "policy", PolicyKind.IDENTITY)
        if principal is None or policy is None:
            return
        out.fact(InlinePolicyFact(r.ref, r.location, policy, **{kind + "s": (principal,)}))

    return run


def _attachment(kind: str) -> Handler:
    def run(r: Reader, out: Emitter) -> None:
        principal = read.text(r, out, kind)
        arn = read.text(r, out, "policy_arn")
        if principal is None or arn is None:
            return
        out.fact(AttachmentFact(r.ref, r.location, arn, **{kind + "s": (principal,)}))

    return run


def iam_policy_attachment(r: Reader, out: Emitter) -> None:
    arn = read.text(r, out, "policy_arn")
    if arn is None:
        return
    roles, _ = read.texts(r, out, "roles")
    users, _ = read.texts(r, out, "users")
    groups, _ = read.texts(r, out, "groups")
    out.fact(AttachmentFact(r.ref, r.location, arn, roles, users, groups))


def iam_group_membership(r: Reader, out: Emitter) -> None:
    group = read.text(r, out, "group")
    users, _ = read.texts(r, out, "users")
    if group is not None:
        out.fact(GroupMembershipFact(r.ref, r.location, group, users))


def iam_user_group_membership(r: Reader, out: Emitter) -> None:
    user = read.text(r, out, "user")
    groups, _ = read.texts(r, out, "groups")
    if user is None:
        return
    for group in groups:
        out.fact(GroupMembershipFact(r.ref, r.location, group, (user,)))


IAM_HANDLERS: dict[str, Handler] = {
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
}

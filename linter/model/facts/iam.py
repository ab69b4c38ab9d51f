"""IAM: roles, sessions, users, groups, and the policies attached to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.facts.base import Fact
from why403.model.policy import Policy

__all__ = [
    "AttachmentFact",
    "GroupFact",
    "GroupMembershipFact",
    "InlinePolicyFact",
    "ManagedPolicyFact",
    "RoleFact",
    "SessionFact",
    "UserFact",
]


@dataclass(frozen=True)
class RoleFact(Fact):
    name: str
    arn: str
    account: str
    unique_id: str
    trust_policy: Policy | None = None
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    # True when a variable decides the list of managed policies (so more may be attached).
    managed_policies_unknown: bool = False
    # True when the sources do not determine every tag (a tags value left open, CloudFormation's
    # stack-level tags): a tag not in ``tags`` may exist.
    tags_open: bool = False


@dataclass(frozen=True)
class SessionFact(Fact):
    """A role session as STS created it (a CloudTrail ``AssumeRole`` event): the session policies
    passed then cap the role's permissions for that session only, and its session tags replace the
    role's tags of the same key. Only read from live dumps (``why403 diagnose``).

    ``inline_policy`` is the ``policy`` parameter, ``policy_arns`` the managed session policies
    (resolved by the world); neither set means no session policy was passed. ``unknown`` says why
    the session policies are not known (CloudTrail withheld them); the others are then empty.
    """

    arn: str  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
    role_arn: str
    session_name: str
    inline_policy: Policy | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    unknown: str | None = None


@dataclass(frozen=True)
class UserFact(Fact):
    name: str
    arn: str
    account: str
    unique_id: str
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    groups: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    tags_open: bool = False  # as for RoleFact


@dataclass(frozen=True)
class GroupFact(Fact):
    name: str
    arn: str
    account: str
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManagedPolicyFact(Fact):
    """A customer managed policy; CloudFormation may attach it here (Roles/Users/Groups)."""

    name: str
    arn: str
    account: str
    policy: Policy
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class InlinePolicyFact(Fact):
    """An inline policy defined apart from its principal (``aws_iam_role_policy``, ``AWS::IAM::Policy``)."""

    policy: Policy
    roles: tuple[str, ...] = ()  # role names (or ARNs)
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentFact(Fact):
    """A managed policy attached to principals (``aws_iam_role_policy_attachment`` and friends)."""

    policy_arn: str
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupMembershipFact(Fact):
    group: str
    users: tuple[str, ...]

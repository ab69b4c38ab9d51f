"""Accounts: those the sources deploy into and who deploys, and their organization (service and
resource control policies, where they attach, where an account sits).
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.facts.base import Fact
from why403.model.policy import Policy

__all__ = ["AccountFact", "DeployerFact", "OrgAttachmentFact", "OrgMembershipFact", "OrgPolicyFact"]


@dataclass(frozen=True)
class DeployerFact(Fact):
    """The principal that applies the sources (a Terraform provider's ``assume_role``)."""

    arn: str
    account: str


@dataclass(frozen=True)
class AccountFact(Fact):
    """An account the sources deploy into, with how the sources name it (a provider alias)."""

    account: str
    region: str
    name: str = ""


@dataclass(frozen=True)
class OrgPolicyFact(Fact):
    policy_id: str
    policy_type: str  # SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY
    policy: Policy
    targets: tuple[str, ...] = ()  # account ids, OU ids, root ids


@dataclass(frozen=True)
class OrgMembershipFact(Fact):
    """Where an account sits in its organization (``organizations list-parents``, repeated up to the
    root): ``parents`` from the root down to the account's own OU. With it, the policies attached to
    the root, each OU and the account are separate levels, each of which must allow (access-model
    2.2), rather than one level of whatever the sources attach."""

    account: str
    org_id: str
    parents: tuple[str, ...]  # r-xxxx, ou-xxxx-yyyyyyyy, ... (root first)
    management_account: str | None = None


@dataclass(frozen=True)
class OrgAttachmentFact(Fact):
    policy_id: str
    target: str

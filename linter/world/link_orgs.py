"""Accounts and AWS Organizations: which SCPs and RCPs bind each account, level by level.

An organization policy attached to an account binds it; attached to the root, every member the
config lists; attached to an OU whose members the sources do not list, every account *maybe*.
A live dump places accounts exactly (one level per node from the root), so a level where
``FullAWSAccess`` is detached denies what its policies do not allow (access-model 2.2, V16).
"""

from __future__ import annotations

from collections import defaultdict

from why403.model import symbols
from why403.model.facts import OrgAttachmentFact, OrgMembershipFact, OrgPolicyFact
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.simulate.state import AccountOrg, Organizations, OrgLevel
from why403.world.linker import Linker


def accounts(b: Linker) -> None:
    for fact in b.facts_all():
        account = getattr(fact, "account", None)
        if isinstance(account, str) and account:
            b.world.accounts.add(account)
    if b.settings.account_id:
        b.world.accounts.add(b.settings.account_id)


def organizations(b: Linker) -> Organizations:
    settings = b.settings
    org = settings.organization
    members = set(org.accounts) if org else set()
    management = {org.management_account} if org and org.management_account else set()
    policies: dict[str, OrgPolicyFact] = {}
    targets: dict[str, set[str]] = defaultdict(set)
    for f in b.of(OrgPolicyFact):
        assert isinstance(f, OrgPolicyFact)
        policies[f.policy_id] = f
        targets[f.policy_id].update(f.targets)
        # Organization policies are created in the management account (or a delegated admin).
        creator = getattr(f, "account", None)
        if isinstance(creator, str) and not management:
            management.add(creator)
    for f in b.of(OrgAttachmentFact):
        assert isinstance(f, OrgAttachmentFact)
        targets[f.policy_id].add(f.target)
    scp: dict[str, list[Policy]] = defaultdict(list)
    rcp: dict[str, list[Policy]] = defaultdict(list)
    everyone = set(b.world.accounts) | members
    in_some_org: set[str] = set(members) | management
    for pid, fact in policies.items():
        bucket = scp if fact.policy_type.upper().startswith("SERVICE") else rcp
        for target in targets.get(pid, ()):
            if (target.isdigit() and len(target) == 12) or target == symbols.HOME_ACCOUNT:
                bucket[target].append(fact.policy)
                in_some_org.add(target)
            elif target.startswith("r-") and members:
                for account in members:
                    bucket[account].append(fact.policy)
            else:
                reason = f"attached to {symbols.render(target)}, whose member accounts are not in the " \
                         "sources (config: organization.accounts)"
                for account in everyone:
                    bucket[account].append(fact.policy.with_maybe(reason))
    accounts: dict[str, AccountOrg] = {}
    placed = placed_accounts(b, policies, targets)
    for account in everyone | set(scp) | set(rcp) | in_some_org:
        if account in placed:
            accounts[account] = placed[account]
            continue
        org_id = org.id if org and (account in members or account in management) else None
        levels_scp = (OrgLevel("attached policies", (_full_access(PolicyKind.SCP, "FullAWSAccess"),
                                                     *scp[account])),) if scp.get(account) else ()
        levels_rcp = (OrgLevel("attached policies", (_full_access(PolicyKind.RCP, "RCPFullAWSAccess"),
                                                     *rcp[account])),) if rcp.get(account) else ()
        accounts[account] = AccountOrg(org_id=org_id, management=account in management,
                                       scp_levels=levels_scp, rcp_levels=levels_rcp)
    for account, org_placed in placed.items():
        accounts.setdefault(account, org_placed)
    return Organizations(accounts)


def placed_accounts(b: Linker, policies: dict[str, OrgPolicyFact], targets: dict[str, set[str]]
                    ) -> dict[str, AccountOrg]:
    """Accounts whose place in the organization is known (live dumps): one level per node from the
    root to the account, each holding exactly the SCPs attached to it, so that a level where
    ``FullAWSAccess`` is detached denies what its policies do not allow (access-model 2.2, V16).
    ``RCPFullAWSAccess`` cannot be detached, so every level of an organization with RCPs has it."""
    out: dict[str, AccountOrg] = {}
    for f in b.of(OrgMembershipFact):
        assert isinstance(f, OrgMembershipFact)
        nodes = (*f.parents, f.account)
        scp: dict[str, list[Policy]] = {n: [] for n in nodes}
        rcp: dict[str, list[Policy]] = {n: [] for n in nodes}
        for pid, fact in policies.items():
            chosen = scp if fact.policy_type.upper().startswith("SERVICE") else rcp
            for target in targets.get(pid, ()):
                if target in chosen:
                    chosen[target].append(fact.policy)
        scp_levels: tuple[OrgLevel, ...] = ()
        if any(scp.values()):
            scp_levels = tuple(OrgLevel(n, tuple(scp[n]) or (_missing_level(n),)) for n in nodes)
        rcp_levels: tuple[OrgLevel, ...] = ()
        if any(rcp.values()):
            full = _full_access(PolicyKind.RCP, "RCPFullAWSAccess")
            rcp_levels = tuple(OrgLevel(n, (full, *rcp[n])) for n in nodes)
        out[f.account] = AccountOrg(org_id=f.org_id, management=f.account == f.management_account,
                                    scp_levels=scp_levels, rcp_levels=rcp_levels,
                                    org_paths=("/".join((f.org_id, *f.parents)) + "/",))
    return out


def _full_access(kind: PolicyKind, name: str) -> Policy:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                    **({"Principal": "*"} if kind is PolicyKind.RCP else {})}]}
    return parse_policy(doc, kind, origin=name, validate=False)


def _missing_level(node: str) -> Policy:
    """The SCPs of a level the organization dumps attach nothing to: AWS keeps at least one SCP on
    every root, OU and account while SCPs are enabled, so the dumps are incomplete there."""
    return Policy(kind=PolicyKind.SCP, origin=f"SCPs of {node}",
                  unknown=f"no SCP attached to {node} is in the dumps (AWS requires one on every level)")

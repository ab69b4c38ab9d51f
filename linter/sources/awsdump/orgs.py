"""AWS Organizations dumps: the organization, its SCPs and RCPs with their documents and targets, and
where each account sits (root, OUs). What could not be read is reported in :class:`OrgState` so that
the diagnosis can make those layers unknown for the accounts of the request."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, OrgMembershipFact, OrgPolicyFact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.awsdump.catalogue import command_line, dump_name
from why403.sources.awsdump.context import Reader, is_account

POLICY_TYPES = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


@dataclass
class OrgState:
    """What the dumps say about AWS Organizations.

    ``in_org``: True (describe-organization answered), False (AWSOrganizationsNotInUseException),
    None (not collected or not readable: ``why`` says which and how to collect it).
    ``listed``: per policy type, whether list-policies was read (else ``why_type`` says why not).
    """

    in_org: bool | None = None
    org_id: str | None = None
    management_account: str | None = None
    why: str = ""
    listed: dict[str, bool] = field(default_factory=dict)
    why_type: dict[str, str] = field(default_factory=dict)
    placed: set[str] = field(default_factory=set)


def read_organizations(reader: Reader) -> OrgState:
    state = OrgState()
    _organization(reader, state)
    if state.in_org is False:
        return state
    parents = _parents(reader)
    chains = _chains(parents)
    org_id = state.org_id or symbols.unknown("the organization id")
    for account, chain in chains.items():
        dump = reader.folder.get("organizations", "list-parents", account)
        reader.facts.append(OrgMembershipFact(ref=f"account {account}", location=dump.location() if dump else
                                              Location(str(reader.folder.root)), account=account, org_id=org_id,
                                              parents=chain, management_account=state.management_account))
        state.placed.add(account)
    for filter_name, kind in POLICY_TYPES.items():
        _policies(reader, state, filter_name, kind, chains)
    return state


def _organization(reader: Reader, state: OrgState) -> None:
    name = dump_name("organizations", "describe-organization")
    dump = reader.folder.get("organizations", "describe-organization")
    located = reader.load(dump) if dump is not None else None
    if dump is not None and located is not None:
        org = reader.field(dump, located, located.value, "Organization", dict, "the organization") or {}
        state.in_org = True
        state.org_id = org.get("Id") if isinstance(org.get("Id"), str) else None
        master = org.get("MasterAccountId")
        state.management_account = master if isinstance(master, str) and is_account(master) else None
        return
    status = reader.state(name)
    if status is not None and status.state == "absent":
        state.in_org = False
        return
    why = f"{name.file}: {status.detail}" if status is not None else f"{name.file} was not collected"
    state.why = f"{why} (collect: {command_line(name)})"


def _parents(reader: Reader) -> dict[str, str]:
    out: dict[str, str] = {}
    for dump in reader.folder.of_kind("organizations", "list-parents"):
        located = reader.load(dump)
        if located is None or dump.name.resource is None:
            continue
        items = reader.field(dump, located, located.value, "Parents", list, "the parents") or []
        first = items[0] if items and isinstance(items[0], dict) else {}
        parent = first.get("Id")
        if isinstance(parent, str):
            out[dump.name.resource] = parent
    return out


def _chains(parents: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """For every account whose parents reach a root: the nodes from the root down to its OU."""
    out: dict[str, tuple[str, ...]] = {}
    for child in parents:
        if not is_account(child):
            continue
        chain: list[str] = []
        node: str | None = parents.get(child)
        while node is not None and node not in chain and len(chain) < 10:
            chain.append(node)
            if node.startswith("r-"):
                out[child] = tuple(reversed(chain))
                break
            node = parents.get(node)
    return out


def _policies(reader: Reader, state: OrgState, filter_name: str, kind: PolicyKind,
              chains: dict[str, tuple[str, ...]]) -> None:
    name = dump_name("organizations", "list-policies", filter_name)
    dump = reader.folder.get("organizations", "list-policies", filter_name)
    located = reader.load(dump) if dump is not None else None
    if dump is None or located is None:
        status = reader.state(name)
        if status is not None and status.state == "absent":
            state.listed[filter_name] = True  # the policy type is not enabled: none apply
            return
        why = f"{name.file}: {status.detail}" if status is not None else f"{name.file} was not collected"
        state.listed[filter_name] = False
        state.why_type[filter_name] = f"{why} (collect: {command_line(name)})"
        return
    state.listed[filter_name] = True
    everywhere = tuple(chains)
    for item in reader.field(dump, located, located.value, "Policies", list, "the policies") or ():
        if isinstance(item, dict) and isinstance(item.get("Id"), str):
            _policy(reader, item, kind, everywhere)


def _policy(reader: Reader, item: dict[str, Any], kind: PolicyKind, everywhere: tuple[str, ...]) -> None:
    pid = item["Id"]
    label = str(item.get("Name") or pid)
    origin = f"{'SCP' if kind is PolicyKind.SCP else 'RCP'} {label} ({pid})"
    described = reader.folder.get("organizations", "describe-policy", pid)
    dname = dump_name("organizations", "describe-policy", pid)
    policy: Policy | None = None
    location = Location(str(reader.folder.root), 1)
    if described is not None:
        located = reader.load(described)
        location = described.location()
        if located is not None:
            body = reader.field(described, located, located.value, "Policy", dict, "the policy") or {}
            policy = reader.policy(body.get("Content"), kind, origin, described, located, body, "Content")
            location = policy.location or location
    if policy is None:
        status = reader.state(dname)
        why = f"{dname.file}: {status.detail}" if status is not None else f"{dname.file} was not collected"
        policy = Policy(kind=kind, origin=origin, unknown=f"{why} (collect: {command_line(dname)})")
    policy = replace(policy, arn=item.get("Arn") if isinstance(item.get("Arn"), str) else None)
    targets = _targets(reader, pid)
    if targets is None:
        # Where it is attached is not known: it may or may not apply above each of these accounts.
        targets = everywhere
        policy = policy.with_maybe(f"where {pid} is attached is not in the dumps")
        reader.diagnostics.append(_note(reader, pid))
    reader.facts.append(OrgPolicyFact(ref=origin, location=location, policy_id=pid,
                                      policy_type="SERVICE_CONTROL_POLICY" if kind is PolicyKind.SCP
                                      else "RESOURCE_CONTROL_POLICY", policy=policy, targets=targets))


def _targets(reader: Reader, pid: str) -> tuple[str, ...] | None:
    dump = reader.folder.get("organizations", "list-targets-for-policy", pid)
    located = reader.load(dump) if dump is not None else None
    if dump is None or located is None:
        return None
    out = []
    for item in reader.field(dump, located, located.value, "Targets", list, "the targets") or ():
        if isinstance(item, dict) and isinstance(item.get("TargetId"), str):
            out.append(item["TargetId"])
    return tuple(out)


def _note(reader: Reader, pid: str) -> Diagnostic:
    name = dump_name("organizations", "list-targets-for-policy", pid)
    return Diagnostic("note", f"where {pid} is attached is not in the dumps, so it may or may not apply to each "
                      f"account (collect: {command_line(name)})", Location(str(reader.folder.root / name.file)),
                      code="dump")

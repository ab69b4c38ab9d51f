"""Deployment units, and the evidence that links them.

A repository is rarely one deployment. Its Terraform root modules, CloudFormation templates, CDK
stacks and plans are each applied on their own, often to different accounts: a dev and a prod root
may both create a bucket named ``reports``, and an SCP written in ``org/`` governs only the accounts
it is attached to. So each *unit* is simulated in a world of its own, and another unit's resources
join that world only when the sources say that the two work together:

- the unit names a bucket, role, user, group, managed policy, access point or key alias (by name
  or ARN, literally) that exactly one other unit creates and it does not create itself;
- a value made by another unit flows into it (a generated name imported with ``Fn::ImportValue``:
  the value's token still names the unit that made it);
- it uses a handle the other provides: an ``Fn::ImportValue`` of the other's ``Export``, a
  ``terraform_remote_state`` reading the other's backend state;
- the configuration's ``units`` section says so: units it gives the same account are linked to
  each other, and an organization policy applies to a unit whose account (or an OU or root above
  it) the policy is attached to, literally in the sources or by the section's ``parents``.

Links are followed transitively (a bucket's key in a third unit is part of the access), but a unit
that creates a name the world already has is left out: two definitions of one bucket cannot both
be deployed, so they are alternatives (environments), not parts of one deployment.

In a unit's world only the unit's own intents are simulated, and only the findings located in the
unit's own files are its findings: each access is simulated once, in the unit that grants it, and
each finding names the unit it belongs to.
"""

from __future__ import annotations

import fnmatch
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from why403.model import symbols
from why403.model.facts import (
    AccountFact,
    Fact,
    OrgAttachmentFact,
    OrgPolicyFact,
    SourceResult,
)
from why403.model.finding import Finding
from why403.model.location import Location
from why403.model.settings import Settings, UnitDeclaration
from why403.world.unit_names import Name, defined_name, literal_account, names_in, walk

if TYPE_CHECKING:
    from why403.world.analysis import Analysis
    from why403.world.intents import AccessIntent
    from why403.world.model import World


@dataclass(frozen=True)
class Link:
    """Why one unit's world includes another unit."""

    unit: str
    evidence: str


@dataclass
class Unit:
    """One deployment unit: the inputs read for it, and what the sources say about it."""

    id: str
    results: list[SourceResult] = field(default_factory=list)
    defines: set[Name] = field(default_factory=set)
    references: set[Name] = field(default_factory=set)
    scopes_used: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)  # literal accounts the unit deploys into
    declaration: UnitDeclaration | None = None
    links: list[Link] = field(default_factory=list)
    org_targets: set[str] = field(default_factory=set)  # accounts, OUs, roots its org policies attach to

    located: set[str] = field(default_factory=set)  # files the unit's facts are located in

    @property
    def files(self) -> frozenset[str]:
        """The unit's files: those read for it, and those its facts point into (a policy document
        read with ``file()`` or ``templatefile()``)."""
        return frozenset({os.path.normpath(f) for r in self.results for f in r.files} | self.located)

    @property
    def resources(self) -> int:
        return sum(r.resources for r in self.results)

    @property
    def scopes(self) -> set[str]:
        return {r.scope for r in self.results if r.scope}

    @property
    def provides(self) -> set[str]:
        return {h for r in self.results for h in r.provides}

    @property
    def needs(self) -> set[str]:
        return {h for r in self.results for h in r.needs}

    def facts(self) -> Iterator[Fact]:
        for r in self.results:
            yield from r.facts


@dataclass(frozen=True)
class UnitWorld:
    """What one unit's world is built from: its own inputs and those of the units linked to it."""

    unit: Unit
    members: tuple[Unit, ...]  # the unit first
    results: tuple[SourceResult, ...]
    settings: Settings


def group_units(results: Iterable[SourceResult], settings: Settings) -> list[Unit]:
    """The units of a run, in the order their inputs were read. Inputs with no unit (files that
    are not templates, a parameter file's problems) make one unit of their own, named ``""``."""
    units: dict[str, Unit] = {}
    for result in results:
        units.setdefault(result.unit, Unit(result.unit)).results.append(result)
    for unit in units.values():
        _describe(unit)
        unit.declaration = declared(unit.id, settings.units) if unit.id else None
        if unit.declaration is not None and unit.declaration.account:
            unit.accounts.add(unit.declaration.account)
    org = settings.organization
    _link(list(units.values()), frozenset(org.accounts) if org is not None else frozenset())
    return list(units.values())


def declared(unit_id: str, declarations: Sequence[UnitDeclaration]) -> UnitDeclaration | None:
    """The first ``units`` entry of the configuration whose paths name this unit: its path, a glob
    matching it, or a folder above it (paths are absolute once the configuration is loaded)."""
    path = os.path.abspath(unit_id)
    for entry in declarations:
        for pattern in entry.paths:
            pattern = pattern.rstrip("/") or "/"
            if fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + os.sep) \
                    or fnmatch.fnmatchcase(path, pattern + "/*"):
                return entry
    return None


def worlds(units: Sequence[Unit], settings: Settings) -> list[UnitWorld]:
    """The inputs of each unit's world (see the module docstring), with the unit's settings."""
    by_id = {u.id: u for u in units}
    out = []
    for unit in units:
        members = [unit]
        seen = {unit.id}
        names = set(unit.defines)
        queue = deque(link.unit for link in unit.links)
        while queue:
            other = by_id.get(queue.popleft())
            if other is None or other.id in seen:
                continue
            seen.add(other.id)
            if other.defines & names:
                continue  # an alternative to what the world already has (another environment)
            members.append(other)
            names |= other.defines
            queue.extend(link.unit for link in other.links)
        results = list(unit.results)
        for other in members[1:]:
            results.extend(_as_seen_from(unit, r) for r in other.results)
        unit_settings = settings
        if unit.declaration is not None and unit.declaration.account:
            unit_settings = replace(settings, account_id=unit.declaration.account)
        out.append(UnitWorld(unit, tuple(members), tuple(results), unit_settings))
    return out


# -- what a unit creates and names ----------------------------------------------------------------


def _describe(unit: Unit) -> None:
    for fact in unit.facts():
        strings: list[tuple[str, str]] = []
        locations: list[Location] = []
        walk(fact, "", strings, locations)
        unit.located.update(os.path.normpath(loc.file) for loc in locations if loc.file)
        if isinstance(fact, OrgPolicyFact):
            unit.org_targets.update(fact.targets)
        elif isinstance(fact, OrgAttachmentFact):
            unit.org_targets.add(fact.target)
        defined = defined_name(fact)
        if defined is not None:
            unit.defines.add(defined)
        if isinstance(fact, AccountFact) and literal_account(fact.account):
            unit.accounts.add(fact.account)
        for field_name, value in strings:
            unit.references.update(names_in(field_name, value))
            if symbols.OPEN in value:
                unit.scopes_used.update(symbols.token_scopes(value))
    unit.references -= unit.defines


# -- links ---------------------------------------------------------------------------------------


def _link(units: list[Unit], members: frozenset[str]) -> None:
    """Each unit's links. Every kind of evidence is indexed once (the units that create a name,
    provide a handle, make a scope, are given an account, sit under an organization target), and
    each unit then looks up what it names: the cost grows with the facts, not units x units."""
    definers: dict[Name, list[Unit]] = defaultdict(list)
    by_scope: dict[str, Unit] = {}
    providers: dict[str, list[Unit]] = defaultdict(list)
    by_account: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        for defined in unit.defines:
            definers[defined].append(unit)
        for scope in unit.scopes:
            by_scope[scope] = unit
        for handle in unit.provides:
            providers[handle].append(unit)
        if unit.declaration is not None and unit.declaration.account:
            by_account[unit.declaration.account].append(unit)
    governors = _governors(units, members)
    for unit in units:
        found: dict[str, str] = {}
        for kind, name in sorted(unit.references):
            owners = definers.get((kind, name), [])
            if len(owners) == 1 and owners[0] is not unit:
                found.setdefault(owners[0].id, f"it names the {kind} {name}, which {_show(owners[0])} creates")
        for scope in sorted(unit.scopes_used - unit.scopes):
            owner = by_scope.get(scope)
            if owner is not None and owner is not unit:
                found.setdefault(owner.id, f"a value {_show(owner)} makes flows into it")
        for handle in sorted(unit.needs):
            owners = providers.get(handle, [])
            if len(owners) == 1 and owners[0] is not unit:
                found.setdefault(owners[0].id, f"it reads {_handle(handle)} of {_show(owners[0])}")
        if unit.declaration is not None and unit.declaration.account:
            for other in by_account[unit.declaration.account]:
                if other is not unit:
                    found.setdefault(other.id, f"the configuration gives both the account {unit.declaration.account}")
        for other in governors.get(id(unit), ()):
            found.setdefault(other.id, f"{_show(other)} attaches organization policies to its account")
        unit.links = [Link(unit_id, evidence) for unit_id, evidence in found.items()]


def _governors(units: Sequence[Unit], members: frozenset[str]) -> dict[int, list[Unit]]:
    """id(unit) -> the other units with an organization policy attached to its account, to an OU
    or root the configuration puts above it, or to the root of the organization the configuration
    says its account is a member of; in the order of ``units``."""
    under: dict[str, list[Unit]] = defaultdict(list)  # target -> the units it governs
    in_organization: list[Unit] = []
    for unit in units:
        above = set(unit.accounts)
        if unit.declaration is not None:
            above.update(unit.declaration.parents)
        for target in above:
            under[target].append(unit)
        if unit.accounts & members:
            in_organization.append(unit)
    out: dict[int, list[Unit]] = defaultdict(list)
    for org in units:
        governed: dict[int, Unit] = {}
        for target in sorted(org.org_targets):
            for unit in (*under.get(target, ()), *(in_organization if target.startswith("r-") else ())):
                if unit is not org:
                    governed[id(unit)] = unit
        for key in governed:
            out[key].append(org)
    return out


def _as_seen_from(unit: Unit, result: SourceResult) -> SourceResult:
    """Another unit's input as it joins ``unit``'s world: its organization policies attached to an
    OU or root the configuration puts ``unit``'s account under are attached to that account (the
    world knows accounts, not OUs)."""
    if unit.declaration is None or not unit.declaration.account or not unit.declaration.parents:
        return result
    account = unit.declaration.account
    above = set(unit.declaration.parents)
    if not any(isinstance(f, OrgPolicyFact | OrgAttachmentFact) for f in result.facts):
        return result
    facts: list[Fact] = []
    for fact in result.facts:
        if isinstance(fact, OrgPolicyFact) and above & set(fact.targets):
            fact = replace(fact, targets=tuple(dict.fromkeys(account if t in above else t for t in fact.targets)))
        elif isinstance(fact, OrgAttachmentFact) and fact.target in above:
            fact = replace(fact, target=account)
        facts.append(fact)
    return replace(result, facts=tuple(facts))


def _show(unit: Unit) -> str:
    return unit.id or "an input"


def _handle(handle: str) -> str:
    kind, _, rest = handle.partition(":")
    return {"export": f"the export {rest}", "state": f"the Terraform state {rest}"}.get(kind, handle)


def describe_links(units: Sequence[Unit]) -> Mapping[str, tuple[Link, ...]]:
    """unit id -> its links, for reports and ``-v``."""
    return {u.id: tuple(u.links) for u in units}


# -- one unit's simulation ----------------------------------------------------------------------


def analyse(unit_world: UnitWorld) -> Analysis:
    """The unit's world built and its own intents simulated (those whose grant is written in the
    unit's files: another unit's grants are simulated in that unit's world)."""
    from why403.world.accesses import Simulator
    from why403.world.analysis import Analysis
    from why403.world.build import build_world
    from why403.world.intents import enumerate_intents

    world = build_world(unit_world.results, unit_world.settings)
    files = unit_world.unit.files
    with symbols.home_may_be_literal(world.home_uncertain):
        sim = Simulator(world)
        intents = [i for i in enumerate_intents(world) if _owned(i, world, files)]
        return Analysis(world, sim, intents, sim.run(intents))


def access_keys(analysis: Analysis) -> frozenset[tuple[str | None, str]]:
    """(principal, resource) of each access simulated in a unit's world, as findings name them."""
    return frozenset((i.principal.ref, symbols.render(i.resource)) for i in analysis.intents)


def belongs(finding: Finding, files: frozenset[str], accesses: frozenset[tuple[str | None, str]]) -> bool:
    """Whether a finding a rule made in a unit's world is the unit's: one located in its files, or
    a denial of one of its own ``accesses`` (:func:`access_keys`), located at the statement that
    decides, which may be in a linked unit (the key policy of another stack's key)."""
    if owns(files, finding.location):
        return True
    access = finding.access
    return finding.kind == "denied" and access is not None and (access.principal_ref, access.resource) in accesses


def owns(files: frozenset[str], location: Location | None) -> bool:
    """Whether a finding at ``location`` belongs to the unit of ``files`` (one without a location
    belongs to every unit whose world made it)."""
    return location is None or not location.file or os.path.normpath(location.file) in files


def _owned(intent: AccessIntent, world: World, files: frozenset[str]) -> bool:
    for where in (intent.statement.location if intent.statement is not None else None,
                  intent.policy.location if intent.policy is not None else None,
                  intent.principal.location,
                  world.buckets[intent.bucket].location if intent.bucket in world.buckets else None):
        if where is not None and where.file:
            return owns(files, where)
    return True

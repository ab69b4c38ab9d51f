"""The facts of every input, indexed by kind, and the world being linked from them.

Each linking stage (:mod:`why403.world.link_orgs`, ``link_storage``, ``link_iam``,
``link_network``) reads facts of some kinds and adds to the one :class:`World`;
:func:`why403.world.build.build_world` runs them in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TypeVar

from why403.model.facts import BucketFact, Diagnostic, Fact, OrgMembershipFact, SourceResult
from why403.model.settings import Settings
from why403.simulate.state import Environment
from why403.world.model import PrincipalInfo, World

F = TypeVar("F", bound=Fact)


class Linker:
    def __init__(self, results: Sequence[SourceResult], settings: Settings) -> None:
        self.settings = settings
        self.facts: dict[type, list[Fact]] = defaultdict(list)
        self.diagnostics: list[Diagnostic] = []
        self.resources = 0
        # Buckets of inputs that why403 could not read whole: their policy may be set there.
        self.unread_by_ref: dict[str, tuple[str, ...]] = {}
        for result in results:
            self.resources += result.resources
            self.diagnostics.extend(result.diagnostics)
            for fact in result.facts:
                self.facts[type(fact)].append(fact)
                if result.unread and isinstance(fact, BucketFact):
                    self.unread_by_ref[fact.ref] = result.unread
        self.world = World(settings=settings, env=Environment(), diagnostics=self.diagnostics,
                           resources=self.resources)

    def of(self, cls: type[Fact]) -> list[Fact]:
        """The facts of one kind, in the order the inputs gave them."""
        return self.facts.get(cls, [])

    def by(self, cls: type[F], *attrs: str) -> dict[str, F]:
        """The facts of one kind by the value of each of ``attrs`` (a later fact of the same value
        replaces an earlier one, as a later write does in AWS)."""
        out: dict[str, F] = {}
        for fact in self.facts.get(cls, ()):
            for attr in attrs:
                out[getattr(fact, attr)] = fact  # type: ignore[assignment]
        return out

    def facts_all(self) -> Iterable[Fact]:
        for facts in self.facts.values():
            yield from facts

    def org_of(self, account: str) -> tuple[str | None, bool]:
        """(organization id, whether that is known) for principals of ``account``."""
        for f in self.of(OrgMembershipFact):
            assert isinstance(f, OrgMembershipFact)
            if f.account == account:
                return f.org_id, True
        org = self.settings.organization
        if org is not None:
            if account in org.accounts or account == org.management_account:
                return org.id, True
            if org.accounts:
                return None, True  # the config lists the members; this account is not one
        return None, False

    def ref(self, ref: str, target: str) -> None:
        """Name ``target`` by its source address. The unit's own facts are linked first, so when a
        linked unit declares the same address (two stacks' ``ExporterRole``) the unit's own wins."""
        self.world.refs.setdefault(ref, target)

    def add_principal(self, info: PrincipalInfo) -> None:
        self.world.principals[info.arn] = info
        self.ref(info.ref, info.arn)

"""What a run read, grouped into deployment units, each world built and simulated when asked for.

``check``, ``explain`` and ``diagnose`` all start from :func:`analyze`. With ``--baseline REF`` the
same paths are read at that revision too, so that each unit can be compared with itself there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from why403.model.facts import SourceResult
from why403.model.finding import InputError
from why403.model.settings import Settings
from why403.model.symbols import home_may_be_literal, render
from why403.model.tally import Tally
from why403.pipeline.inputs import confined, read_inputs

if TYPE_CHECKING:
    from why403.pipeline import CheckRequest
    from why403.world.analysis import Analysis
    from why403.world.units import Unit, UnitWorld


def tree_path(path: str) -> str:
    """A path as one absolute name: its directory resolved (a file that is itself a link keeps its name)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


@dataclass
class UnitAnalysis:
    """One deployment unit and its simulated world (see :mod:`why403.world.units`)."""

    unit: Unit
    analysis: Analysis


@dataclass
class Analyzed:
    """What a run read, grouped into deployment units, each with the inputs of its world.

    A unit's world is built and simulated only when asked for (:meth:`each`, :meth:`simulate`),
    and nothing here keeps it: ``check`` holds one unit's world at a time, so its memory does not
    grow with the number of units, only with the sources read.
    """

    worlds: list[UnitWorld]
    results: list[SourceResult]
    errors: list[InputError]
    read: frozenset[str] = frozenset()
    settings: Settings = field(default_factory=Settings)
    baseline: Before | None = None  # the same paths at ``--baseline REF``
    tally: Tally = field(default_factory=Tally)  # counts units simulated, for the progress line

    @property
    def units(self) -> list[Unit]:
        return [w.unit for w in self.worlds]

    def each(self) -> Iterator[UnitAnalysis]:
        """Each unit with its world, built when the caller comes to it; the caller drops it."""
        for unit_world in self.worlds:
            analysis = self.simulate(unit_world)
            self.tally.units += 1
            yield UnitAnalysis(unit_world.unit, analysis)

    def simulate(self, unit_world: UnitWorld) -> Analysis:
        """One unit's world built and its own intents simulated; with a baseline, the same unit's
        world at REF (an empty world for a unit the change adds) as its ``baseline``."""
        from why403.world import units as deployment

        analysis = deployment.analyse(unit_world)
        if self.baseline is not None:
            before = self.baseline.worlds.get(tree_path(unit_world.unit.id)) if unit_world.unit.id else None
            analysis.baseline = self.baseline.analyzed.simulate(before) if before is not None \
                else _empty(self.settings)
            analysis.baseline_to_tree = self.baseline.to_tree
        return analysis

    @cached_property
    def analysis(self) -> Analysis:
        """One world of everything read, for the callers that want a single one (``diagnose``'s
        drift check, ``explain`` of a principal no unit declares): the unit's own when there is
        one unit, else every input merged as if deployed together."""
        if len(self.worlds) == 1:
            return self.simulate(self.worlds[0])
        from why403.world.analysis import Analysis
        from why403.world.build import build_world

        world = build_world(self.results, self.settings)
        with home_may_be_literal(world.home_uncertain):
            return Analysis.of(world)


@dataclass(frozen=True)
class Before:
    """The run's paths read at ``--baseline REF`` (not yet simulated), and how a file of that
    revision's copy is named in the work tree."""

    analyzed: Analyzed
    to_tree: Callable[[str], str]

    @cached_property
    def worlds(self) -> dict[str, UnitWorld]:
        """Each unit at REF, by the absolute path it has in the work tree."""
        return {tree_path(self.to_tree(w.unit.id)): w for w in self.analyzed.worlds if w.unit.id}


def analyze(request: CheckRequest) -> Analyzed:
    """Read every input and group it into deployment units, each with the inputs of its world: its
    own and those the sources link to it (:mod:`why403.world.units`). Shared by ``check``,
    ``explain`` and ``diagnose``; the worlds are simulated by :meth:`Analyzed.each`.

    With ``settings.baseline`` the same paths are also read at that git revision, and each unit's
    world there becomes its ``analysis.baseline`` (an empty world for a unit the change adds).
    """
    from why403.world import units as deployment

    with confined(request) as confinement:
        results, errors = read_inputs(request)
    for result in results:
        for diag in result.diagnostics:
            if diag.severity == "error":
                errors.append(InputError(diag.location.file, diag.location.line or None, render(diag.message)))
    grouped = deployment.group_units(results, request.settings)
    analyzed = Analyzed(deployment.worlds(grouped, request.settings), results, errors, frozenset(confinement.read),
                        request.settings, tally=request.tally or Tally())
    analyzed.tally.units_total = len(grouped)
    if request.settings.baseline:
        read = {*confinement.read, *(f for r in results for f in r.files)}
        analyzed.baseline = _baseline(request, sorted(read))
    return analyzed


def _empty(settings: Settings) -> Analysis:
    """The world of a unit that does not exist yet (added by the change under ``--baseline``)."""
    from why403.world.analysis import Analysis
    from why403.world.build import build_world

    return Analysis.of(build_world([], settings))


def _baseline(request: CheckRequest, read: list[str]) -> Before:
    """The same paths read at ``settings.baseline`` (not yet simulated), and how a file of that
    revision's copy is named in the work tree. Only the files of the paths are read from the revision, with
    the directories of the files the run ``read`` beside them (child modules, ``file()`` targets,
    variable files elsewhere in the repository); reads of the revision are confined to its copy."""
    from dataclasses import replace

    from why403.sources import gitref, gitrepo

    assert request.settings.baseline is not None
    at = request.baseline or gitrepo.revision(request.settings.baseline,
                                             Path(request.paths[0]) if request.paths else Path.cwd())
    with gitref.checkout(at, request.paths, read) as export:
        # The progress line counts the units of the work tree only (those each() simulates).
        old = replace(request, paths=export.paths, settings=replace(request.settings, baseline=None),
                      roots=(str(export.root),), tally=None, baseline=None)
        return Before(analyze(old), export.in_tree)

"""The ``check`` pipeline: paths -> sources -> world -> simulation -> rules -> findings.

The CLI, the pre-commit hook, the CI gate and the cfn-lint plugin all call :func:`run_check`;
reports and suppressions are applied to its result by the caller. Its three jobs live apart:
reading the inputs (:mod:`.inputs`), grouping them into deployment units and simulating each
(:mod:`.analyzed`), and here, the request, the run cache and running the rules over each unit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from why403.model.facts import SourceOptions, SuppressionFact
from why403.model.finding import Finding, RunResult, Stats
from why403.model.settings import Settings
from why403.model.symbols import home_may_be_literal
from why403.model.tally import Tally
from why403.pipeline.analyzed import Analyzed, Before, UnitAnalysis, analyze, tree_path
from why403.pipeline.inputs import confined

if TYPE_CHECKING:
    from why403.sources.gitrepo import Revision
    from why403.world.analysis import Analysis

__all__ = ["Analyzed", "Before", "CheckOutcome", "CheckRequest", "UnitAnalysis", "analyze", "confined", "run_check"]


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[str, ...]
    source_options: SourceOptions = field(default_factory=SourceOptions)
    settings: Settings = field(default_factory=Settings)
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty = all
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # glob patterns of paths not to read
    jobs: int | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    progress: bool = False  # report progress on stderr (only when it is a terminal)
    tally: Tally | None = field(default=None, compare=False, repr=False)  # counts for the progress line
    # Where reads are confined (empty: the roots of ``paths``, see why403.sources.confine). The
    # var and parameter files of ``source_options`` are readable wherever they are: the command
    # line names them, and the CLI refuses a configuration's that lead out of the tree.
    roots: tuple[str, ...] = ()
    # ``settings.baseline`` resolved to its commit: the CLI resolves it once, with the configuration's
    # revision when that is the same name; left None, :func:`analyze` resolves it.
    baseline: Revision | None = None


@dataclass(frozen=True)
class CheckOutcome:
    result: RunResult
    suppressions: tuple[SuppressionFact, ...] = ()
    read: frozenset[str] = frozenset()  # every file the run read (resolved paths)
    warnings: tuple[str, ...] = ()  # for the user, about the run rather than the sources


def run_check(request: CheckRequest) -> CheckOutcome:
    """Read every input, build one world, simulate every intent, run the selected rules.

    An unchanged re-run (same files, same request, same why403) is answered from the run cache.
    """
    from dataclasses import replace

    from why403 import runcache

    started = time.perf_counter()
    cache = run_key = None
    warnings: tuple[str, ...] = ()
    if request.use_cache:
        from why403.sources import confine
        from why403.sources.parsecache import default_cache_dir, directory_problem

        directory = Path(request.cache_dir) if request.cache_dir else default_cache_dir()
        roots = tuple(Path(r) for r in request.roots) or confine.roots_for(request.paths)
        problem = directory_problem(directory, roots)
        if problem is not None:
            warnings = (f"not using the cache directory {directory}: {problem}",)
            request = replace(request, use_cache=False)
    if request.use_cache:
        cache = runcache.RunCache(directory)
        with confined(request):
            run_key = runcache.key(request)
        hit = cache.get(run_key) if run_key else None
        if hit is not None:
            cached, suppressions = hit
            stats = replace(cached.stats, seconds=round(time.perf_counter() - started, 3))
            return CheckOutcome(result=replace(cached, stats=stats), suppressions=suppressions)
    outcome = _run_check(request, started)
    if warnings:
        outcome = replace(outcome, warnings=warnings)
    if cache is not None and run_key is not None:
        with confined(request):
            elsewhere = runcache.elsewhere(outcome.read, request.paths)
        cache.put(run_key, outcome.result, outcome.suppressions, elsewhere)
    return outcome


def _run_check(request: CheckRequest, started: float) -> CheckOutcome:
    from why403.world.units import access_keys, belongs

    analyzed = analyze(request)
    results, errors = analyzed.results, analyzed.errors
    findings: list[Finding] = []
    simulated = 0
    for unit in analyzed.each():  # one unit's world at a time: only its findings are kept
        analysis, files, name = unit.analysis, unit.unit.files, unit.unit.id or None
        accesses = access_keys(analysis)
        simulated += analysis.accesses_simulated
        with home_may_be_literal(analysis.world.home_uncertain):
            findings.extend(replace(f, unit=name) for f in _run_rules(request, analysis)
                            if belongs(f, files, accesses))
        del unit, analysis
    findings = _distinct(findings)
    findings.sort(key=Finding.sort_key)
    suppressions = tuple(f for r in results for f in r.facts if isinstance(f, SuppressionFact))
    all_files = tuple(sorted({f for r in results for f in r.files}))
    stats = Stats(files=len(all_files), resources=sum(r.resources for r in results),
                  accesses_simulated=simulated,
                  seconds=round(time.perf_counter() - started, 3),
                  skipped_files=len({f for r in results for f in r.skipped}),
                  unknown_resource_types=sum(len(r.unknown_types) for r in results),
                  module_calls_not_read=len({(c.file, c.line) for r in results for c in r.modules_not_read}),
                  units=sum(1 for u in analyzed.units if u.id))
    run = RunResult(findings=tuple(findings), errors=tuple(errors), stats=stats, files=all_files)
    return CheckOutcome(result=run, suppressions=suppressions, read=analyzed.read)


def _run_rules(request: CheckRequest, analysis: Analysis) -> list[Finding]:
    from why403.rules import all_rules, rule_selected

    selected = [rule for rule in all_rules() if rule_selected(rule.id, request.select, request.ignore)]
    findings: list[Finding] = []
    before: set[str] | None = None
    if analysis.baseline is not None:
        # Baseline mode reports only what the change adds: findings already present at REF are dropped.
        # New-access rules compare the two worlds themselves; the rules not selected report nothing.
        before = {_anchored(f, analysis.baseline_to_tree).fingerprint for rule in selected
                  if not rule.id.startswith("W403-N") for f in rule.check(analysis.baseline)}
    for rule in selected:
        for finding in rule.check(analysis):
            if before is None or finding.kind == "new-access" or _anchored(finding).fingerprint not in before:
                findings.append(finding)
    return findings


def _distinct(findings: list[Finding]) -> list[Finding]:
    """One finding per rule, place and message: two root modules calling the same child module report
    its defects at the same line once, not once per caller. Findings are for people: any value a rule
    quoted raw is rendered (``<this unit's account>``, ``<var.bucket>``)."""
    seen: set[tuple[str, str, int, str]] = set()
    out = []
    for f in findings:
        f = f.for_people()
        key = (f.rule, f.location.file if f.location else "", f.location.line if f.location else 0, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _anchored(finding: Finding, to_tree: Callable[[str], str] = str) -> Finding:
    """``finding`` with its file named by its absolute, resolved path in the work tree (``to_tree``
    first maps a file of the baseline's copy there), so that a finding at ``--baseline REF`` and the
    same finding now have the same fingerprint however the paths were given: ``.``, ``./``,
    ``infra/``, an absolute path, or a relative one from a subdirectory."""
    loc = finding.location
    if loc is None or not loc.file:
        return finding
    return replace(finding, location=replace(loc, file=tree_path(to_tree(loc.file))))

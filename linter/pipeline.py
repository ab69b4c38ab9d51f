"""The ``check`` pipeline: paths -> sources -> world -> simulation -> rules -> findings.

The CLI, the pre-commit hook, the CI gate and the cfn-lint plugin all call :func:`run_check`;
reports and suppressions are applied to its result by the caller.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from why403.model.facts import SourceOptions, SourceResult, SuppressionFact
from why403.model.finding import Finding, InputError, RunResult, Stats
from why403.model.settings import Settings
from why403.model.symbols import home_may_be_literal, render, scope_for, token_scope, token_scope_roots
from why403.model.tally import Tally

if TYPE_CHECKING:
    from why403.sources.cloudformation.cdk import CdkStack
    from why403.sources.confine import Confinement
    from why403.sources.gitref import Revision
    from why403.world.analysis import Analysis
    from why403.world.units import Unit, UnitWorld

_T = TypeVar("_T")


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


def _read_inputs(request: CheckRequest) -> tuple[list[SourceResult], list[InputError]]:
    """Every input of the run through its frontend; a frontend failure never hides the others."""
    with token_scope_roots(request.paths):
        return _read_inputs_scoped(request)


@contextmanager
def confined(request: CheckRequest) -> Iterator[Confinement]:
    """The run's reads confined to its roots (the tree under check is untrusted)."""
    from why403.sources import confine

    roots = tuple(Path(r) for r in request.roots) or confine.roots_for(request.paths)
    options = request.source_options
    with confine.confined(roots, (*options.tf_var_files, *options.cfn_parameter_files)) as confinement:
        yield confinement


def _read_inputs_scoped(request: CheckRequest) -> tuple[list[SourceResult], list[InputError]]:
    from why403.sources.discover import discover
    from why403.sources.parsekind import CFN
    from why403.sources.parsing import session_for, terraform_files

    inputs = discover(request.paths, request.exclude)
    results: list[SourceResult] = []
    errors: list[InputError] = [InputError(p, None, "no such file or directory") for p in inputs.missing]
    templates: list[Path] = []
    if inputs.template_candidates:
        from why403.sources import cloudformation

        templates = [p for p in inputs.template_candidates if _guarded_bool(partial(cloudformation.is_template, p))]
        chosen = set(templates)
        others = tuple(str(p) for p in inputs.template_candidates if p not in chosen)
        if others:
            results.append(SourceResult(skipped=others))  # YAML/JSON of other kinds: counted, not read
    # Parse what the frontends will read before they run: from the cache, and in worker processes.
    session = session_for(request.cache_dir, request.use_cache, request.jobs, request.tally)
    session.prefetch([*terraform_files(inputs.terraform_dirs), *((CFN, p) for p in templates)])
    if inputs.terraform_dirs or inputs.plans:
        from why403.sources import terraform
        from why403.sources.terraform import layout

        # Root modules only: a child module is read through the roots that call it, with their inputs.
        parse = layout.SharedParses(session.terraform)
        layouts = layout.layouts(inputs.terraform_dirs, parse)
        roots = layout.root_modules(layouts)
        parse.expect(layout.file_uses(roots, layouts))
        for directory in roots:
            with token_scope(str(directory)):
                result = _guarded(partial(terraform.load_module, directory, _options_for(request, directory), parse),
                                  str(directory), errors)
            if result is not None:
                own = layouts[directory].state
                reads = {s for d in layout.closure(directory, layouts) for s in layouts[d].reads_states}
                results.append(replace(result, unit=str(directory), scope=scope_for(str(directory)),
                                       provides=(layout.handle(own),) if own is not None else (),
                                       needs=tuple(sorted(layout.handle(s) for s in reads))))
        for plan in inputs.plans:
            with token_scope(str(plan)):
                result = _guarded(partial(terraform.load_plan, plan, _options_for(request, plan)), str(plan), errors)
            if result is not None:
                results.append(replace(result, unit=str(plan), scope=scope_for(str(plan))))
    if templates:
        from why403.sources import cloudformation
        from why403.sources.cloudformation import cdk

        stacks = _guarded(partial(cdk.stacks, templates), "cdk.out manifest", errors) or {}

        def options_for(template: Path) -> SourceOptions:
            stack = stacks.get(template)
            return _options_for(request, stack.template if stack else template, stack)

        loaded = _guarded(partial(cloudformation.load_templates, templates, request.source_options,
                                  session.cloudformation, options_for), ", ".join(map(str, templates[:3])), errors)
        for result in loaded or ():
            results.append(_template_unit(result, stacks) if result.files else result)
    session.finish()
    return results, errors


def _options_for(request: CheckRequest, unit: Path, stack: CdkStack | None = None) -> SourceOptions:
    """The source options of one unit: the account the configuration's ``units`` section gives it,
    or else the environment its CDK stack names, is its home account (what ``AWS::AccountId`` and
    ``aws_caller_identity`` stand for), unless the command line gives one for the whole run."""
    from why403.world.units import declared

    options = request.source_options
    found = declared(str(unit), request.settings.units) if request.settings.units else None
    if found is not None and found.account:
        return replace(options, account_id=found.account)
    if stack is not None and not options.account_id and (stack.account or stack.region):
        return replace(options, account_id=stack.account, region=options.region or stack.region)
    return options


def _template_unit(result: SourceResult, stacks: Mapping[Path, CdkStack]) -> SourceResult:
    """A template's result with its unit: itself, or the CDK stack it belongs to (a nested stack's
    template is deployed with its parent), and the stacks the CDK app says it depends on."""
    file = result.files[0]
    stack = stacks.get(Path(file))
    if stack is None:
        return replace(result, unit=file, scope=scope_for(file))
    own = stack.template == Path(file)
    return replace(result, unit=str(stack.template), scope=scope_for(file),
                   provides=(*result.provides, stack.handle) if own else result.provides,
                   needs=(*result.needs, *stack.depends_on) if own else result.needs)


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
    return replace(finding, location=replace(loc, file=_tree_path(to_tree(loc.file))))


def _tree_path(path: str) -> str:
    """A path as one absolute name: its directory resolved (a file that is itself a link keeps its name)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def _guarded(fn: Callable[[], _T], where: str, errors: list[InputError]) -> _T | None:
    """Run a frontend; an unexpected failure becomes an input error naming the input, not a traceback."""
    try:
        return fn()
    except RecursionError:
        errors.append(InputError(where, None, "the input is nested too deeply to be read"))
    except MemoryError:
        errors.append(InputError(where, None, "the input is too large to be read"))
    except Exception as exc:
        errors.append(InputError(where, None, f"internal error while reading it: {type(exc).__name__}: {exc}"))
    return None


def _guarded_bool(fn: Callable[[], bool]) -> bool:
    try:
        return fn()
    except Exception:
        return False


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
            before = self.baseline.worlds.get(_tree_path(unit_world.unit.id)) if unit_world.unit.id else None
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
        return {_tree_path(self.to_tree(w.unit.id)): w for w in self.analyzed.worlds if w.unit.id}


def analyze(request: CheckRequest) -> Analyzed:
    """Read every input and group it into deployment units, each with the inputs of its world: its
    own and those the sources link to it (:mod:`why403.world.units`). Shared by ``check``,
    ``explain`` and ``diagnose``; the worlds are simulated by :meth:`Analyzed.each`.

    With ``settings.baseline`` the same paths are also read at that git revision, and each unit's
    world there becomes its ``analysis.baseline`` (an empty world for a unit the change adds).
    """
    from why403.world import units as deployment

    with confined(request) as confinement:
        results, errors = _read_inputs(request)
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

    from why403.sources import gitref

    assert request.settings.baseline is not None
    at = request.baseline or gitref.revision(request.settings.baseline,
                                             Path(request.paths[0]) if request.paths else Path.cwd())
    with gitref.checkout(at, request.paths, read) as export:
        # The progress line counts the units of the work tree only (those each() simulates).
        old = replace(request, paths=export.paths, settings=replace(request.settings, baseline=None),
                      roots=(str(export.root),), tally=None, baseline=None)
        return Before(analyze(old), export.in_tree)


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
                  module_calls_not_read=len({(d.location.file, d.location.line) for r in results
                                             for d in r.diagnostics if d.code == "remote-module"}),
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

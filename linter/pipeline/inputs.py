"""Reading a run's inputs: every path through its frontend, each Terraform root, plan and
template (or CDK stack) as the result of one deployment unit, with the options that unit is read with.

The tree under check is untrusted: reads are :func:`confined` to the run's roots, and a frontend
that fails becomes an input error naming the input, never a traceback that hides the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from why403.model.facts import SourceOptions, SourceResult
from why403.model.finding import InputError
from why403.model.symbols import scope_for, token_scope, token_scope_roots

if TYPE_CHECKING:
    from why403.pipeline import CheckRequest
    from why403.sources.cloudformation.cdk import CdkStack
    from why403.sources.confine import Confinement

_T = TypeVar("_T")


def read_inputs(request: CheckRequest) -> tuple[list[SourceResult], list[InputError]]:
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

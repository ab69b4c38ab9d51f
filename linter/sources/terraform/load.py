"""``load_module``: a root module directory -> facts, diagnostics and the files read.

The order of work: read the root's files, collect the root variables' values (tfvars files, then
``--var-file``, then ``--var``, as Terraform orders them), instantiate the module tree, then run
each resource instance's handler under its own work budget, so that one hostile resource cannot
starve the rest. Suppression comments and the notes about missing inputs come last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from why403.model.facts import Fact, SourceOptions, SourceResult
from why403.model.location import Location
from why403.sources import confine
from why403.sources.terraform.bodies import Constants, evaluate_guarded
from why403.sources.terraform.config import Parse
from why403.sources.terraform.context import CycleError, LoadContext
from why403.sources.terraform.convert import EvalError
from why403.sources.terraform.evaluate import BACKSTOP_SECONDS, BudgetExceeded, Scope
from why403.sources.terraform.hclread import parse_expression
from why403.sources.terraform.jsonread import read_json_value
from why403.sources.terraform.modules import ModuleInstance
from why403.sources.terraform.providers import ProviderSlot, provider_facts
from why403.sources.terraform.reader import parse_file
from why403.sources.terraform.resources import HANDLERS, FactList
from why403.sources.terraform.suppressions import suppressions
from why403.sources.terraform.syntax import ObjectExpr, SyntaxProblem
from why403.sources.terraform.types import TypeSpec


def instantiate(directory: Path, options: SourceOptions, parse: Parse | None = None,
                extra_files: list[str] | None = None) -> tuple[LoadContext, ModuleInstance]:
    """The root module instance of ``directory``, ready to evaluate (facts not yet built)."""
    directory = Path(directory)
    ctx = LoadContext(directory, options, parse or parse_file)
    config = ctx.config(directory)
    for name, decl in config.variables.items():
        ctx.variable_decls[name] = Location(decl.file, decl.block.line)
    root_values = _root_values(ctx, directory, extra_files if extra_files is not None else [])
    root = ModuleInstance(ctx, config, prefix="", rel=".", key_path="", inputs=None, providers=None, maybe=None,
                          chain=(directory.resolve(),), root_values=root_values)
    return ctx, root


def load_module(directory: Path, options: SourceOptions, parse: Parse | None = None) -> SourceResult:
    """Read the root module in ``directory`` (its local and initialised child modules included)."""
    extra_files: list[str] = []
    deadline = time.monotonic() + BACKSTOP_SECONDS
    ctx, root = instantiate(directory, options, parse, extra_files)
    ctx.budget.deadline = deadline
    config = root.config
    facts: list[Fact] = []
    emitter = FactList(facts, ctx.note_missing)
    resources = 0
    try:
        modules = root.walk()
    except (BudgetExceeded, RecursionError, CycleError, EvalError) as exc:
        ctx.diag("error", f"the module tree could not be read: {exc or type(exc).__name__}", config.first_file, 0)
        modules = [root]
    except Exception as exc:  # a defect in why403 must not stop the run: report it, go on with the root
        ctx.diag("warning", f"why403 could not read the module tree ({type(exc).__name__}: {exc}); "
                 "please report it", config.first_file, 0, code="internal")
        modules = [root]
    stopped = False
    for module in modules:
        for (mode_type, name), decl in module.config.resources.items():
            coll = module.collection("managed", mode_type, name)
            if coll is None or stopped:
                continue
            why = ctx.start_task()
            if why is not None:
                _stopped(ctx, why, decl.file, decl.block.line)
                stopped = True
                continue
            try:
                instances = coll.instances()
            except (BudgetExceeded, RecursionError, CycleError, EvalError) as exc:
                ctx.diag("error", f"{coll.label}: {exc or type(exc).__name__}", decl.file, decl.block.line)
                continue
            except Exception as exc:  # a defect in why403: report it, go on with the other resources
                ctx.diag("warning", f"{coll.label}: why403 could not expand it ({type(exc).__name__}: {exc}); "
                         "please report it", decl.file, decl.block.line, code="internal")
                continue
            resources += len(instances)
            handler = HANDLERS.get(mode_type)
            if handler is None:
                continue
            for inst in instances:
                why = ctx.start_task()
                if why is not None:
                    _stopped(ctx, why, decl.file, decl.block.line)
                    stopped = True
                    break
                _guarded(ctx, partial(handler, inst, emitter), decl.file, decl.block.line, inst.ref)
    _provider_facts(ctx, modules, facts, config.first_file)
    files: list[str] = []
    for cfg in ctx.configs.values():
        for parsed in cfg.files:
            files.append(parsed.name)
            facts.extend(suppressions(parsed))
    files.extend(extra_files)
    notes = ctx.missing_notes()  # first: it says what depends on the module calls not read
    remote = ctx.remote_note()
    diagnostics = [*ctx.diagnostics, *notes, *([remote] if remote else [])]
    # Modules that are not read may configure the root's buckets (a policy module given a bucket id).
    calls = tuple(where for _, _, where in ctx.remote_calls.values())
    unread = tuple(f"the module called at {where}" for where in calls)
    return SourceResult(tuple(facts), tuple(diagnostics), tuple(files), resources, unread=unread,
                        modules_not_read=calls)


def _stopped(ctx: LoadContext, why: str, file: str, line: int) -> None:
    ctx.diag("error", f"evaluation stopped: {why}; later resources are not read", file, line, code="limit")


def _provider_task(slot: ProviderSlot, facts: list[Fact]) -> None:
    facts.extend(provider_facts(slot.get()))


def _provider_facts(ctx: LoadContext, modules: list[ModuleInstance], facts: list[Fact], file: str) -> None:
    """An account fact per provider configuration (and the implicit default one, when used)."""
    seen: set[int] = set()
    for module in modules:
        slots = list(module.declared_providers)
        implicit = module.providers.get("aws")
        if module.is_root and implicit is not None and implicit.decl is None and implicit.used:
            slots.insert(0, implicit)
        for slot in slots:
            if id(slot) in seen:
                continue
            seen.add(id(slot))
            ctx.start_task()
            _guarded(ctx, partial(_provider_task, slot, facts), file, 0)


def _guarded(ctx: LoadContext, task: Callable[[], None], file: str, line: int, ref: str = "") -> None:
    prefix = f"{ref}: " if ref else ""
    try:
        task()
    except BudgetExceeded as exc:
        ctx.diag("error", f"{prefix}{exc}", file, line, code="limit")
    except RecursionError:
        ctx.diag("error", f"{prefix}the configuration is nested too deeply to evaluate", file, line)
    except CycleError as exc:
        ctx.diag("error", f"{prefix}cycle through {' -> '.join(exc.path)}", file, line, code="cycle")
    except EvalError as exc:
        ctx.diag("warning", f"{prefix}{exc}", file, exc.line or line, code="evaluate")
    except Exception as exc:  # a defect in why403 must not stop the run: report it, go on
        ctx.diag("warning", f"{prefix}why403 could not read this ({type(exc).__name__}: {exc}); please report it",
                 file, line, code="internal")


# -- root variable values -----------------------------------------------------------------------


def _tfvars_files(directory: Path, options: SourceOptions) -> list[Path]:
    out = []
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        if (directory / name).is_file():
            out.append(directory / name)
    try:
        auto = sorted(p for p in directory.iterdir()
                      if p.is_file() and p.name.endswith((".auto.tfvars", ".auto.tfvars.json")))
    except OSError:
        auto = []
    out.extend(auto)
    out.extend(Path(p) for p in options.tf_var_files)
    return out


def _root_values(ctx: LoadContext, directory: Path, files_read: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path in _tfvars_files(directory, ctx.options):
        files_read.append(str(path))
        for name, value in _read_tfvars(ctx, path).items():
            values[name] = value
    for name, raw in ctx.options.tf_vars:
        values[name] = _cli_value(ctx, name, raw)
    return values


def _read_tfvars(ctx: LoadContext, path: Path) -> dict[str, Any]:
    scope = Scope(Constants(), str(path))
    out: dict[str, Any] = {}
    if path.name.endswith(".json"):
        try:
            text = confine.read_text(path)
            expr = read_json_value(text)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            ctx.diag("error", f"cannot read the variables file: {reason}", str(path), 0, code="parse")
            return out
        except SyntaxProblem as exc:
            ctx.diag("error", str(exc), str(path), exc.line, code="parse")
            return out
        if not isinstance(expr, ObjectExpr):
            ctx.diag("error", "a .tfvars.json file must hold a JSON object", str(path), 1, code="parse")
            return out
        for key, value in expr.items:
            name = getattr(key, "value", None)
            if isinstance(name, str):
                out[name] = evaluate_guarded(ctx, value, scope, f"var.{name}", value.line)
        return out
    parsed = ctx.parse(path)
    if parsed.error is not None or parsed.body is None:
        err = parsed.error
        ctx.diag("error", err.message if err else "cannot read the variables file", str(path),
                 err.line if err else 0, code="parse")
        return out
    for attr in parsed.body.attributes:
        out[attr.name] = evaluate_guarded(ctx, attr.expr, scope, f"var.{attr.name}", attr.line)
    return out


def _cli_value(ctx: LoadContext, name: str, raw: str) -> Callable[[TypeSpec], Any]:
    """``--var NAME=VALUE``: a string for string (or untyped) variables, else an HCL expression."""

    def value(spec: TypeSpec) -> Any:
        if spec.kind in ("string", "any"):
            return raw
        try:
            expr = parse_expression(raw, 1)
        except SyntaxProblem as exc:
            ctx.diag("error", f"--var {name}: {exc}", "<command line>", 0)
            return raw
        return evaluate_guarded(ctx, expr, Scope(Constants(), "<command line>"), f"var.{name}", 1)

    return value


__all__ = ["ProviderSlot", "instantiate", "load_module"]

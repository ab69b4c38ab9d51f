"""Module instances, resource instances and the names expressions refer to.

Terraform evaluates a configuration as a graph; here the graph is walked lazily: a reference to
``local.x``, ``aws_s3_bucket.b["logs"].arn`` or ``module.app.role_arn`` evaluates what it needs on
first use and caches it. ``count`` and ``for_each`` expand into instances with their addresses;
local modules are instantiated with their inputs, remote ones are read from
``.terraform/modules`` when ``terraform init`` placed them there. Cycles, self-including modules
and runaway expansions end with a diagnostic and an unknown value, never a hang.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from why403.model import symbols
from why403.model.location import Location
from why403.sources.terraform import attributes
from why403.sources.terraform.config import Decl, ModuleConfig
from why403.sources.terraform.context import MAX_INSTANCES, MAX_MODULE_DEPTH, CycleError, LoadContext
from why403.sources.terraform.convert import EvalError, to_number, to_str
from why403.sources.terraform.evaluate import BudgetExceeded, Scope
from why403.sources.terraform.syntax import Attribute, Block, Body, Expr, GetAttr, Lit, ObjectExpr, ScopeRef
from why403.sources.terraform.tfvalues import ABSENT, Lazy, ObjVal, SetVal, Unk
from why403.sources.terraform.types import ANY, convert, parse_type

_MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}


# -- providers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderConfig:
    """Where a provider configuration creates resources."""

    key: str  # "aws" or "aws.partner", as the defining module names it
    ref: str  # "provider.aws.partner", prefixed inside modules
    alias: str
    account: str
    region: str
    role_arn: str | None
    location: Location
    implicit: bool = False


class ProviderSlot:
    """A provider configuration, evaluated on first use (it may refer to variables and locals)."""

    def __init__(self, module: ModuleInstance, decl: Decl | None) -> None:
        self.module = module
        self.decl = decl
        self.used = False
        self._config: ProviderConfig | None = None

    @property
    def key(self) -> str:
        if self.decl is None:
            return "aws"
        alias = self.decl.block.body.attr("alias")
        name = self.decl.block.labels[0]
        if alias is not None and isinstance(alias.expr, Lit) and isinstance(alias.expr.value, str):
            return f"{name}.{alias.expr.value}"
        return name

    def get(self) -> ProviderConfig:
        self.used = True
        if self._config is None:
            from why403.sources.terraform.providers import resolve_provider

            self._config = resolve_provider(self)
        return self._config


def provider_key(expr: Expr | None) -> str | None:
    """``aws.west`` (a traversal) or ``"aws.west"`` (JSON syntax) as text."""
    if expr is None:
        return None
    if isinstance(expr, ScopeRef):
        return expr.name
    if isinstance(expr, GetAttr) and isinstance(expr.obj, ScopeRef):
        return f"{expr.obj.name}.{expr.name}"
    if isinstance(expr, Lit) and isinstance(expr.value, str):
        return expr.value
    return None


# -- reading a body -----------------------------------------------------------------------------


class BodyReader:
    """Evaluated access to a block's arguments and nested blocks (``dynamic`` blocks expanded)."""

    ctx: LoadContext
    body: Body
    scope: Scope
    file: str
    owner_ref: str
    path: str  # where in the resource this body is, for cycle keys and messages

    def _init_reader(self, ctx: LoadContext, body: Body, scope: Scope, owner_ref: str, path: str) -> None:
        self.ctx = ctx
        self.body = body
        self.scope = scope
        self.file = scope.file
        self.owner_ref = owner_ref
        self.path = path
        self._args: dict[str, Any] = {}

    def arg(self, name: str) -> Any:
        if name in self._args:
            return self._args[name]
        attr = self.body.attr(name)
        if attr is None:
            return ABSENT
        value = evaluate_guarded(self.ctx, attr.expr, self.scope, f"{self.path}.{name}", attr.line)
        self._args[name] = value
        return value

    def has(self, name: str) -> bool:
        return self.body.attr(name) is not None

    def attr_line(self, name: str) -> int:
        attr = self.body.attr(name)
        return attr.line if attr is not None else 0

    def text(self, name: str) -> str | None:
        """An argument as a string: unknown parts become tokens; unset or null is None."""
        value = self.arg(name)
        return self.as_text(value)

    def as_text(self, value: Any) -> str | None:
        if value is ABSENT or value is None:
            return None
        if isinstance(value, Unk):
            return self.ctx.evaluator.token_for(value)
        if isinstance(value, list | dict | Lazy):
            return None
        try:
            s = to_str(value)
        except EvalError:
            return None
        return self.ctx.evaluator.token_for(s) if isinstance(s, Unk) else s

    def blocks(self, name: str) -> list[Any]:
        """Nested blocks named ``name`` as readers, in source order; a ``dynamic`` block whose
        ``for_each`` is unknown contributes one ``Unk(many=True)``."""
        found: list[tuple[int, list[Any]]] = []
        for i, block in enumerate(self.body.blocks(name)):
            found.append((block.line, [BlockView(self, block, self.scope, f"{self.path}.{name}[{i}]")]))
        for block in self.body.blocks("dynamic"):
            if not block.labels or block.labels[0] != name:
                continue
            found.append((block.line, self._dynamic(name, block)))
        found.sort(key=lambda x: x[0])
        return [view for _, views in found for view in views]

    def _dynamic(self, name: str, block: Block) -> list[Any]:
        for_each = block.body.attr("for_each")
        contents = block.body.blocks("content")
        if for_each is None or not contents:
            return []
        iterator = name
        it_attr = block.body.attr("iterator")
        if it_attr is not None:
            iterator = provider_key(it_attr.expr) or name
        coll = evaluate_guarded(self.ctx, for_each.expr, self.scope, f"{self.path}.dynamic.{name}", for_each.line)
        if isinstance(coll, Unk):
            return [coll.derived(f"dynamic {name}", f"the for_each of dynamic \"{name}\" is not known").as_many()]
        try:
            pairs = self.ctx.evaluator.iterate(coll, for_each.line)
        except EvalError as exc:
            self.ctx.diag("warning", f"{self.owner_ref}: dynamic \"{name}\": {exc}", self.file, for_each.line)
            return []
        views: list[Any] = []
        for i, (k, v) in enumerate(pairs[:MAX_INSTANCES]):
            if isinstance(v, Unk) and v.many:
                views.append(v)
                continue
            inner = self.scope.bind({iterator: ObjVal({"key": k, "value": v})})
            views.append(BlockView(self, contents[0], inner, f"{self.path}.{name}[d{block.line}.{i}]"))
        return views

    def materialize_blocks(self, name: str) -> list[Any]:
        """Nested blocks as values (``aws_lambda_function.f.vpc_config[0].subnet_ids``)."""
        out: list[Any] = []
        for view in self.blocks(name):
            out.append(view if isinstance(view, Unk) else view.as_object())
        return out

    def as_object(self) -> ObjVal:
        values: dict[str, Any] = {}
        for attr in self.body.attributes:
            values[attr.name] = self.arg(attr.name)
        for block in self.body.blocks_:
            if block.type != "dynamic" and block.type not in values:
                values[block.type] = self.materialize_blocks(block.type)
        return ObjVal(values)


class ReaderParent(Protocol):
    ctx: LoadContext
    owner_ref: str


class BlockView(BodyReader):
    def __init__(self, parent: ReaderParent, block: Block, scope: Scope, path: str) -> None:
        self._init_reader(parent.ctx, block.body, scope, parent.owner_ref, path)
        self.block = block
        self.parent = parent
        self.ref = parent.owner_ref
        self.maybe: str | None = getattr(parent, "maybe", None)

    @property
    def location(self) -> Location:
        return Location(self.file, self.block.line, self.block.end_line)


def evaluate_guarded(ctx: LoadContext, expr: Expr, scope: Scope, key: str, line: int) -> Any:
    """Evaluate, turning what Terraform would reject into an unknown plus a diagnostic."""
    if key in ctx.active:
        raise CycleError(key)
    ctx.active.add(key)
    try:
        return ctx.evaluator.eval(expr, scope)
    except EvalError as exc:
        ctx.diag("warning", f"{key}: {exc}", scope.file, exc.line or line, code="evaluate")
        return Unk(key, str(exc))
    except CycleError as exc:
        if exc.path[0] == key:
            cycle = " -> ".join([key, *reversed(exc.path[1:]), key])
            ctx.diag("error", f"cycle: {cycle}; Terraform refuses this configuration", scope.file, line,
                     code="cycle")
            return Unk(key, "it depends on itself")
        exc.path.append(key)
        raise
    except RecursionError:
        ctx.diag("error", f"{key}: the expression is nested too deeply to evaluate", scope.file, line,
                 code="evaluate")
        return Unk(key, "nested too deeply")
    except BudgetExceeded:
        raise
    except Exception as exc:  # a defect in why403 must not stop the run: report it, go on
        ctx.diag("warning", f"{key}: why403 could not evaluate this ({type(exc).__name__}: {exc}); "
                 "please report it", scope.file, line, code="internal")
        return Unk(key, "why403 could not evaluate it")
    finally:
        ctx.active.discard(key)


# -- resources ----------------------------------------------------------------------------------


class ResourceInstance(Lazy, BodyReader):
    """One instance of a resource or data source: what facts read and what references see."""

    def __init__(self, module: ModuleInstance, decl: Decl, mode: str, rtype: str, name: str, key: Any,
                 bindings: dict[str, Any], maybe: str | None) -> None:
        self.module = module
        self.decl = decl
        self.mode = mode
        self.rtype = rtype
        self.name = name
        self.key = key
        base = f"{module.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
        self.ref = base + _key_suffix(key)
        self.label = self.ref
        self.maybe = maybe
        self._init_reader(module.ctx, decl.block.body, Scope(module, decl.file, bindings), self.ref, self.ref)
        self._provider: ProviderConfig | None = None
        self._attrs: dict[str, Any] = {}

    @property
    def location(self) -> Location:
        return self.decl.location

    @property
    def provider(self) -> ProviderConfig:
        if self._provider is None:
            self._provider = self.module.provider_for(self.body.attr("provider"), self.decl)
        return self._provider

    @property
    def account(self) -> str:
        return self.provider.account

    @property
    def region(self) -> str:
        return self.provider.region

    def get_attr(self, name: str) -> Any:
        if name in self._attrs:
            return self._attrs[name]
        value = self._attr(name)
        self._attrs[name] = value
        return value

    def _attr(self, name: str) -> Any:
        if self.mode == "data":
            from why403.sources.terraform.datasources import data_attribute

            return data_attribute(self, name)
        value = attributes.computed(self, name)
        if value is not ABSENT:
            return value
        if self.has(name):
            return self.arg(name)
        if self.body.blocks(name) or any(b.labels[:1] == (name,) for b in self.body.blocks("dynamic")):
            return self.materialize_blocks(name)
        return attributes.fallback(self, name)

    def materialize(self) -> Any:
        return Unk(self.ref, f"{self.ref} as a whole is known only after apply")


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, Unk):
        return "[each.key]"
    return f'["{key}"]'


@dataclass
class Expansion:
    keys: list[tuple[Any, dict[str, Any]]]  # (instance key, bindings)
    kind: str  # single | count | for_each
    uncertain: str | None = None


def expand(ctx: LoadContext, body: Body, scope: Scope, what: str) -> Expansion:
    """Instances of a resource, data source or module call from its ``count``/``for_each``."""
    count = body.attr("count")
    for_each = body.attr("for_each")
    if count is not None:
        value = evaluate_guarded(ctx, count.expr, scope, f"{what}.count", count.line)
        if isinstance(value, Unk):
            ctx.note_missing(value, what)
            reason = f"the count of {what} is not known ({value.reason})"
            return Expansion([(0, {"count": ObjVal({"index": 0})})], "count", reason)
        try:
            n = to_number(value) if not isinstance(value, bool) else value
        except EvalError as exc:  # a list or an object: Terraform refuses it (found by bench/sweep.py)
            ctx.diag("warning", f"{what}: count must be a whole number: {exc}", scope.file, count.line)
            return Expansion([], "count")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            ctx.diag("warning", f"{what}: count must be a whole number, not {value!r}", scope.file, count.line)
            return Expansion([], "count")
        if n > MAX_INSTANCES:
            ctx.diag("note", f"{what} has count = {n}; why403 reads the first {MAX_INSTANCES} instances",
                     scope.file, count.line, code="limit")
            n = MAX_INSTANCES
        return Expansion([(i, {"count": ObjVal({"index": i})}) for i in range(n)], "count")
    if for_each is not None:
        value = evaluate_guarded(ctx, for_each.expr, scope, f"{what}.for_each", for_each.line)
        if isinstance(value, Lazy):
            value = value.materialize()
        if isinstance(value, Unk):
            ctx.note_missing(value, what)
            reason = f"the for_each of {what} is not known ({value.reason})"
            key = value.derived("each.key", reason, type="string")
            each = ObjVal({"key": key, "value": value.derived("each.value", reason)})
            return Expansion([(key, {"each": each})], "for_each", reason)
        pairs: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            pairs = list(value.items())
        elif isinstance(value, list):
            partial = any(isinstance(v, Unk) for v in value)
            if partial:
                ctx.diag("note", f"{what}: some for_each keys are not known; why403 reads the known ones",
                         scope.file, for_each.line, code="unknown-input")
            for v in value:
                if isinstance(v, Unk):
                    continue
                s = to_str(v) if not isinstance(v, list | dict) else None
                if not isinstance(s, str):
                    ctx.diag("warning", f"{what}: for_each over a set must hold strings", scope.file, for_each.line)
                    return Expansion([], "for_each")
                pairs.append((s, s))
            if not isinstance(value, SetVal):
                pairs = sorted(dict(pairs).items())
        elif value is None:
            ctx.diag("warning", f"{what}: for_each is null", scope.file, for_each.line)
            return Expansion([], "for_each")
        else:
            ctx.diag("warning", f"{what}: for_each needs a map or a set of strings", scope.file, for_each.line)
            return Expansion([], "for_each")
        if len(pairs) > MAX_INSTANCES:
            ctx.diag("note", f"{what} has {len(pairs)} for_each instances; why403 reads the first "
                     f"{MAX_INSTANCES}", scope.file, for_each.line, code="limit")
            pairs = pairs[:MAX_INSTANCES]
        return Expansion([(k, {"each": ObjVal({"key": k, "value": v})}) for k, v in pairs], "for_each")
    return Expansion([(None, {})], "single")


class Collection:
    """All instances of one resource or data block, and its value as references see it."""

    def __init__(self, module: ModuleInstance, decl: Decl, mode: str, rtype: str, name: str) -> None:
        self.module = module
        self.decl = decl
        self.mode = mode
        self.rtype = rtype
        self.name = name
        self.label = f"{module.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
        self._instances: list[ResourceInstance] | None = None
        self._expansion: Expansion | None = None

    def instances(self) -> list[ResourceInstance]:
        if self._instances is None:
            ctx = self.module.ctx
            exp = expand(ctx, self.decl.block.body, Scope(self.module, self.decl.file), self.label)
            self._expansion = exp
            maybe = exp.uncertain or self.module.maybe
            self._instances = [ResourceInstance(self.module, self.decl, self.mode, self.rtype, self.name, key,
                                                binds, maybe) for key, binds in exp.keys]
        return self._instances

    def value(self) -> Any:
        instances = self.instances()
        exp = self._expansion
        assert exp is not None
        if exp.kind == "single":
            return instances[0] if instances else Unk(self.label, f"{self.label} could not be read")
        if exp.uncertain is not None:
            return UncertainCollection(self, instances, exp)
        if exp.kind == "count":
            return list(instances)
        return ObjVal({str(inst.key): inst for inst in instances})


class UncertainCollection(Lazy):
    """A resource whose ``count``/``for_each`` is unknown: instance 0 of a count is still
    addressable (its values stay linked); everything else about it is unknown."""

    def __init__(self, coll: Collection, instances: list[ResourceInstance], exp: Expansion) -> None:
        self.instances = instances
        self.exp = exp
        self.label = coll.label

    def get_index(self, key: Any) -> Any:
        if self.exp.kind == "count" and key == 0 and self.instances:
            return self.instances[0]
        return Unk(f"{self.label}[{_key_suffix(key)[1:-1]}]", self.exp.uncertain or "unknown")

    def get_attr(self, name: str) -> Any:
        raise EvalError(f"{self.label} has count or for_each: use an index, such as {self.label}[0].{name}")

    def splat_items(self) -> Any:
        return Unk(self.label, self.exp.uncertain or "unknown", type="list")

    def materialize(self) -> Any:
        return Unk(self.label, self.exp.uncertain or "unknown")


# -- namespaces ---------------------------------------------------------------------------------


class _Namespace(Lazy):
    def __init__(self, label: str, getter: Callable[[str], Any]) -> None:
        self.label = label
        self.getter = getter

    def get_attr(self, name: str) -> Any:
        return self.getter(name)


# -- modules ------------------------------------------------------------------------------------


class ModuleInstance:
    """One instance of a module: the root, or ``module.app`` / ``module.app["k"]``."""

    def __init__(self, ctx: LoadContext, config: ModuleConfig, *, prefix: str, rel: str, key_path: str,
                 inputs: dict[str, Callable[[], Any]] | None, providers: dict[str, ProviderSlot] | None,
                 maybe: str | None, chain: tuple[Path, ...], root_values: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.config = config
        self.prefix = prefix
        self.rel = rel
        self.key_path = key_path
        self.inputs = inputs
        self.maybe = maybe
        self.chain = chain
        self.root_values = root_values or {}
        self.is_root = inputs is None
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._outputs: dict[str, Any] = {}
        self._collections: dict[tuple[str, str, str], Collection] = {}
        self._calls: dict[str, ModuleCall] = {}
        self.declared_providers = [ProviderSlot(self, d) for d in config.providers]
        self.providers: dict[str, ProviderSlot] = dict(providers or {})
        for slot in self.declared_providers:
            self.providers[slot.key] = slot
        if "aws" not in self.providers:
            self.providers["aws"] = ProviderSlot(self, None)
        self._namespaces = {
            "var": _Namespace("var", self.var),
            "local": _Namespace("local", self.local),
            "module": _Namespace("module", self.module_value),
            "data": _Namespace("data", self._data_type),
            "path": _Namespace("path", self._path),
            "terraform": _Namespace("terraform", self._terraform),
        }

    # -- name resolution ------------------------------------------------------------------------

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        ns = self._namespaces.get(name)
        if ns is not None:
            return ns
        if name in ("count", "each"):
            raise EvalError(f"{name} is only available in a block that sets {'for_each' if name == 'each' else name}",
                            line)
        if name == "self":
            return Unk("self", "self is only known after apply")
        return _Namespace(name, lambda n: self._resource("managed", name, n))

    def _data_type(self, rtype: str) -> Any:
        return _Namespace(f"data.{rtype}", lambda n: self._resource("data", rtype, n))

    def _resource(self, mode: str, rtype: str, name: str) -> Any:
        coll = self.collection(mode, rtype, name)
        if coll is None:
            label = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
            return Unk(label, f"{label} is not declared in the files read")
        return coll.value()

    def collection(self, mode: str, rtype: str, name: str) -> Collection | None:
        key = (mode, rtype, name)
        found = self._collections.get(key)
        if found is None:
            table = self.config.data if mode == "data" else self.config.resources
            decl = table.get((rtype, name))
            if decl is None:
                return None
            found = Collection(self, decl, mode, rtype, name)
            self._collections[key] = found
        return found

    def _path(self, name: str) -> Any:
        if name == "module":
            return self.rel
        if name == "root":
            return "."
        if name == "cwd":
            return Unk("path.cwd", "the directory Terraform runs in is not known", type="string")
        raise EvalError(f"path.{name} does not exist")

    def _terraform(self, name: str) -> Any:
        if name == "workspace":
            return "default"
        raise EvalError(f"terraform.{name} does not exist")

    # -- variables, locals, outputs -------------------------------------------------------------

    def var(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        decl = self.config.variables.get(name)
        if decl is None:
            raise EvalError(f"var.{name} is not declared in {self.rel}")
        value = self._var(name, decl)
        self._vars[name] = value
        return value

    def _var(self, name: str, decl: Decl) -> Any:
        body = decl.block.body
        type_attr = body.attr("type")
        spec = parse_type(type_attr.expr) if type_attr is not None else ANY
        const_scope = Scope(_Constants(), decl.file)
        value: Any = ABSENT
        if self.is_root:
            supplied = self.root_values.get(name, ABSENT)
            if supplied is not ABSENT:
                value = supplied(spec) if callable(supplied) else supplied
        elif self.inputs is not None and name in self.inputs:
            value = self.inputs[name]()
        default_attr = body.attr("default")
        nullable = body.attr("nullable")
        if value is None and default_attr is not None and nullable is not None and \
                isinstance(nullable.expr, Lit) and nullable.expr.value is False:
            value = ABSENT
        if value is ABSENT:
            if default_attr is not None:
                value = evaluate_guarded(self.ctx, default_attr.expr, const_scope, f"{self.prefix}var.{name}",
                                         default_attr.line)
            elif self.is_root:
                value = Unk(f"var.{name}", f"var.{name} has no value", frozenset({f"var.{name}"}),
                            type=spec.unknown_type)
            else:
                value = Unk(f"{self.prefix}var.{name}", f"var.{name} is not passed to {self.prefix.rstrip('.')}",
                            type=spec.unknown_type)

        def default_of(expr: Expr) -> Any:
            return evaluate_guarded(self.ctx, expr, const_scope, f"{self.prefix}var.{name}.default", expr.line)

        return convert(value, spec, default_of)

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        decl = self.config.locals.get(name)
        if decl is None:
            raise EvalError(f"local.{name} is not declared in {self.rel}")
        key = f"{self.prefix}local.{name}"
        try:
            value = evaluate_guarded(self.ctx, decl.attr.expr, Scope(self, decl.file), key, decl.attr.line)
        except CycleError:
            self._locals[name] = Unk(key, "it depends on itself")
            raise
        except BaseException:
            self._locals[name] = Unk(key, "its evaluation was stopped")
            raise
        self._locals[name] = value
        return value

    def output(self, name: str) -> Any:
        if name in self._outputs:
            return self._outputs[name]
        decl = self.config.outputs.get(name)
        if decl is None:
            raise EvalError(f"{self.prefix.rstrip('.')} has no output {name!r}")
        attr = decl.block.body.attr("value")
        key = f"{self.prefix}output.{name}"
        value: Any = None
        if attr is not None:
            try:
                value = evaluate_guarded(self.ctx, attr.expr, Scope(self, decl.file), key, attr.line)
            except CycleError:
                self._outputs[name] = Unk(key, "it depends on itself")
                raise
        self._outputs[name] = value
        return value

    # -- providers ------------------------------------------------------------------------------

    def provider_for(self, attr: Attribute | None, decl: Decl) -> ProviderConfig:
        key = provider_key(attr.expr) if attr is not None else None
        rtype = decl.block.labels[0] if decl.block.labels else "aws"
        wanted = key or rtype.split("_", 1)[0]
        slot = self.providers.get(wanted) or self.providers.get("aws")
        if key and wanted not in self.providers and wanted.startswith("aws"):
            self.ctx.diag("warning", f"provider {wanted} is not configured for {self.prefix or 'the root module'}",
                          decl.file, attr.line if attr else decl.block.line)
        assert slot is not None
        return slot.get()

    # -- module calls ---------------------------------------------------------------------------

    def call(self, name: str) -> ModuleCall | None:
        found = self._calls.get(name)
        if found is None:
            decl = self.config.modules.get(name)
            if decl is None:
                return None
            found = ModuleCall(self, name, decl)
            self._calls[name] = found
        return found

    def module_value(self, name: str) -> Any:
        call = self.call(name)
        if call is None:
            return Unk(f"{self.prefix}module.{name}", f"module.{name} is not declared in the files read")
        return call.value()

    def walk(self) -> list[ModuleInstance]:
        """This instance and every module instance below it."""
        out = [self]
        for name in self.config.modules:
            call = self.call(name)
            if call is None:
                continue
            for child in call.children():
                if isinstance(child, ModuleInstance):
                    out.extend(child.walk())
        return out


class _Constants:
    """The scope of variable defaults and tfvars: no references allowed."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        raise EvalError(f"{name} cannot be used here: variable values must be constant", line)


class ModuleValue(Lazy):
    """``module.app``: its outputs."""

    def __init__(self, child: ModuleInstance) -> None:
        self.child = child
        self.label = child.prefix.rstrip(".")

    def get_attr(self, name: str) -> Any:
        return self.child.output(name)

    def materialize(self) -> Any:
        return ObjVal({name: self.child.output(name) for name in self.child.config.outputs})


class RemoteModule(Lazy):
    """A module whose source is not here: every output is unknown."""

    def __init__(self, label: str, reason: str) -> None:
        self.label = label
        self.reason = reason

    def get_attr(self, name: str) -> Any:
        return Unk(f"{self.label}.{name}", self.reason, frozenset({self.label.split("[")[0]}))

    def materialize(self) -> Any:
        return Unk(self.label, self.reason, frozenset({self.label.split("[")[0]}))


class ModuleCall:
    def __init__(self, parent: ModuleInstance, name: str, decl: Decl) -> None:
        self.parent = parent
        self.name = name
        self.decl = decl
        self._children: list[Any] | None = None
        self._expansion: Expansion | None = None

    @property
    def label(self) -> str:
        return f"{self.parent.prefix}module.{self.name}"

    def _source(self) -> str | None:
        attr = self.decl.block.body.attr("source")
        if attr is not None and isinstance(attr.expr, Lit) and isinstance(attr.expr.value, str):
            return attr.expr.value
        return None

    def _directory(self) -> tuple[Path | None, str]:
        ctx = self.parent.ctx
        source = self._source()
        if source is None:
            return None, "its source is not a literal string"
        if source.startswith(("./", "../")) or source in (".", ".."):
            return Path(os.path.normpath(self.parent.config.directory / source)), ""
        key = f"{self.parent.key_path}.{self.name}" if self.parent.key_path else self.name
        found = ctx.module_manifest().get(key)
        if found is not None:
            directory = ctx.root / found
            if directory.is_dir():
                return directory, ""
        return None, f"{self.label} comes from {source!r}, which why403 does not fetch"

    def children(self) -> list[Any]:
        if self._children is not None:
            return self._children
        ctx = self.parent.ctx
        parent = self.parent
        scope = Scope(parent, self.decl.file)
        exp = expand(ctx, self.decl.block.body, scope, self.label)
        self._expansion = exp
        directory, why = self._directory()
        children: list[Any] = []
        if directory is None:
            ctx.diag("note", f"{why}; its resources are not linted and its outputs are unknown. Run terraform "
                     "init so that .terraform/modules holds it, or lint the plan JSON", self.decl.file,
                     self.decl.block.line, code="remote-module")
            for key, _ in exp.keys:
                children.append(RemoteModule(self.label + _key_suffix(key), why))
            self._children = children
            return children
        resolved = directory.resolve()
        if resolved in parent.chain:
            ctx.diag("error", f"{self.label} includes its own directory ({directory}); Terraform refuses this",
                     self.decl.file, self.decl.block.line, code="module-cycle")
            self._children = [RemoteModule(self.label, "the module includes itself")]
            return self._children
        if len(parent.chain) >= MAX_MODULE_DEPTH:
            ctx.diag("error", f"{self.label}: modules nested more than {MAX_MODULE_DEPTH} deep", self.decl.file,
                     self.decl.block.line, code="module-depth")
            self._children = [RemoteModule(self.label, "modules nested too deeply")]
            return self._children
        config = ctx.config(directory)
        if not config.files:
            ctx.diag("warning", f"{self.label}: no Terraform files in {directory}", self.decl.file,
                     self.decl.block.line)
        rel = os.path.relpath(directory, ctx.root)
        key_path = f"{parent.key_path}.{self.name}" if parent.key_path else self.name
        providers = self._providers()
        for key, binds in exp.keys:
            inner = scope.bind(binds)
            inputs = self._inputs(inner)
            maybe = exp.uncertain or parent.maybe
            children.append(ModuleInstance(
                ctx, config, prefix=f"{self.label}{_key_suffix(key)}.", rel=rel.replace(os.sep, "/"),
                key_path=key_path, inputs=inputs, providers=providers, maybe=maybe,
                chain=(*parent.chain, resolved)))
        self._children = children
        return children

    def _inputs(self, scope: Scope) -> dict[str, Callable[[], Any]]:
        ctx = self.parent.ctx
        out: dict[str, Callable[[], Any]] = {}
        for attr in self.decl.block.body.attributes:
            if attr.name in _MODULE_META:
                continue

            def thunk(a: Attribute = attr) -> Any:
                return evaluate_guarded(ctx, a.expr, scope, f"{self.label}.{a.name}", a.line)

            out[attr.name] = thunk
        return out

    def _providers(self) -> dict[str, ProviderSlot]:
        parent = self.parent
        attr = self.decl.block.body.attr("providers")
        if attr is None or not isinstance(attr.expr, ObjectExpr):
            default = parent.providers.get("aws")
            return {"aws": default} if default is not None else {}
        out: dict[str, ProviderSlot] = {}
        for key_expr, value_expr in attr.expr.items:
            child_key = provider_key(key_expr) if not isinstance(key_expr, Lit) else str(key_expr.value)
            parent_key = provider_key(value_expr)
            if child_key and parent_key and parent_key in parent.providers:
                out[child_key] = parent.providers[parent_key]
        return out

    def value(self) -> Any:
        children = self.children()
        exp = self._expansion
        assert exp is not None
        values = [ModuleValue(c) if isinstance(c, ModuleInstance) else c for c in children]
        if exp.kind == "single":
            return values[0] if values else Unk(self.label, f"{self.label} could not be read")
        if exp.uncertain is not None:
            return Unk(self.label, exp.uncertain)
        if exp.kind == "count":
            return values
        return ObjVal({str(key): v for (key, _), v in zip(exp.keys, values, strict=True)})


__all__ = ["BlockView", "ModuleInstance", "ProviderConfig", "ResourceInstance", "symbols"]

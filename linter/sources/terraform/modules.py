"""Module instances: the root, and each instance of a module call, with the names their
expressions refer to (``var``, ``local``, ``module``, ``data``, ``path``, ``terraform``, resources).

Terraform evaluates a configuration as a graph; here the graph is walked lazily: a reference to
``local.x``, ``aws_s3_bucket.b["logs"].arn`` or ``module.app.role_arn`` evaluates what it needs on
first use and caches it. Cycles, self-including modules and runaway expansions end with a
diagnostic and an unknown value, never a hang.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from why403.sources.terraform.bodies import Constants, evaluate_guarded
from why403.sources.terraform.calls import ModuleCall
from why403.sources.terraform.config import Decl, LocalDecl, ModuleConfig
from why403.sources.terraform.context import CycleError, LoadContext
from why403.sources.terraform.convert import EvalError
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.instances import Collection
from why403.sources.terraform.providers import ProviderConfig, ProviderSlot
from why403.sources.terraform.references import variables_read
from why403.sources.terraform.syntax import Attribute, Body, Expr, Lit, traversal_text
from why403.sources.terraform.tfvalues import ABSENT, Lazy, Unk
from why403.sources.terraform.types import ANY, convert, parse_type


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
                 maybe: str | None, chain: tuple[Path, ...], root_values: dict[str, Any] | None = None,
                 caller: tuple[ModuleInstance, Body] | None = None) -> None:
        self.ctx = ctx
        # The instance whose module block made this one, and that block's body (None for the root).
        self.caller = caller
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
        return _once(self._vars, name, self.config.variables.get(name),
                     lambda: f"var.{name} is not declared in {self.rel}", lambda decl: self._var(name, decl))

    def _var(self, name: str, decl: Decl) -> Any:
        body = decl.block.body
        type_attr = body.attr("type")
        spec = parse_type(type_attr.expr) if type_attr is not None else ANY
        const_scope = Scope(Constants(), decl.file)
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
                if self.is_root and (value is None or value in ("", [], {})):
                    self.ctx.placeholder_defaults[name] = "null" if value is None else json.dumps(value)
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
        return _once(self._locals, name, self.config.locals.get(name),
                     lambda: f"local.{name} is not declared in {self.rel}", lambda decl: self._local(name, decl))

    def _local(self, name: str, decl: LocalDecl) -> Any:
        key = f"{self.prefix}local.{name}"
        try:
            return evaluate_guarded(self.ctx, decl.attr.expr, Scope(self, decl.file), key, decl.attr.line)
        except CycleError:
            self._locals[name] = Unk(key, "it depends on itself")
            raise
        except BaseException:
            self._locals[name] = Unk(key, "its evaluation was stopped")
            raise

    def output(self, name: str) -> Any:
        return _once(self._outputs, name, self.config.outputs.get(name),
                     lambda: f"{self.prefix.rstrip('.')} has no output {name!r}", lambda decl: self._output(name, decl))

    def _output(self, name: str, decl: Decl) -> Any:
        attr = decl.block.body.attr("value")
        if attr is None:
            return None
        key = f"{self.prefix}output.{name}"
        try:
            return evaluate_guarded(self.ctx, attr.expr, Scope(self, decl.file), key, attr.line)
        except CycleError:
            self._outputs[name] = Unk(key, "it depends on itself")
            raise

    # -- providers ------------------------------------------------------------------------------

    def provider_for(self, attr: Attribute | None, decl: Decl) -> ProviderConfig:
        key = traversal_text(attr.expr) if attr is not None else None
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

    def child(self, config: ModuleConfig, *, prefix: str, rel: str, key_path: str,
              inputs: dict[str, Callable[[], Any]], providers: dict[str, ProviderSlot], maybe: str | None,
              chain: tuple[Path, ...], call_body: Body | None = None) -> ModuleInstance:
        """An instance of a module this one calls (``call_body``: the body of its module block)."""
        return ModuleInstance(self.ctx, config, prefix=prefix, rel=rel, key_path=key_path, inputs=inputs,
                              providers=providers, maybe=maybe, chain=chain,
                              caller=(self, call_body) if call_body is not None else None)

    def root_variables_read(self, start: Any) -> set[str]:
        """The root module's variables that ``start`` (an expression of this module) reads, through
        the locals, data sources and resources of each module on the way and the arguments of the
        module blocks that pass them down. A policy document written in a shared module is often
        built from what its caller passes, and that from a root variable with a placeholder default."""
        names = variables_read(self.config, start)
        module: ModuleInstance = self
        while not module.is_root and names:
            if module.caller is None:
                return set()
            parent, body = module.caller
            passed = [attr.expr for attr in (body.attr(n) for n in sorted(names)) if attr is not None]
            names = variables_read(parent.config, passed) if passed else set()
            module = parent
        return names

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


_D = TypeVar("_D")


def _once(memo: dict[str, Any], name: str, decl: _D | None, missing: Callable[[], str],
          compute: Callable[[_D], Any]) -> Any:
    """``memo[name]``, computed from its declaration the first time it is asked for (an
    :class:`EvalError` saying ``missing`` when nothing declares it). A computation that fails may
    leave an unknown there saying why, for whoever asks again (a reference cycle reaching it)."""
    if name in memo:
        return memo[name]
    if decl is None:
        raise EvalError(missing())
    value = compute(decl)
    memo[name] = value
    return value

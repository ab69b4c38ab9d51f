"""Module calls: where a module's source is, its instances, its inputs and providers.

Local modules are instantiated with their inputs; remote ones are read from ``.terraform/modules``
when ``terraform init`` placed them there, and otherwise stand as a :class:`RemoteModule` whose
outputs are unknown.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.sources import confine
from why403.sources.terraform.bodies import evaluate_guarded
from why403.sources.terraform.config import Decl
from why403.sources.terraform.context import MAX_MODULE_DEPTH
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.expansion import Expansion, expand, key_suffix
from why403.sources.terraform.providers import ProviderSlot
from why403.sources.terraform.syntax import Attribute, Lit, ObjectExpr, traversal_text
from why403.sources.terraform.tfvalues import Lazy, ObjVal, Unk

if TYPE_CHECKING:
    from why403.sources.terraform.modules import ModuleInstance

_MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}


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
    """A module whose source is not here: every output is unknown, decided by the call ``source``
    (its label without the instance key: the input the notes name)."""

    def __init__(self, label: str, reason: str, source: str | None = None) -> None:
        self.label = label
        self.reason = reason
        self.source = source or label.split("[")[0]

    def get_attr(self, name: str) -> Any:
        return Unk(f"{self.label}.{name}", self.reason, frozenset({self.source}))

    def materialize(self) -> Any:
        return Unk(self.label, self.reason, frozenset({self.source}))


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

    def _directory(self) -> tuple[Path | None, str, bool]:
        """The module's directory, or None and why not, and whether terraform init would fetch it."""
        ctx = self.parent.ctx
        source = self._source()
        if source is None:
            return None, f"the source of {self.label} is not a literal string", False
        directory: Path | None = None
        if source.startswith(("./", "../")) or source in (".", ".."):
            directory = Path(os.path.normpath(self.parent.config.directory / source))
        else:
            key = f"{self.parent.key_path}.{self.name}" if self.parent.key_path else self.name
            found = ctx.module_manifest().get(key)
            if found is not None and (ctx.root / found).is_dir():
                directory = ctx.root / found
        if directory is None:
            return None, f"{self.label} comes from {source!r}, which why403 does not fetch", True
        if not confine.may_read_below(directory):
            return (None, f"{self.label} is in {directory}, outside the tree under check, which why403 does not read",
                    False)
        return directory, "", False

    def children(self) -> list[Any]:
        if self._children is not None:
            return self._children
        ctx = self.parent.ctx
        parent = self.parent
        scope = Scope(parent, self.decl.file)
        exp = expand(ctx, self.decl.block.body, scope, self.label)
        self._expansion = exp
        directory, why, fetchable = self._directory()
        children: list[Any] = []
        if directory is None:
            ctx.remote_module(self.label, why, self.decl.file, self.decl.block.line, fetchable)
            for key, _ in exp.keys:
                children.append(RemoteModule(self.label + key_suffix(key), why, self.label))
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
            children.append(parent.child(
                config, prefix=f"{self.label}{key_suffix(key)}.", rel=rel.replace(os.sep, "/"),
                key_path=key_path, inputs=inputs, providers=providers, maybe=maybe,
                chain=(*parent.chain, resolved), call_body=self.decl.block.body))
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
            child_key = traversal_text(key_expr) if not isinstance(key_expr, Lit) else str(key_expr.value)
            parent_key = traversal_text(value_expr)
            if child_key and parent_key and parent_key in parent.providers:
                out[child_key] = parent.providers[parent_key]
        return out

    def value(self) -> Any:
        children = self.children()
        exp = self._expansion
        assert exp is not None
        values = [c if isinstance(c, RemoteModule) else ModuleValue(c) for c in children]
        return exp.value(self.label, values, lambda reason: Unk(self.label, reason))


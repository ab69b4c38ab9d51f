"""Resource and data source instances: what handlers read and what references see.

A :class:`Collection` is one ``resource`` or ``data`` block, expanded on first use into its
:class:`ResourceInstance` s; an instance evaluates its arguments lazily and answers the
attributes AWS computes (ARNs, ids) with the token conventions that keep them linked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.model.location import Location
from why403.sources.terraform import attributes
from why403.sources.terraform.bodies import BodyReader
from why403.sources.terraform.config import Decl
from why403.sources.terraform.convert import EvalError
from why403.sources.terraform.datasources import data_attribute
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.expansion import Expansion, expand, key_suffix
from why403.sources.terraform.providers import ProviderConfig
from why403.sources.terraform.tfvalues import ABSENT, Lazy, Unk

if TYPE_CHECKING:
    from why403.sources.terraform.modules import ModuleInstance


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
        self.ref = base + key_suffix(key)
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

    @property
    def default_tags(self) -> tuple[tuple[str, str], ...] | None:
        return self.provider.default_tags

    def get_attr(self, name: str) -> Any:
        if name in self._attrs:
            return self._attrs[name]
        value = self._attr(name)
        self._attrs[name] = value
        return value

    def _attr(self, name: str) -> Any:
        if self.mode == "data":
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
        return exp.value(self.label, list(instances), lambda reason: UncertainCollection(self, instances, exp))


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
        return Unk(f"{self.label}[{key_suffix(key)[1:-1]}]", self.exp.uncertain or "unknown")

    def get_attr(self, name: str) -> Any:
        raise EvalError(f"{self.label} has count or for_each: use an index, such as {self.label}[0].{name}")

    def splat_items(self) -> Any:
        return Unk(self.label, self.exp.uncertain or "unknown", type="list")

    def materialize(self) -> Any:
        return Unk(self.label, self.exp.uncertain or "unknown")


# -- namespaces ---------------------------------------------------------------------------------

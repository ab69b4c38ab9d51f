"""What resource handlers share while one template is turned into facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, Fact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.model.values import MaybePresent, Unknown
from why403.sources.cloudformation.intrinsics import Resolver
from why403.sources.cloudformation.nodes import NOVALUE, text
from why403.sources.cloudformation.tree import Map


@dataclass(frozen=True)
class Resource:
    """One resource of the template. ``maybe`` says why it may not exist (an undecidable Condition)."""

    lid: str
    type: str
    props: Map
    node: Map
    line: int
    end_line: int
    maybe: str | None = None


@dataclass
class Ctx:
    file: str
    r: Resolver
    facts: list[Fact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # unknown parameter -> the policies (origins) that depend on it
    policy_params: dict[str, set[str]] = field(default_factory=dict)

    @property
    def account(self) -> str:
        return self.r.account

    @property
    def region(self) -> str:
        return self.r.region

    def at(self, res: Resource) -> Location:
        return Location(self.file, res.line, res.end_line)

    def key_loc(self, res: Resource, key: str) -> Location:
        return Location(self.file, res.props.key_line(key) or res.line)

    # -- property access ------------------------------------------------------------------

    def value(self, res: Resource, key: str) -> Any:
        """The resolved property, or NOVALUE when absent."""
        if key not in res.props:
            return NOVALUE
        return self.r.value(res.props[key])

    def text(self, res: Resource, key: str) -> str | None:
        v = self.value(res, key)
        if v is NOVALUE or v is None:
            return None
        return text(v, f"{res.lid}.{key}")

    def flag(self, res: Resource, key: str, default: bool | None) -> bool | None:
        return as_bool(self.value(res, key), default)

    def texts(self, res: Resource, key: str) -> tuple[tuple[str, ...], bool]:
        """A list of strings and whether it may hold more or fewer (unknown or conditional items)."""
        return strings(self.value(res, key), f"{res.lid}.{key}")

    def policy(self, res: Resource, raw: Any, kind: PolicyKind, origin: str, line: int,
               maybe: str | None = None) -> Policy:
        from why403.sources.cloudformation.policies import resolve_policy

        return resolve_policy(self, raw, kind, origin, line, maybe or res.maybe)

    def optional_policy(self, res: Resource, key: str, kind: PolicyKind, origin: str) -> Policy | None:
        """A document AWS replaces by its default when absent (key, endpoint, access point):
        None when the property is missing or removed by AWS::NoValue."""
        if key not in res.props:
            return None
        raw = res.props[key]
        if isinstance(raw, dict) and len(raw) == 1 and "Fn::If" in raw and self.r.value(raw) is NOVALUE:
            return None
        return self.policy(res, raw, kind, origin, res.props.key_line(key))

    def note_params(self, params: set[str], origin: str) -> None:
        for p in params:
            self.policy_params.setdefault(p, set()).add(origin)


def as_bool(v: Any, default: bool | None) -> bool | None:
    if v is NOVALUE or v is None:
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        low = v.lower()
        if low == "true":
            return True
        if low == "false":
            return False
    return None


def strings(v: Any, label: str) -> tuple[tuple[str, ...], bool]:
    if v is NOVALUE or v is None:
        return (), False
    if isinstance(v, Unknown):
        return (), True
    if not isinstance(v, list):
        return (text(v, label),), False
    out: list[str] = []
    partial = False
    for item in v:
        if isinstance(item, MaybePresent):
            partial = True
            continue
        if isinstance(item, list | dict | Unknown):
            partial = True
            out.append(symbols.unknown(label))
            continue
        out.append(text(item, label))
    return tuple(out), partial


"""Values of the Terraform evaluator.

Known values are plain Python: ``str`` (possibly holding :mod:`why403.model.symbols` tokens),
``int``/``Fraction`` numbers, ``bool``, ``None`` for null, ``list`` for tuples and lists,
:class:`SetVal` for sets and :class:`ObjVal` (a dict with sorted keys, as cty iterates them) for
objects and maps. On top of that:

- :class:`Unk`: a value the sources do not determine, with the expression it came from, why, and
  which user-suppliable inputs (root variables, data sources, remote modules) would decide it.
  Inside a list, ``many`` makes it stand for zero or more unknown elements, so that
  ``concat(known, var.extra)`` keeps its known part.
- :class:`ObjVal` and :class:`LocatedStr` remember where they were written, so a policy built by
  ``jsonencode`` in a local or read from a heredoc still gives each statement its own line.
- :class:`LocatedJson`: the text ``jsonencode`` or ``aws_iam_policy_document`` produced, carrying
  the document it encodes (with its markers) and the statement lines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Unk:
    """An unknown value. ``label`` names it (``var.bucket_name``, ``aws_instance.web.private_ip``);
    ``sources`` are the inputs that would decide it (``var.bucket_name``, ``data.aws_iam_policy.x``)."""

    __slots__ = ("doc", "label", "locs", "many", "reason", "sources", "type")

    def __init__(self, label: str, reason: str, sources: frozenset[str] = frozenset(), *, many: bool = False,
                 type: str | None = None, doc: Any = None, locs: Any = None) -> None:
        self.label = label
        self.reason = reason
        self.sources = sources
        self.many = many
        self.type = type  # "string", "number", "bool", "list", "map", ... when the type is known
        self.doc = doc  # a partial JSON-like document (jsonencode of a value with unknown parts)
        self.locs = locs

    def __repr__(self) -> str:
        return f"Unk({self.label!r}{', many' if self.many else ''})"

    def as_many(self) -> Unk:
        return Unk(self.label, self.reason, self.sources, many=True, type=self.type)

    def derived(self, label: str, reason: str | None = None, type: str | None = None) -> Unk:
        """An unknown computed from this one (keeps what would decide it)."""
        return Unk(label, reason or self.reason, self.sources, type=type)


def combine_unknown(label: str, values: list[Any], reason: str | None = None, type: str | None = None) -> Unk:
    """An unknown computed from several values: the union of their sources."""
    sources: set[str] = set()
    reasons: list[str] = []
    for v in values:
        for u in iter_unknowns(v):
            sources |= u.sources
            if u.reason not in reasons:
                reasons.append(u.reason)
    return Unk(label, reason or ("; ".join(reasons[:3]) or "unknown"), frozenset(sources), type=type)


def iter_unknowns(value: Any, depth: int = 0) -> list[Unk]:
    """Every :class:`Unk` inside a value (bounded depth)."""
    if isinstance(value, Unk):
        return [value]
    if depth > 64:
        return []
    out: list[Unk] = []
    if isinstance(value, dict):
        for v in value.values():
            out.extend(iter_unknowns(v, depth + 1))
    elif isinstance(value, list):
        for v in value:
            out.extend(iter_unknowns(v, depth + 1))
    return out


def is_known(value: Any) -> bool:
    """True when no part of the value is unknown."""
    return not any_part(value, lambda v: isinstance(v, Unk | Lazy))


def any_part(value: Any, test: Callable[[Any], bool]) -> bool:
    """Whether the value, or any element or attribute of it at any depth, passes ``test``."""
    if test(value):
        return True
    if isinstance(value, dict):
        return any(any_part(v, test) for v in value.values())
    if isinstance(value, list):
        return any(any_part(v, test) for v in value)
    return False


class ObjVal(dict[str, Any]):
    """An object or map. Keys are kept sorted (cty's order); ``loc`` is (file, line, end_line) of
    the object constructor that built it, when one did."""

    __slots__ = ("loc",)

    def __init__(self, items: Any = (), loc: tuple[str, int, int] | None = None) -> None:
        pairs = sorted(items.items()) if isinstance(items, dict) else sorted(items)
        super().__init__(pairs)
        self.loc = loc


class SetVal(list[Any]):
    """A set: duplicates removed, elements in cty's order (strings and numbers sorted)."""

    __slots__ = ()


def make_set(items: list[Any]) -> SetVal | Unk:
    if not is_known_shallow(items):
        return combine_unknown("set", items, type="set")
    seen: list[Any] = []
    for item in items:
        if not any(_same(item, s) for s in seen):
            seen.append(item)
    with contextlib.suppress(TypeError):
        seen.sort(key=_set_key)
    return SetVal(seen)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _set_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return (0, v)
    if isinstance(v, int | float) or type(v).__name__ == "Fraction":
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    return (3, repr(v))


def is_known_shallow(items: list[Any]) -> bool:
    return not any(isinstance(v, Unk) for v in items)


class LocatedStr(str):
    """A string written as a heredoc, quoted template or file: where its text starts."""

    __slots__ = ("file", "text_line")

    file: str
    text_line: int

    def __new__(cls, value: str, file: str, text_line: int) -> LocatedStr:
        obj = super().__new__(cls, value)
        obj.file = file
        obj.text_line = text_line
        return obj


class LocatedJson(str):
    """JSON text produced by ``jsonencode`` or a policy document, with the document it encodes
    and the (file, line, end_line) of each statement when known."""

    __slots__ = ("doc", "file", "line", "locs", "written")

    doc: Any
    file: str
    line: int
    locs: list[tuple[str, int, int] | None] | None
    written: str  # "jsonencode" or "policy-document": how a draft fix should be written

    def __new__(cls, value: str, doc: Any, file: str, line: int,
                locs: list[tuple[str, int, int] | None] | None, written: str = "jsonencode") -> LocatedJson:
        obj = super().__new__(cls, value)
        obj.doc = doc
        obj.file = file
        obj.line = line
        obj.locs = locs
        obj.written = written
        return obj


class Lazy:
    """Something whose attributes are computed on access: a resource instance, a module's
    outputs, a namespace (``var``, ``local``, ``data``). ``label`` is its address."""

    label: str = ""

    def get_attr(self, name: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def materialize(self) -> Any:
        """The value as a plain object (used by ``jsonencode(module.x)``, ``keys()``...)."""
        return Unk(self.label, f"{self.label} is only partly known before apply")


@dataclass
class Budget:
    """Evaluation work left: stops pathological inputs (huge ``range``, recursive templates)."""

    steps: int = 5_000_000
    collection_limit: int = 100_000
    string_limit: int = 8 * 1024 * 1024
    # The size of a value written out in full (a local that holds another twice, twenty times over,
    # is small in memory and a million-fold when encoded or walked): elements, plus 1 per 64
    # characters of its strings.
    weight_limit: int = 1_000_000
    deadline: float | None = None  # time.monotonic() after which evaluation stops


class _Absent:
    """An argument the configuration does not set (distinct from an explicit ``null``)."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()

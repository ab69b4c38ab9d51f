"""Terraform's list functions.

A list may hold an unknown element standing for zero or more elements (``concat(known,
var.extra)``): functions that only append keep the known part, functions that need the length
or a position answer unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources.terraform.convert import (
    EvalError,
    as_list,
    equals,
    to_bool,
    to_number,
    to_str,
    type_name,
    unknown_for_token,
)
from why403.sources.terraform.functions.base import Family, arity, as_many, unknown_length
from why403.sources.terraform.tfvalues import Lazy, Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

COLLECTIONS = Family("collection")


@COLLECTIONS.function("length")
def _length(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("length", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived(f"length({v.label})", type="number")
    if isinstance(v, Lazy):
        v = v.materialize()
        if isinstance(v, Unk):
            return v.derived("length(...)", type="number")
    if isinstance(v, str):
        if symbols.has_token(v):
            return unknown_for_token(v)
        return len(v)
    if isinstance(v, list):
        if unknown_length(v):
            return Unk("length(...)", "a list of unknown length", type="number")
        return len(v)
    if isinstance(v, dict):
        return len(v)
    raise EvalError(f"length() of a {type_name(v)}", line)


@COLLECTIONS.function("concat")
def _concat(ev: Evaluator, args: list[Any], line: int) -> Any:
    out: list[Any] = []
    for a in args:
        if isinstance(a, Unk):
            out.append(as_many(a))
            continue
        out.extend(as_list(a, "argument of concat()"))
    return out


@COLLECTIONS.unary("flatten", "list")
def _flatten(ev: Evaluator, value: Any, line: int) -> Any:
    out: list[Any] = []

    def walk(v: Any, depth: int) -> None:
        if depth > 100:
            raise EvalError("flatten(): nested too deeply", line)
        for x in v:
            if isinstance(x, list):
                walk(x, depth + 1)
            elif isinstance(x, Unk) and (x.type in (None, "list", "set") or x.many):
                out.append(as_many(x))
            else:
                out.append(x)

    walk(as_list(value, "argument of flatten()"), 0)
    return out


@COLLECTIONS.unary("distinct", "list")
def _distinct(ev: Evaluator, value: Any, line: int) -> Any:
    items = as_list(value, "argument of distinct()")
    if any(isinstance(x, Unk) for x in items):
        return combine_unknown("distinct(...)", items, type="list")
    out = dedupe(items)
    return out if out is not None else Unk("distinct(...)", "elements whose equality is not known", type="list")


def dedupe(items: list[Any]) -> list[Any] | None:
    """Items without repeats, first occurrence kept; None when tokens leave equality open."""
    out: list[Any] = []
    for x in items:
        found = False
        for y in out:
            r = equals(x, y)
            if r is True:
                found = True
                break
            if r is not False:
                return None
        if not found:
            out.append(x)
    return out


@COLLECTIONS.unary("compact", "list")
def _compact(ev: Evaluator, value: Any, line: int) -> Any:
    out: list[Any] = []
    for x in as_list(value, "argument of compact()"):
        if x is None or x == "":
            continue
        if isinstance(x, Unk):
            out.append(as_many(x))
        elif isinstance(x, str) and symbols.is_entirely_unknown(x):
            out.append(Unk(symbols.render(x), "may be empty", many=True))
        else:
            out.append(to_str(x))
    return out


@COLLECTIONS.list_and_value("element", what="argument of element()")
def _element(ev: Evaluator, items: list[Any], idx: Any, line: int) -> Any:
    i = to_number(idx, "index")
    if isinstance(i, Unk):
        return i.derived("element(...)")
    if not isinstance(i, int):
        raise EvalError("element(): the index must be a whole number", line)
    if unknown_length(items):
        return Unk("element(...)", "a list of unknown length")
    if not items:
        raise EvalError("element(): the list is empty", line)
    if i < 0:
        raise EvalError("element(): the index must not be negative", line)
    return items[i % len(items)]


@COLLECTIONS.function("coalesce")
def _coalesce(ev: Evaluator, args: list[Any], line: int) -> Any:
    for a in args:
        if isinstance(a, Unk):
            return a.derived("coalesce(...)")
        if a is None:
            continue
        if isinstance(a, str):
            if a == "":
                continue
            if symbols.is_entirely_unknown(a):
                return unknown_for_token(a)
        return a
    raise EvalError("coalesce(): no non-null, non-empty argument", line)


@COLLECTIONS.function("coalescelist")
def _coalescelist(ev: Evaluator, args: list[Any], line: int) -> Any:
    for a in args:
        if isinstance(a, Unk):
            return a.derived("coalescelist(...)", type="list")
        items = as_list(a, "argument of coalescelist()")
        if unknown_length(items):
            return Unk("coalescelist(...)", "a list of unknown length", type="list")
        if items:
            return a
    raise EvalError("coalescelist(): all lists are empty", line)


@COLLECTIONS.list_and_value("contains", "bool", "argument of contains()")
def _contains(ev: Evaluator, items: list[Any], v: Any, line: int) -> Any:
    unknown = False
    for x in items:
        r = equals(x, v)
        if r is True:
            return True
        if isinstance(r, Unk):
            unknown = True
    if unknown:
        return combine_unknown("contains(...)", [*items, v], type="bool")
    return False


@COLLECTIONS.list_and_value("index", "number")
def _index(ev: Evaluator, items: list[Any], v: Any, line: int) -> Any:
    for i, x in enumerate(items):
        r = equals(x, v)
        if r is True:
            return i
        if isinstance(r, Unk):
            return r.derived("index(...)", type="number")
    raise EvalError("index(): the value is not in the list", line)


@COLLECTIONS.function("slice")
def _slice(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("slice", args, 3)
    lst, a, b = args[0], to_number(args[1]), to_number(args[2])
    if isinstance(lst, Unk) or isinstance(a, Unk) or isinstance(b, Unk):
        return combine_unknown("slice(...)", [lst, a, b], type="list")
    items = as_list(lst)
    if not isinstance(a, int) or not isinstance(b, int) or a < 0 or b > len(items) or a > b:
        raise EvalError("slice(): index out of range", line)
    if unknown_length(items[:b]):
        return Unk("slice(...)", "a list of unknown length", type="list")
    return items[a:b]


@COLLECTIONS.unary("reverse", "list")
def _reverse(ev: Evaluator, value: Any, line: int) -> Any:
    items = as_list(value)
    if unknown_length(items):
        return Unk("reverse(...)", "a list of unknown length", type="list")
    return list(reversed(items))


@COLLECTIONS.unary("sort", "list")
def _sort(ev: Evaluator, value: Any, line: int) -> Any:
    strs = [to_str(x) for x in as_list(value)]
    if any(isinstance(s, Unk) or symbols.has_uncertain_token(s) for s in strs):
        return Unk("sort(...)", "elements known only after apply", type="list")
    return sorted(s for s in strs if isinstance(s, str))


@COLLECTIONS.unary("one")
def _one(ev: Evaluator, value: Any, line: int) -> Any:
    items = as_list(value)
    if unknown_length(items):
        return Unk("one(...)", "a list of unknown length")
    if not items:
        return None
    if len(items) > 1:
        raise EvalError("one(): the list has more than one element", line)
    return items[0]


@COLLECTIONS.of_known("chunklist", 2)
def _chunklist(ev: Evaluator, args: list[Any], line: int) -> Any:
    items, size = as_list(args[0]), to_number(args[1])
    if not isinstance(size, int) or size < 0:
        raise EvalError("chunklist(): bad size", line)
    if size == 0:
        return [items]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _all_or_any(name: str, decisive: bool) -> None:
    """``alltrue`` (one ``false`` decides) and ``anytrue`` (one ``true`` decides): an unknown
    element matters only when no element decides; an empty list gives ``not decisive``."""

    @COLLECTIONS.unary(name, "bool")
    def run(ev: Evaluator, value: Any, line: int) -> Any:
        vals = [to_bool(x) for x in as_list(value)]
        if any(v is decisive for v in vals):
            return decisive
        if any(isinstance(v, Unk) for v in vals):
            return combine_unknown(f"{name}(...)", vals, type="bool")
        return not decisive


_all_or_any("alltrue", False)
_all_or_any("anytrue", True)

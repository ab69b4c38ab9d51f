"""Terraform's map and set functions.

Maps iterate in key order (cty's); a map known only after apply (a module's outputs, a resource)
materializes first, and stays unknown when it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources.terraform.convert import EvalError, as_list, equals, to_str, type_name, unknown_for_token
from why403.sources.terraform.functions.base import Family, arity, unknown_length
from why403.sources.terraform.tfvalues import Lazy, ObjVal, Unk, combine_unknown, is_known, make_set

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

MAPS = Family("map")


def _map_arg(name: str, value: Any, line: int, type: str | None = None) -> dict[str, Any] | Unk:
    """The map argument of ``name``: materialized when lazy, unknown (labelled with what it came
    from) when not known, an error when not a map."""
    if isinstance(value, Lazy):
        value = value.materialize()
    if isinstance(value, Unk):
        return value.derived(f"{name}({value.label})", type=type)
    if not isinstance(value, dict):
        raise EvalError(f"{name}() needs a map, not a {type_name(value)}", line)
    return value


@MAPS.function("merge")
def _merge(ev: Evaluator, args: list[Any], line: int) -> Any:
    result: dict[str, Any] = {}
    for a in args:
        if a is None:
            continue
        if isinstance(a, Lazy):
            a = a.materialize()
        if isinstance(a, Unk):
            return a.derived("merge(...)", type="map")
        if not isinstance(a, dict):
            raise EvalError(f"merge() takes objects or maps, not a {type_name(a)}", line)
        result.update(a)
    return ObjVal(result)


@MAPS.function("lookup")
def _lookup(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("lookup", args, 2, 3)
    m = _map_arg("lookup", args[0], line)
    if isinstance(m, Unk):
        return m
    k = to_str(args[1], "key")
    if isinstance(k, Unk):
        return k.derived("lookup(...)")
    if k in m:
        return m[k]
    if symbols.has_uncertain_token(k):
        return unknown_for_token(k)
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup(): the key {k!r} is not in the map and no default was given", line)


def _listing(name: str, pick: Callable[[dict[str, Any], str], Any]) -> None:
    """``keys`` and ``values``: one element per key, in key order."""

    @MAPS.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 1)
        m = _map_arg(name, args[0], line, type="list")
        if isinstance(m, Unk):
            return m
        return [pick(m, k) for k in sorted(m)]


_listing("keys", lambda m, k: k)
_listing("values", lambda m, k: m[k])


@MAPS.function("zipmap")
def _zipmap(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("zipmap", args, 2)
    keys, vals = args
    if isinstance(keys, Unk) or isinstance(vals, Unk):
        return combine_unknown("zipmap(...)", [keys, vals], type="map")
    ks, vs = as_list(keys), as_list(vals)
    if not is_known(ks) or unknown_length(vs):
        return combine_unknown("zipmap(...)", ks, type="map")
    if len(ks) != len(vs):
        raise EvalError("zipmap(): lists of different lengths", line)
    out: dict[str, Any] = {}
    for k, v in zip(ks, vs, strict=True):
        s = to_str(k)
        if isinstance(s, Unk):
            return s
        out[s] = v
    return ObjVal(out)


@MAPS.of_known("transpose", 1)
def _transpose(ev: Evaluator, args: list[Any], line: int) -> Any:
    m = args[0]
    if not isinstance(m, dict):
        raise EvalError("transpose() needs a map of lists", line)
    out: dict[str, list[str]] = {}
    for k in sorted(m):
        for v in as_list(m[k]):
            s = to_str(v)
            assert isinstance(s, str)
            out.setdefault(s, []).append(k)
    return ObjVal({k: sorted(v) for k, v in out.items()})


def _union(result: list[Any], other: list[Any]) -> list[Any]:
    return result + other


def _intersection(result: list[Any], other: list[Any]) -> list[Any]:
    return [x for x in result if any(equals(x, y) is True for y in other)]


def _subtraction(result: list[Any], other: list[Any]) -> list[Any]:
    return [x for x in result if not any(equals(x, y) is True for y in other)]


def _set_op(name: str, step: Callable[[list[Any], list[Any]], list[Any]]) -> None:
    @MAPS.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        if not args:
            raise EvalError(f"{name}() needs arguments", line)
        if not all(is_known(a) for a in args) or any(
                isinstance(x, str) and symbols.has_uncertain_token(x) for a in args for x in as_list(a)):
            return combine_unknown(f"{name}(...)", args, type="set")
        sets = [list(as_list(a)) for a in args]
        result = sets[0]
        for other in sets[1:]:
            result = step(result, other)
        return make_set(result)


_set_op("setunion", _union)
_set_op("setintersection", _intersection)
_set_op("setsubtract", _subtraction)

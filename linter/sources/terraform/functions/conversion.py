"""Terraform's type conversion functions (and ``sensitive``, which only marks a value).

Null converts to null; mixed primitive elements of a list, set or map convert to strings, as
cty unifies them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import (
    EvalError,
    as_list,
    to_bool,
    to_number,
    to_str,
    type_name,
    unify_primitives,
)
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.functions.collections import dedupe
from why403.sources.terraform.tfvalues import ObjVal, Unk, combine_unknown, make_set

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

CONVERSION = Family("type conversion")


@CONVERSION.unary("tolist", "list")
def _tolist(ev: Evaluator, value: Any, line: int) -> Any:
    if value is None:
        return None
    return unify_primitives(list(as_list(value, "argument of tolist()")))


@CONVERSION.unary("toset", "set")
def _toset(ev: Evaluator, value: Any, line: int) -> Any:
    if value is None:
        return None
    items = unify_primitives(list(as_list(value, "argument of toset()")))
    if any(isinstance(x, Unk) for x in items):
        return combine_unknown("toset(...)", items, type="set")
    unique = dedupe(items)
    if unique is None:
        # Two tokens could stand for the same value: the size of the set is not known.
        return Unk("toset(...)", "elements whose equality is not known", type="set")
    return make_set(unique)


@CONVERSION.unary("tomap", "map")
def _tomap(ev: Evaluator, value: Any, line: int) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EvalError(f"tomap() needs an object, not a {type_name(value)}", line)
    keys = list(value)
    values = unify_primitives([value[k] for k in keys])
    return ObjVal(dict(zip(keys, values, strict=True)))


@CONVERSION.function("tostring")
def _tostring(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("tostring", args, 1)
    v = args[0]
    if v is None:
        return None
    if isinstance(v, list | dict):
        raise EvalError("tostring() of a collection", line)
    return to_str(v)


def _to_primitive(name: str, convert: Callable[[Any], Any]) -> None:
    """``tonumber``/``tobool``: null stays null, anything else converts (or is an error)."""

    @CONVERSION.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 1)
        return None if args[0] is None else convert(args[0])


_to_primitive("tonumber", to_number)
_to_primitive("tobool", to_bool)


def _identity(name: str) -> None:
    """``sensitive``/``nonsensitive`` change how Terraform displays a value, not the value."""

    @CONVERSION.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 1)
        return args[0]


_identity("sensitive")
_identity("nonsensitive")

"""Type conversions, string conversion and comparison of evaluator values, as cty does them.

Shared by the evaluator (templates, operators) and the functions, so ``"${1/3}"``, ``join`` and
``jsonencode`` write numbers the same way Terraform does, and ``==`` on values holding tokens
answers unknown instead of guessing.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from why403.model import symbols
from why403.sources.terraform.numbers import format_number, parse_number
from why403.sources.terraform.tfvalues import Lazy, SetVal, Unk, combine_unknown, is_known

TOKEN_RE = re.compile(symbols.OPEN + r"([a-z])([^" + symbols.OPEN + symbols.CLOSE + r"]*)" + symbols.CLOSE)


class EvalError(Exception):
    """An expression Terraform itself would reject (wrong type, missing key, bad index)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def is_number(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, Fraction)


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, SetVal):
        return "set"
    if isinstance(v, list):
        return "tuple"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, Unk):
        return "unknown"
    return "object"


def to_str(v: Any, what: str = "value") -> str | Unk:
    """String conversion (template interpolation, ``tostring``, string arguments)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_number(v):
        return format_number(v)
    if isinstance(v, Unk):
        return v
    if v is None:
        raise EvalError(f"the {what} is null; a string is required")
    raise EvalError(f"the {what} is a {type_name(v)}; a string is required")


def to_number(v: Any, what: str = "value") -> Any:
    if is_number(v):
        return v
    if isinstance(v, Unk):
        return v
    if isinstance(v, str):
        if symbols.has_token(v):
            return Unk(f"tonumber({symbols.render(v)})", "a number written with an unknown part")
        n = parse_number(v)
        if n is None:
            raise EvalError(f"a number is required, not the string {v!r}")
        return n
    raise EvalError(f"the {what} is a {type_name(v)}; a number is required")


def to_bool(v: Any, what: str = "value") -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, Unk):
        return v
    if isinstance(v, str):
        if v == "true":
            return True
        if v == "false":
            return False
        if symbols.has_token(v):
            return Unk(f"tobool({symbols.render(v)})", "a bool written with an unknown part")
    raise EvalError(f"the {what} is a {type_name(v)}; a bool is required")


def unknown_for_token(s: str) -> Unk:
    """An unknown standing for a token string being changed (case, length, regex...)."""
    return Unk(symbols.render(s), f"{symbols.render(s)} is not known before apply")


def equals(a: Any, b: Any) -> Any:
    """``==``: True/False, or an :class:`Unk` when tokens or unknowns decide it."""
    if isinstance(a, Unk) or isinstance(b, Unk):
        first = a if isinstance(a, Unk) else b
        return combine_unknown(f"{first.label} == ...", [a, b], type="bool")
    if isinstance(a, Lazy) or isinstance(b, Lazy):
        if a is b:
            return True
        return Unk("comparison", "comparison of objects known only after apply", type="bool")
    if isinstance(a, str) and isinstance(b, str):
        r = symbols.tri_equals(a, b)
        return Unk("comparison", f"{symbols.render(a)} == {symbols.render(b)} depends on values known after apply",
                   type="bool") if r is None else r
    if type_name(a) != type_name(b):
        if (isinstance(a, list) and isinstance(b, list)) or (isinstance(a, dict) and isinstance(b, dict)):
            pass
        else:
            return False
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False if is_known(a) and is_known(b) else Unk("comparison", "unknown list", type="bool")
        results = [equals(x, y) for x, y in zip(a, b, strict=True)]
        if any(r is False for r in results):
            return False
        if all(r is True for r in results):
            return True
        return Unk("comparison", "comparison of unknown elements", type="bool")
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        results = [equals(a[k], b[k]) for k in a]
        if any(r is False for r in results):
            return False
        if all(r is True for r in results):
            return True
        return Unk("comparison", "comparison of unknown attributes", type="bool")
    return bool(a == b)


def truthy(v: Any, what: str = "condition") -> Any:
    """A condition's value: bool, or Unk; anything else is an error (as in Terraform)."""
    if isinstance(v, bool | Unk):
        return v
    if isinstance(v, str):
        return to_bool(v, what)
    if v is None:
        raise EvalError(f"the {what} is null")
    raise EvalError(f"the {what} is a {type_name(v)}; a bool is required")


def as_list(v: Any, what: str = "value") -> list[Any]:
    """A list/tuple/set argument (objects are not lists)."""
    if isinstance(v, list):
        return v
    raise EvalError(f"the {what} is a {type_name(v)}; a list is required")


def unify_primitives(values: list[Any]) -> list[Any]:
    """Mixed primitive element types convert to string (``tomap({a=1, b="x"})``, ``toset([1, "a"])``)."""
    kinds = {type_name(v) for v in values if v is not None and not isinstance(v, Unk)}
    if len(kinds) > 1 and kinds <= {"string", "number", "bool"}:
        return [to_str(v) if v is not None and not isinstance(v, Unk) else v for v in values]
    return values

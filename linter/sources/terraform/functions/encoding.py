"""Terraform's encoding functions: JSON (the shape most policies are written in) and base64.

``jsonencode`` of a value with unknown parts still carries the document it encodes, with
:class:`~why403.model.values.Unknown` markers where the value is open, and the line of each
statement, so a policy built in HCL is judged statement by statement.
"""

from __future__ import annotations

import base64
import json
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.values import Unknown
from why403.sources.terraform.convert import EvalError, is_number, unknown_for_token
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.numbers import format_number, norm, parse_decimal
from why403.sources.terraform.tfvalues import (
    Lazy,
    LocatedJson,
    ObjVal,
    Unk,
    any_part,
    combine_unknown,
    is_known,
)

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

ENCODING = Family("encoding")

def to_json_like(value: Any, depth: int = 0) -> Any:
    """A value as a JSON-like document: unknown scalars stay tokens, unknown collections become
    :class:`~why403.model.values.Unknown` markers (the policy parser understands both)."""
    if depth > 200:
        raise EvalError("value nested too deeply")
    if isinstance(value, Unk):
        if value.type in ("string", "number", "bool"):
            return symbols.unknown(value.label)
        return Unknown(f"{value.label}: {value.reason}")
    if isinstance(value, Lazy):
        return Unknown(f"{value.label} is only known after apply")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value) if isinstance(value, str) else value
    if is_number(value):
        return value
    if isinstance(value, dict):
        return {k: to_json_like(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_like(v, depth + 1) for v in value]
    raise EvalError(f"cannot encode a {type(value).__name__}")



def has_markers(doc: Any) -> bool:
    """Whether a JSON-like document holds an unknown collection."""
    return any_part(doc, lambda v: isinstance(v, Unknown))


def dumps(doc: Any, indent: bool = False, sort_keys: bool = True) -> str:
    """JSON text as Terraform writes it: keys sorted, ``<``, ``>``, ``&`` escaped, numbers exact.

    ``sort_keys=False`` keeps the order of the mapping, as the AWS provider's
    ``aws_iam_policy_document`` does for its output."""
    return _dump(doc, "  " if indent else None, 0, sort_keys)


def _dump(v: Any, indent: str | None, level: int, sort_keys: bool = True) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return json_string(v)
    if is_number(v):
        return format_number(v)
    if isinstance(v, dict):
        if not v:
            return "{}"
        colon = ":" if indent is None else ": "
        items = [f"{json_string(k)}{colon}{_dump(v[k], indent, level + 1, sort_keys)}"
                 for k in (sorted(v) if sort_keys else v)]
        return _wrap("{", "}", items, indent, level)
    if isinstance(v, list):
        if not v:
            return "[]"
        return _wrap("[", "]", [_dump(x, indent, level + 1, sort_keys) for x in v], indent, level)
    raise EvalError(f"cannot encode {type(v).__name__}")


def _wrap(open_: str, close: str, items: list[str], indent: str | None, level: int) -> str:
    if indent is None:
        return open_ + ",".join(items) + close
    pad = "\n" + indent * (level + 1)
    return open_ + pad + ("," + pad).join(items) + "\n" + indent * level + close


def json_string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def statement_locs(value: Any) -> list[tuple[str, int, int] | None] | None:
    """Where each statement of a policy object was written (from the object constructors)."""
    if not isinstance(value, dict):
        return None
    stmts = value.get("Statement")
    if isinstance(stmts, ObjVal):
        return [stmts.loc]
    if isinstance(stmts, list):
        return [s.loc if isinstance(s, ObjVal) else None for s in stmts]
    return None


@ENCODING.function("jsonencode")
def jsonencode(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("jsonencode", args, 1)
    value = args[0]
    if isinstance(value, Unk):
        return value.derived("jsonencode(...)", type="string")
    doc = to_json_like(value)
    locs = statement_locs(value)
    loc = value.loc if isinstance(value, ObjVal) else None
    file, first = (loc[0], loc[1]) if loc else ("", line)
    if has_markers(doc) or not is_known(value):
        u = combine_unknown("jsonencode(...)", [value], type="string")
        u.doc = doc
        u.locs = locs
        return u
    text = dumps(doc)
    return LocatedJson(text, doc, file, first, locs)


@ENCODING.function("jsondecode")
def jsondecode(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("jsondecode", args, 1)
    text = args[0]
    if isinstance(text, Unk):
        if text.doc is not None:
            return _from_json_like(text.doc, text)
        return text.derived("jsondecode(...)")
    if isinstance(text, LocatedJson):
        return _from_json_like(text.doc, None)
    if not isinstance(text, str):
        raise EvalError("jsondecode() needs a string", line)
    try:
        doc = json.loads(text, parse_float=parse_decimal, parse_int=parse_decimal)
    except (ValueError, RecursionError) as exc:
        if symbols.has_token(text):
            return unknown_for_token(text)
        raise EvalError(f"jsondecode(): invalid JSON ({exc})", line) from None
    return _from_json_like(doc, None)


def _from_json_like(doc: Any, unk: Unk | None, depth: int = 0) -> Any:
    if depth > 200:
        raise EvalError("JSON nested too deeply")
    if isinstance(doc, Unknown):
        return Unk("jsondecode(...)", doc.reason, unk.sources if unk else frozenset())
    if isinstance(doc, dict):
        return ObjVal({k: _from_json_like(v, unk, depth + 1) for k, v in doc.items()})
    if isinstance(doc, list):
        return [_from_json_like(v, unk, depth + 1) for v in doc]
    if isinstance(doc, Fraction):
        return norm(doc)
    return doc


# -- strings ------------------------------------------------------------------------------------



@ENCODING.string("base64encode")
def _base64encode(ev: Evaluator, s: str, line: int) -> Any:
    if symbols.has_token(s):
        return unknown_for_token(s)
    return base64.b64encode(s.encode("utf-8")).decode("ascii")


@ENCODING.string("base64decode")
def _base64decode(ev: Evaluator, s: str, line: int) -> Any:
    if symbols.has_token(s):
        return unknown_for_token(s)
    try:
        return base64.b64decode(s, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode(): invalid input", line) from None

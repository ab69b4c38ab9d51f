"""Reaching into a value: ``obj.name``, ``obj[key]``, as Terraform does (cty's rules for lists, sets,
maps and objects), unknown where the value or the key is, and an :class:`~.convert.EvalError`
where Terraform refuses. Values that compute themselves on demand (:class:`~.tfvalues.Lazy`: a
resource, a module's outputs) answer for themselves, so only what is read is evaluated.
"""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.sources.terraform.convert import EvalError, to_number, to_str, type_name
from why403.sources.terraform.tfvalues import Lazy, SetVal, Unk


def get_attr(obj: Any, name: str, line: int) -> Any:
    """``obj.name``."""
    if isinstance(obj, Lazy):
        return obj.get_attr(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError(f"this object has no attribute {name!r}", line)
    if isinstance(obj, Unk):
        return obj.derived(f"{obj.label}.{name}")
    if obj is None:
        raise EvalError(f"attempt to get attribute {name!r} from a null value", line)
    raise EvalError(f"a {type_name(obj)} has no attribute {name!r}", line)


def index(obj: Any, key: Any, line: int) -> Any:
    """``obj[key]``: a list by a whole number, a map or object by a string; never a set."""
    if isinstance(obj, Lazy):
        getter = getattr(obj, "get_index", None)
        if getter is not None:
            return getter(key)
        obj = obj.materialize()
    if isinstance(obj, Unk):
        return obj.derived(f"{obj.label}[{_key_text(key)}]")
    if isinstance(key, Unk):
        return key.derived(f"element {key.label}", f"the index {key.label} is not known")
    if isinstance(obj, list):
        if isinstance(obj, SetVal):
            raise EvalError("elements of a set cannot be accessed by index", line)
        n = to_number(key, "index")
        if isinstance(n, Unk):
            return n
        if not isinstance(n, int):
            raise EvalError("the index must be a whole number", line)
        for i, item in enumerate(obj):
            if isinstance(item, Unk) and item.many and i <= n:
                return item.derived(f"{item.label}[{n}]")
        if n < 0 or n >= len(obj):
            raise EvalError(f"index {n} is out of range for a list of {len(obj)}", line)
        return obj[n]
    if isinstance(obj, dict):
        k = to_str(key, "key")
        if isinstance(k, Unk):
            return k
        if k in obj:
            return obj[k]
        if symbols.has_uncertain_token(k) and any(symbols.tri_equals(k, other) is None for other in obj):
            return Unk(f"[{symbols.render(k)}]", f"the key {symbols.render(k)} is not known")
        raise EvalError(f"the key {k!r} is not in this map", line)
    if obj is None:
        raise EvalError("attempt to index a null value", line)
    raise EvalError(f"a {type_name(obj)} cannot be indexed", line)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return f'"{key}"'
    if isinstance(key, Unk):
        return key.label
    return str(key)

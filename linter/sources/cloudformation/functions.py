"""CloudFormation's intrinsic functions (``Fn::Sub``, ``Fn::Join``, ``Fn::FindInMap``...), each a
function of the resolver and its argument; the resolver dispatches ``Fn::`` keys through
:data:`FUNCTIONS`. A function whose answer depends on what the template leaves open answers an
unknown token (a string) or :class:`~why403.model.values.Unknown` (anything else), never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.values import MaybePresent, Unknown
from why403.sources.cloudformation.nodes import NOVALUE, same, text

if TYPE_CHECKING:
    from why403.sources.cloudformation.intrinsics import Resolver

_SUB_RE = re.compile(r"\$\{([^}]*)\}")


def _getatt(r: Resolver, arg: Any) -> Any:
    if isinstance(arg, str) and "." in arg:
        lid, attr = arg.split(".", 1)
        return r.getatt(lid, attr)
    if isinstance(arg, list) and len(arg) == 2:
        return r.getatt(arg[0], arg[1])
    return symbols.unknown("Fn::GetAtt")


def _sub(r: Resolver, arg: Any) -> Any:
    variables: dict[str, Any] = {}
    if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
        template, raw_vars = arg
        variables = {str(k): v for k, v in raw_vars.items()}
    else:
        template = arg
    if not isinstance(template, str):
        return symbols.unknown("Fn::Sub")

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in variables:
            return text(r.value(variables[name]), name)
        if name in r.params or name.startswith("AWS::") or name in r.resources:
            found = r.ref(name)
        elif "." in name:
            lid, attr = name.split(".", 1)
            found = r.getatt(lid, attr)
        else:
            found = symbols.unknown(name)
        if found is NOVALUE:
            return ""
        return text(found, name)

    return _SUB_RE.sub(repl, template)


def _join(r: Resolver, arg: Any) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return symbols.unknown("Fn::Join")
    delim = text(r.value(arg[0]), "Fn::Join delimiter")
    items = r.value(arg[1])
    if not isinstance(items, list):
        return symbols.unknown("Fn::Join of an unknown list")
    parts = []
    for item in items:
        if isinstance(item, MaybePresent):
            return symbols.unknown("Fn::Join with a conditional element")
        parts.append(text(item, "Fn::Join element"))
    return delim.join(parts)


def _select(r: Resolver, arg: Any) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return symbols.unknown("Fn::Select")
    index_raw = r.value(arg[0])
    items = r.value(arg[1])
    try:
        index = int(index_raw)
    except (TypeError, ValueError):
        return symbols.unknown("Fn::Select index")
    if not isinstance(items, list):
        return symbols.unknown("Fn::Select of an unknown list")
    if any(isinstance(i, MaybePresent) for i in items[: index + 1]):
        return symbols.unknown("Fn::Select over conditional elements")
    if not 0 <= index < len(items):
        return symbols.unknown("Fn::Select index out of range")
    return items[index]


def _split(r: Resolver, arg: Any) -> Any:
    if not (isinstance(arg, list) and len(arg) == 2):
        return Unknown("Fn::Split")
    delim = r.value(arg[0])
    source = r.value(arg[1])
    if not isinstance(delim, str) or not isinstance(source, str) or not delim:
        return Unknown("Fn::Split of an unknown string")
    if symbols.has_uncertain_token(source):
        return Unknown("Fn::Split of a string that holds unknown values")
    return source.split(delim)


def _if(r: Resolver, arg: Any) -> Any:
    if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
        return Unknown("malformed Fn::If")
    truth = r.condition(arg[0])
    if truth is True:
        return r.value(arg[1])
    if truth is False:
        return r.value(arg[2])
    a, b = r.value(arg[1]), r.value(arg[2])
    if same(a, b):
        return a
    reason = r.condition_reason(arg[0])
    if isinstance(a, str) and isinstance(b, str):
        return symbols.unknown(f"Fn::If {arg[0]}")
    return Unknown(reason)


def _find_in_map(r: Resolver, arg: Any) -> Any:
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        return symbols.unknown("Fn::FindInMap")
    default = NOVALUE
    if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
        default = r.value(arg[3]["DefaultValue"])
    name, top, second = (r.value(a) for a in arg[:3])
    mapping = r.mappings.get(name) if isinstance(name, str) else None
    if not isinstance(mapping, dict):
        return symbols.unknown("Fn::FindInMap")
    if _definite(top) and _definite(second):
        inner = mapping.get(text(top, "key"))
        if isinstance(inner, dict) and text(second, "key") in inner:
            return r.value(inner[text(second, "key")])
        return default if default is not NOVALUE else symbols.unknown(f"Fn::FindInMap {name} (no entry)")
    results: list[Any] = []
    for t in _candidates(mapping, top):
        inner = mapping[t]
        if isinstance(inner, dict):
            results.extend(r.value(inner[s]) for s in _candidates(inner, second))
    if default is not NOVALUE:
        results.append(default)
    if results and all(same(results[0], r) for r in results):
        return results[0]
    if all(isinstance(r, str) for r in results):
        return symbols.unknown(f"Fn::FindInMap {name}")
    return Unknown(f"Fn::FindInMap {name} with a key the template leaves open")


def _import(r: Resolver, arg: Any) -> Any:
    name = r.value(arg)
    if not isinstance(name, str):
        return symbols.unknown("Fn::ImportValue")
    if r.exports is not None:
        if name in r.exports:
            r.imports_found.add(name)
            return r.exports[name]
        if symbols.has_uncertain_token(name):
            matches = [k for k in r.exports if symbols.tri_equals(k, name) is not False]
            if len(matches) == 1 and not any(symbols.tri_equals(k, name) is None for k in r.exports):
                r.imports_found.add(matches[0])
                return r.exports[matches[0]]
    r.imports_missing.add(name)
    return symbols.unknown(f"ImportValue {symbols.render(name)}")


def _to_json(r: Resolver, arg: Any) -> Any:
    v = r.value(arg)
    if _has_markers(v):
        return symbols.unknown("Fn::ToJsonString")
    return json.dumps(v, separators=(",", ":"))


def _length(r: Resolver, arg: Any) -> Any:
    v = r.value(arg)
    if isinstance(v, list) and not any(isinstance(i, MaybePresent) for i in v):
        return len(v)
    return Unknown("Fn::Length of a list the template leaves open")


def _has_markers(v: Any) -> bool:
    if isinstance(v, Unknown | MaybePresent) or v is NOVALUE:
        return True
    if isinstance(v, str):
        return symbols.has_uncertain_token(v)
    if isinstance(v, dict):
        return any(_has_markers(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_markers(x) for x in v)
    return False


def _candidates(mapping: Mapping[str, Any], key: Any) -> list[str]:
    """Keys of ``mapping`` that ``key`` may stand for (all of them when it is unknown)."""
    if isinstance(key, str) and not symbols.has_uncertain_token(key):
        return [key] if key in mapping else []
    if isinstance(key, str):
        return [k for k in mapping if symbols.tri_equals(k, key) is not False]
    if isinstance(key, bool | int | float):
        k = text(key, "key")
        return [k] if k in mapping else []
    return list(mapping)


def _definite(v: Any) -> bool:
    return isinstance(v, str | int | float) and not (isinstance(v, str) and symbols.has_uncertain_token(v))


def _cond_fn(key: str) -> Callable[[Resolver, Any], Any]:
    def run(r: Resolver, arg: Any) -> Any:
        truth = r.cond_expr({key: arg})
        return Unknown(f"{key} cannot be decided") if truth is None else truth
    return run


def _unknown_fn(reason: str) -> Callable[[Resolver, Any], Any]:
    def run(r: Resolver, arg: Any) -> Any:
        return Unknown(reason)
    return run


def _unknown_text(label: str) -> Callable[[Resolver, Any], Any]:
    def run(r: Resolver, arg: Any) -> Any:
        return symbols.unknown(label)
    return run


FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import,
    "Fn::ToJsonString": _to_json,
    "Fn::Length": _length,
    "Fn::GetAZs": _unknown_fn("Fn::GetAZs: the availability zones are known at deploy time"),
    "Fn::Cidr": _unknown_fn("Fn::Cidr is not evaluated"),
    "Fn::Base64": _unknown_text("Fn::Base64"),
    "Fn::Transform": _unknown_fn("Fn::Transform runs a macro at deploy time"),
    "Fn::Equals": _cond_fn("Fn::Equals"),
    "Fn::And": _cond_fn("Fn::And"),
    "Fn::Or": _cond_fn("Fn::Or"),
    "Fn::Not": _cond_fn("Fn::Not"),
}

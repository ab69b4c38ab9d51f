"""Variable type constraints: ``list(string)``, ``set(...)``, ``object({a = optional(bool, true)})``.

A variable's value is converted to its declared type before use, which matters for policies:
``set(string)`` sorts and de-duplicates, ``optional()`` attributes get their defaults so that
``var.settings.enabled`` exists, numbers given as strings become numbers. A value that does not
convert is left as written (Terraform would refuse it; why403 stays lenient and says nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from why403.sources.terraform.convert import EvalError, is_number, to_bool, to_number, to_str
from why403.sources.terraform.syntax import Call, Expr, Lit, ObjectExpr, ScopeRef, TupleExpr
from why403.sources.terraform.tfvalues import Lazy, ObjVal, Unk, make_set


@dataclass(frozen=True)
class TypeSpec:
    kind: str  # any string number bool list set map tuple object
    elem: TypeSpec | None = None
    elems: tuple[TypeSpec, ...] = ()
    attrs: tuple[tuple[str, TypeSpec, bool, Expr | None], ...] = ()  # name, type, optional, default

    @property
    def unknown_type(self) -> str | None:
        """The ``Unk.type`` for a value of this type."""
        if self.kind in ("string", "number", "bool", "list", "set", "map"):
            return self.kind
        if self.kind == "tuple":
            return "list"
        if self.kind == "object":
            return "map"
        return None


ANY = TypeSpec("any")


def parse_type(expr: Expr | None) -> TypeSpec:
    """A type constraint expression (as parsed) -> :class:`TypeSpec` (``any`` when unreadable)."""
    if expr is None:
        return ANY
    if isinstance(expr, ScopeRef):
        return TypeSpec(expr.name) if expr.name in ("string", "number", "bool", "any") else ANY
    if isinstance(expr, Lit) and isinstance(expr.value, str):
        return TypeSpec(expr.value) if expr.value in ("string", "number", "bool", "any") else ANY
    if isinstance(expr, Call) and expr.args:
        arg = expr.args[0]
        if expr.name in ("list", "set", "map"):
            return TypeSpec(expr.name, elem=parse_type(arg))
        if expr.name == "tuple" and isinstance(arg, TupleExpr):
            return TypeSpec("tuple", elems=tuple(parse_type(e) for e in arg.items))
        if expr.name == "object" and isinstance(arg, ObjectExpr):
            attrs = []
            for key, value in arg.items:
                if not (isinstance(key, Lit) and isinstance(key.value, str)):
                    continue
                optional = False
                default: Expr | None = None
                if isinstance(value, Call) and value.name == "optional" and value.args:
                    optional = True
                    default = value.args[1] if len(value.args) > 1 else None
                    value = value.args[0]
                attrs.append((key.value, parse_type(value), optional, default))
            return TypeSpec("object", attrs=tuple(attrs))
    return ANY


def convert(value: Any, spec: TypeSpec, default_of: Any = None) -> Any:
    """Convert ``value`` to ``spec``. ``default_of(expr)`` evaluates an ``optional()`` default."""
    try:
        return _convert(value, spec, default_of, 0)
    except EvalError:
        return value


def _convert(value: Any, spec: TypeSpec, default_of: Any, depth: int) -> Any:
    if depth > 50 or value is None or spec.kind == "any":
        return value
    if isinstance(value, Unk):
        if value.type is None and spec.unknown_type is not None:
            return Unk(value.label, value.reason, value.sources, many=value.many, type=spec.unknown_type)
        return value
    if isinstance(value, Lazy):
        return value
    kind = spec.kind
    if kind == "string":
        if isinstance(value, bool) or is_number(value):
            return to_str(value)
        return value
    if kind == "number":
        return to_number(value) if isinstance(value, str) else value
    if kind == "bool":
        return to_bool(value) if isinstance(value, str) else value
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            return value
        if kind == "tuple":
            return [_convert(v, s, default_of, depth + 1) for v, s in zip(value, spec.elems, strict=False)]
        assert spec.elem is not None
        items = [v if isinstance(v, Unk) and v.many else _convert(v, spec.elem, default_of, depth + 1)
                 for v in value]
        if kind == "set":
            return make_set(items)  # an unknown set is already typed "set"
        return items
    if kind == "map":
        if not isinstance(value, dict):
            return value
        assert spec.elem is not None
        return ObjVal({k: _convert(v, spec.elem, default_of, depth + 1) for k, v in value.items()},
                      value.loc if isinstance(value, ObjVal) else None)
    if kind == "object":
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for name, attr_spec, optional, default in spec.attrs:
            if name in value and value[name] is not None:
                out[name] = _convert(value[name], attr_spec, default_of, depth + 1)
            elif optional:
                d = default_of(default) if (default is not None and default_of is not None) else None
                out[name] = _convert(d, attr_spec, default_of, depth + 1)
            else:
                out[name] = None
        return ObjVal(out, value.loc if isinstance(value, ObjVal) else None)
    return value

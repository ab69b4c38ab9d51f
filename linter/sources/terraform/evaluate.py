"""The expression evaluator: :mod:`.syntax` expressions -> values, unknown where the sources are.

It follows Terraform's language semantics (cty types, HCL templates and ``for`` expressions,
splats, conditionals) closely enough to be held against ``terraform`` itself by the differential
tests. Whatever it cannot determine becomes an :class:`~.tfvalues.Unk` that remembers which inputs
would decide it; whatever Terraform would reject raises :class:`~.convert.EvalError`. Names
(``var``, ``local``, ``aws_s3_bucket``, ``module``...) are resolved by the scope's module, so this
module knows nothing about configurations.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from why403.model import symbols
from why403.sources.terraform import operators, traversal
from why403.sources.terraform.convert import (
    EvalError,
    to_str,
    truthy,
    type_name,
)
from why403.sources.terraform.numbers import NumberOutOfRange, norm
from why403.sources.terraform.syntax import (
    BigNumber,
    BinOp,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Index,
    Interp,
    Lit,
    ObjectExpr,
    Paren,
    ScopeRef,
    Splat,
    Template,
    TFor,
    TIf,
    TPart,
    TupleExpr,
    Unary,
)
from why403.sources.terraform.tfvalues import (
    Budget,
    Lazy,
    LocatedStr,
    ObjVal,
    SetVal,
    Unk,
)

if TYPE_CHECKING:
    from why403.sources.terraform.functions import FunctionTable


class Resolver(Protocol):
    """What a scope needs from its module: the value of a root name (``var``, ``aws_s3_bucket``)."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any: ...


@dataclass(frozen=True)
class Scope:
    module: Resolver
    file: str
    bindings: Mapping[str, Any] = field(default_factory=dict)

    def bind(self, values: Mapping[str, Any]) -> Scope:
        merged = dict(self.bindings)
        merged.update(values)
        return Scope(self.module, self.file, merged)


class BudgetExceeded(Exception):
    """Evaluation did more work than any real configuration needs; the run stops evaluating."""


# A backstop only, far above the time any evaluation within the step budget takes (the steps, not
# the clock, decide where evaluation stops): when it stops a root, the note says so, since only then
# do the findings depend on the machine's speed.
BACKSTOP_SECONDS = 300.0
STEPS_EXHAUSTED = "the configuration needs more work than why403 allows"
BACKSTOP_REACHED = (f"reading the root module took more than {BACKSTOP_SECONDS:.0f} s (a time limit beyond the "
                    "work limit, so what was read before it depends on the machine's speed)")


class Evaluator:
    """Evaluates expressions. ``tokens`` remembers which inputs decide each unknown token that
    went into a string, so a note can name them even after the value became text."""

    def __init__(self, functions: FunctionTable, budget: Budget | None = None) -> None:
        self.functions = functions
        self.budget = budget or Budget()
        self.token_sources: dict[str, frozenset[str]] = {}
        self._weights: dict[int, tuple[Any, int]] = {}  # id -> (the value, kept alive, its weight)

    # -- entry points ---------------------------------------------------------------------------

    def eval(self, expr: Expr, scope: Scope) -> Any:
        budget = self.budget
        budget.steps -= 1
        if budget.steps <= 0:
            raise BudgetExceeded(f"evaluation stopped: {STEPS_EXHAUSTED}")
        if budget.steps & 0x3FF == 0 and budget.deadline is not None and time.monotonic() > budget.deadline:
            raise BudgetExceeded(f"evaluation stopped: {BACKSTOP_REACHED}")
        kind = type(expr)
        try:
            value = _DISPATCH[kind](self, expr, scope)
        except NumberOutOfRange as exc:
            raise EvalError(str(exc), expr.line) from None
        if kind is Template and isinstance(value, str) and len(value) >= 4096:
            self.charge(len(value) >> 6)
        if isinstance(value, list | dict):
            self.weigh(value, expr.line)
        return value

    def charge(self, steps: int) -> None:
        """Count work that is not one step: building a long string, a function walking a big
        value. A step costs about the same whatever the values, so the step budget, not the clock,
        bounds the time a root takes (1 step per 64 characters, as :meth:`weigh` counts them)."""
        self.budget.steps -= steps
        if self.budget.steps <= 0:
            raise BudgetExceeded(f"evaluation stopped: {STEPS_EXHAUSTED}")

    def size(self, value: Any, line: int = 0) -> int:
        """What walking ``value`` costs in steps: its weight, strings 1 per 64 characters."""
        if isinstance(value, str):
            return len(value) >> 6
        if isinstance(value, list | dict):
            return self.weigh(value, line)
        return 0

    def weigh(self, value: list[Any] | dict[str, Any], line: int = 0) -> int:
        """The size of ``value`` written out in full, remembered per value (so a value built from
        others costs only its own elements); :class:`EvalError` beyond ``budget.weight_limit``."""
        memo = self._weights
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        limit = self.budget.weight_limit
        total = 1
        for item in value.values() if isinstance(value, dict) else value:
            if isinstance(item, str):
                total += 1 + len(item) // 64
            elif isinstance(item, list | dict):
                total += self.weigh(item, line)
            else:
                total += 1
            if total > limit:
                raise EvalError(f"a value of more than {limit} elements written out in full is more than why403 "
                                "evaluates (a value built from itself many times over?)", line)
        if len(memo) > 200_000:
            memo.clear()
        memo[id(value)] = (value, total)
        return total

    def token_for(self, u: Unk) -> str:
        """The string token standing for an unknown inside text."""
        tok = symbols.unknown(u.label)
        if u.sources:
            self.token_sources[tok] = self.token_sources.get(tok, frozenset()) | u.sources
        return tok

    def string_of(self, v: Any, what: str = "value") -> str:
        """String conversion, with unknowns becoming tokens (for text that is partly known)."""
        s = to_str(v, what)
        if isinstance(s, Unk):
            return self.token_for(s)
        if len(s) > self.budget.string_limit:
            raise EvalError("string too long")
        return s

    # -- literals and templates -----------------------------------------------------------------

    def _lit(self, expr: Lit, scope: Scope) -> Any:
        v = expr.value
        if isinstance(v, Fraction):
            return norm(v)
        if isinstance(v, BigNumber):
            raise EvalError(f"the number {v[:40]} is out of the range why403 evaluates (10^-1000 to 10^1000)",
                            expr.line)
        return v

    def _template(self, expr: Template, scope: Scope) -> Any:
        parts = expr.parts
        if len(parts) == 1 and isinstance(parts[0], Interp):
            # A template that is one interpolation yields the value itself, not its text.
            return self.eval(parts[0].expr, scope)
        out: list[str] = []
        unknown = self.render_parts(parts, scope, out)
        if unknown is not None:
            return unknown
        text = "".join(out)
        if len(text) > self.budget.string_limit:
            raise EvalError("string too long", expr.line)
        return LocatedStr(text, scope.file, expr.text_line)

    def render_parts(self, parts: tuple[TPart, ...], scope: Scope, out: list[str]) -> Unk | None:
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Interp):
                v = self.eval(part.expr, scope)
                if v is None:
                    raise EvalError("a template interpolates a null value", part.expr.line)
                if isinstance(v, list | dict | Lazy):
                    raise EvalError(f"a template cannot interpolate a {type_name(v)}", part.expr.line)
                out.append(self.string_of(v))
            elif isinstance(part, TIf):
                c = truthy(self.eval(part.cond, scope), "template condition")
                if isinstance(c, Unk):
                    return c.derived("template", f"a %{{if}} depends on {c.label}", type="string")
                u = self.render_parts(part.then if c else part.otherwise, scope, out)
                if u is not None:
                    return u
            elif isinstance(part, TFor):
                coll = self.eval(part.collection, scope)
                if isinstance(coll, Unk):
                    return coll.derived("template", f"a %{{for}} iterates over {coll.label}", type="string")
                for k, v in self.iterate(coll, part.collection.line):
                    if isinstance(v, Unk) and v.many:
                        return v.derived("template", type="string")
                    binds = {part.value_var: v}
                    if part.key_var:
                        binds[part.key_var] = k
                    u = self.render_parts(part.body, scope.bind(binds), out)
                    if u is not None:
                        return u
        return None

    # -- names, attributes, indexes -------------------------------------------------------------

    def _scope_ref(self, expr: ScopeRef, scope: Scope) -> Any:
        if expr.name in scope.bindings:
            return scope.bindings[expr.name]
        return scope.module.resolve(expr.name, scope, expr.line)

    def _get_attr(self, expr: GetAttr, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        return traversal.get_attr(obj, expr.name, expr.line)

    def _index(self, expr: Index, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        key = self.eval(expr.key, scope)
        return traversal.index(obj, key, expr.line)

    def _splat(self, expr: Splat, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        if isinstance(obj, Lazy):
            items_of = getattr(obj, "splat_items", None)
            obj = items_of() if items_of is not None else obj
        if isinstance(obj, Unk):
            return obj.derived(f"{obj.label}[*]", type="list")
        if obj is None:
            return []
        elements = list(obj) if isinstance(obj, list) else [obj]
        out: list[Any] = []
        for element in elements:
            if isinstance(element, Unk) and element.many:
                out.append(element)
                continue
            value = element
            for step in expr.steps:
                if step.name is not None:
                    value = traversal.get_attr(value, step.name, expr.line)
                elif step.key is not None:
                    value = traversal.index(value, self.eval(step.key, scope), expr.line)
            out.append(value)
        return out

    # -- constructors ---------------------------------------------------------------------------

    def _tuple(self, expr: TupleExpr, scope: Scope) -> Any:
        if len(expr.items) > self.budget.collection_limit:
            raise EvalError("list too long", expr.line)
        return [self.eval(item, scope) for item in expr.items]

    def _object(self, expr: ObjectExpr, scope: Scope) -> Any:
        pairs: dict[str, Any] = {}
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr.expr if isinstance(key_expr, Paren) else key_expr, scope)
            if isinstance(key, Unk):
                return key.derived("object", f"an object key ({key.label}) is not known", type="map")
            k = to_str(key, "object key")
            if isinstance(k, Unk):
                return k
            if k in pairs:
                raise EvalError(f"duplicate object key {k!r}", key_expr.line)
            pairs[k] = self.eval(value_expr, scope)
        return ObjVal(pairs, (scope.file, expr.line, expr.end_line))

    def _paren(self, expr: Paren, scope: Scope) -> Any:
        return self.eval(expr.expr, scope)

    def iterate(self, coll: Any, line: int) -> list[tuple[Any, Any]]:
        """(key, value) pairs of a collection, in Terraform's order."""
        if isinstance(coll, Lazy):
            coll = coll.materialize()
        if isinstance(coll, dict):
            return list(coll.items())
        if isinstance(coll, SetVal):
            return [(v, v) for v in coll]
        if isinstance(coll, list):
            return list(enumerate(coll))
        if coll is None:
            raise EvalError("cannot iterate over a null value", line)
        if isinstance(coll, Unk):
            raise EvalError("cannot iterate over an unknown value", line)
        raise EvalError(f"cannot iterate over a {type_name(coll)}", line)

    def _for(self, expr: ForExpr, scope: Scope) -> Any:
        coll = self.eval(expr.collection, scope)
        if isinstance(coll, Lazy):
            coll = coll.materialize()
        if isinstance(coll, Unk):
            return coll.derived(f"[for ... in {coll.label}]", type="map" if expr.key_expr else "list")
        pairs = self.iterate(coll, expr.line)
        if len(pairs) > self.budget.collection_limit:
            raise EvalError("collection too large", expr.line)
        tuple_out: list[Any] = []
        obj_out: dict[str, Any] = {}
        for k, v in pairs:
            if isinstance(v, Unk) and v.many:
                if expr.key_expr is not None:
                    return v.derived("for", type="map")
                tuple_out.append(v)
                continue
            binds = {expr.value_var: v}
            if expr.key_var:
                binds[expr.key_var] = k
            inner = scope.bind(binds)
            if expr.cond is not None:
                c = truthy(self.eval(expr.cond, inner), "for condition")
                if isinstance(c, Unk):
                    if expr.key_expr is not None:
                        return c.derived("for", f"a for condition depends on {c.label}", type="map")
                    tuple_out.append(c.derived("for element", f"a for condition depends on {c.label}").as_many())
                    continue
                if not c:
                    continue
            if expr.key_expr is None:
                tuple_out.append(self.eval(expr.value_expr, inner))
                continue
            key = self.eval(expr.key_expr, inner)
            if isinstance(key, Unk):
                return key.derived("for", f"a for key ({key.label}) is not known", type="map")
            ks = to_str(key, "for key")
            if isinstance(ks, Unk):
                return ks
            value = self.eval(expr.value_expr, inner)
            if expr.group:
                obj_out.setdefault(ks, []).append(value)
            elif ks in obj_out:
                raise EvalError(f"duplicate key {ks!r} in a for expression (add ... to group)", expr.line)
            else:
                obj_out[ks] = value
        if expr.key_expr is None:
            return tuple_out
        return ObjVal(obj_out, (scope.file, expr.line, expr.end_line))

    def _call(self, expr: Call, scope: Scope) -> Any:
        return self.functions.call(self, expr, scope)


_DISPATCH: dict[type, Any] = {
    Lit: Evaluator._lit,
    Template: Evaluator._template,
    ScopeRef: Evaluator._scope_ref,
    GetAttr: Evaluator._get_attr,
    Index: Evaluator._index,
    Splat: Evaluator._splat,
    Call: Evaluator._call,
    TupleExpr: Evaluator._tuple,
    ObjectExpr: Evaluator._object,
    ForExpr: Evaluator._for,
    Conditional: operators.conditional,
    BinOp: operators.binary,
    Unary: operators.unary,
    Paren: Evaluator._paren,
}

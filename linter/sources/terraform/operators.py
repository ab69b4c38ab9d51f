"""Terraform's operators: conditionals, logic, comparison and exact arithmetic, as cty does them.

An unknown operand gives an unknown result unless the known one decides (``true || x``, a
conditional whose two branches agree); numbers stay exact, with cty's signed zero.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import EvalError, equals, is_number, to_number, to_str, truthy
from why403.sources.terraform.numbers import negative, norm, signed_zero
from why403.sources.terraform.syntax import BinOp, Conditional, Expr, Interp, Lit, Template, Unary
from why403.sources.terraform.tfvalues import Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator, Scope


def conditional(ev: Evaluator, expr: Conditional, scope: Scope) -> Any:
    c = truthy(ev.eval(expr.cond, scope))
    if isinstance(c, Unk):
        try:
            a = ev.eval(expr.then, scope)
            b = ev.eval(expr.otherwise, scope)
        except EvalError:
            return c.derived(f"{c.label} ? ... : ...", f"a condition depends on {c.label}")
        if equals(a, b) is True:
            return a
        return combine_unknown(f"{c.label} ? ... : ...", [c], f"a condition depends on {c.label}")
    chosen, other = (expr.then, expr.otherwise) if c else (expr.otherwise, expr.then)
    value = ev.eval(chosen, scope)
    # Both results convert to one type: a number or bool facing a string literal becomes text.
    if (isinstance(value, bool) or is_number(value)) and _is_string_literal(other):
        return to_str(value)
    return value


def binary(ev: Evaluator, expr: BinOp, scope: Scope) -> Any:
    op = expr.op
    if op in ("&&", "||"):
        left = truthy(ev.eval(expr.left, scope), f"left operand of {op}")
        if left is (op == "||"):
            return left
        right = truthy(ev.eval(expr.right, scope), f"right operand of {op}")
        if isinstance(left, Unk):
            if right is (op == "||"):
                return right
            return combine_unknown(f"{left.label} {op} ...", [left, right], type="bool")
        return right
    left = ev.eval(expr.left, scope)
    right = ev.eval(expr.right, scope)
    if op == "==":
        return equals(left, right)
    if op == "!=":
        r = equals(left, right)
        return r if isinstance(r, Unk) else not r
    a = to_number(left, f"left operand of {op}")
    b = to_number(right, f"right operand of {op}")
    if isinstance(a, Unk) or isinstance(b, Unk):
        first = a if isinstance(a, Unk) else b
        return combine_unknown(f"{first.label} {op} ...", [a, b], type="bool" if op in "<><=>=" else "number")
    if op == "+":
        total = norm(a + b)  # int or Fraction; norm refuses a result out of range
        return signed_zero(total, negative(a) and negative(b) and a == 0 and b == 0)
    if op == "-":
        diff = norm(a - b)  # int or Fraction; norm refuses a result out of range
        return signed_zero(diff, a == 0 and b == 0 and negative(a) and not negative(b))
    if op == "*":
        product = norm(a * b)  # int or Fraction; norm refuses a result out of range
        return signed_zero(product, negative(a) != negative(b))
    if op == "/":
        if b == 0:
            raise EvalError("division by zero", expr.line)
        return signed_zero(norm(Fraction(a) / b), negative(a) != negative(b))
    if op == "%":
        if b == 0:
            raise EvalError("modulo by zero", expr.line)
        if isinstance(a, int) and isinstance(b, int):
            q = abs(a) // abs(b)
            r = abs(a) - q * abs(b)
            return -r if a < 0 else r
        q_whole = int(Fraction(a) / b)
        return norm(Fraction(a) - Fraction(b) * q_whole)
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise EvalError(f"unknown operator {op}", expr.line)


def unary(ev: Evaluator, expr: Unary, scope: Scope) -> Any:
    v = ev.eval(expr.operand, scope)
    if expr.op == "!":
        b = truthy(v, "operand of !")
        if isinstance(b, Unk):
            return b.derived(f"!{b.label}", type="bool")
        return not b
    n = to_number(v, "operand of -")
    if isinstance(n, Unk):
        return n.derived(f"-{n.label}", type="number")
    return signed_zero(-n, not negative(n))


def _is_string_literal(expr: Expr) -> bool:
    return (isinstance(expr, Lit) and isinstance(expr.value, str)) or (
        isinstance(expr, Template) and not (len(expr.parts) == 1 and isinstance(expr.parts[0], Interp)))

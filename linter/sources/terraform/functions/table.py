"""How a call is dispatched: special forms, then the functions that read files, then the
registry; a function why403 does not implement answers unknown with its name, not an error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import EvalError, as_list
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.functions.filesystem import FILE_FUNCTIONS, FileAccess
from why403.sources.terraform.functions.registry import FUNCTIONS
from why403.sources.terraform.syntax import Call
from why403.sources.terraform.tfvalues import Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator


# Functions whose work does not grow with the collections they are given: a call costs one step
# however big the list or map (every other function, and every string argument, is charged its
# size, and a string result its length).
_CONSTANT_TIME = frozenset({"length", "element", "lookup", "coalesce", "type"})


class FunctionTable:
    """Dispatch by name; ``files`` reads files for ``file``/``templatefile`` (None: not allowed)."""

    def __init__(self, files: FileAccess | None = None) -> None:
        self.files = files

    def call(self, ev: Evaluator, expr: Call, scope: Scope) -> Any:
        name = expr.name.removeprefix("core::")
        if name == "try":
            return _try(ev, expr, scope)
        if name == "can":
            return _can(ev, expr, scope)
        args = [ev.eval(a, scope) for a in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if isinstance(last, Unk):
                return last.derived(f"{name}(...)")
            args.extend(as_list(last, "expanded argument"))
        reader = FILE_FUNCTIONS.get(name)
        if reader is not None:
            return reader(ev, self.files, name, args, scope, expr.line)
        fn = FUNCTIONS.get(name)
        if fn is None:
            if any(isinstance(a, Unk) for a in args):
                return _named(combine_unknown(f"{name}(...)", args), name, args)
            return Unk(f"{name}(...)", f"why403 does not evaluate {name}()")
        walks = name not in _CONSTANT_TIME
        ev.charge(sum(ev.size(a, expr.line) for a in args if walks or isinstance(a, str)))
        result = fn(ev, args, expr.line)
        if isinstance(result, str):
            ev.charge(len(result) >> 6)
        return _named(result, name, args) if isinstance(result, Unk) else result


def _named(result: Unk, name: str, args: list[Any]) -> Unk:
    """``element(module.vpc.private_subnets)`` rather than ``element(...)``: an unknown result of
    one unknown argument is labelled with it, so the user sees what to supply."""
    unknowns = [a for a in args if isinstance(a, Unk)]
    if len(unknowns) == 1 and result.label == f"{name}(...)":
        result.label = f"{name}({unknowns[0].label})"[:180]
    return result


def _try(ev: Evaluator, expr: Call, scope: Scope) -> Any:
    """The first argument that evaluates without an error."""
    errors = []
    for arg in expr.args:
        try:
            return ev.eval(arg, scope)
        except EvalError as exc:
            errors.append(str(exc))
    raise EvalError("no argument of try() could be evaluated: " + "; ".join(errors[:2]), expr.line)


def _can(ev: Evaluator, expr: Call, scope: Scope) -> Any:
    """Whether the argument evaluates without an error (unknown when its value is unknown)."""
    if len(expr.args) != 1:
        raise EvalError("can() takes one argument", expr.line)
    try:
        value = ev.eval(expr.args[0], scope)
    except EvalError:
        return False
    if isinstance(value, Unk):
        return value.derived("can(...)", type="bool")
    return True

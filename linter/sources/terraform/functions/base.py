"""What every family of Terraform functions shares: the calling convention, argument checks, and
:class:`Family`, the table a family registers its functions in.

Most functions take one argument and pass an unknown one through as an unknown result of a
known type; :meth:`Family.unary` and :meth:`Family.string` write that once, so a family module
holds only what is particular to each function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import EvalError, as_list, to_str
from why403.sources.terraform.tfvalues import Unk, combine_unknown, is_known

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

Fn = Callable[["Evaluator", list[Any], int], Any]
"""A function: the evaluator, the evaluated arguments and the line of the call."""

OneArg = Callable[["Evaluator", Any, int], Any]
"""The body of a one-argument function, given a known argument."""

OneString = Callable[["Evaluator", str, int], Any]
"""The body of a one-string function, given the argument as a string (it may hold tokens)."""

ListAndValue = Callable[["Evaluator", list[Any], Any, int], Any]
"""The body of a function of a list and a value, given the list's items and the value."""


def arity(name: str, args: list[Any], lo: int, hi: int | None = None) -> None:
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise EvalError(f"{name}() takes {want} arguments, not {len(args)}")


def unknown_args(name: str, args: list[Any]) -> Unk | None:
    """The unknown result of a function when any part of its arguments is unknown."""
    if all(is_known(a) for a in args):
        return None
    return combine_unknown(f"{name}(...)", args)


def as_many(u: Unk) -> Unk:
    """An unknown element that may stand for any number of elements (``concat(x, var.more)``)."""
    return u if u.many else u.as_many()


def unknown_length(items: list[Any]) -> bool:
    """Whether a list holds an element standing for zero or more unknown elements."""
    return any(isinstance(x, Unk) and x.many for x in items)


class Family:
    """The functions of one family, by name; the registry merges the families."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.functions: dict[str, Fn] = {}

    def add(self, name: str, fn: Fn) -> Fn:
        if name in self.functions:
            raise ValueError(f"{name}() is registered twice in the {self.name} family")
        self.functions[name] = fn
        return fn

    def function(self, name: str) -> Callable[[Fn], Fn]:
        """Registers a function that sees all its arguments as they are."""
        return lambda fn: self.add(name, fn)

    def unary(self, name: str, type: str | None = None) -> Callable[[OneArg], Fn]:
        """Registers a one-argument function; an unknown argument gives an unknown of ``type``."""

        def register(body: OneArg) -> Fn:
            def run(ev: Evaluator, args: list[Any], line: int) -> Any:
                arity(name, args, 1)
                value = args[0]
                if isinstance(value, Unk):
                    return value.derived(f"{name}(...)", type=type)
                return body(ev, value, line)

            return self.add(name, run)

        return register

    def string(self, name: str, what: str = "value") -> Callable[[OneString], Fn]:
        """Registers a one-string function: numbers and bools convert to their text, anything
        else is an error naming ``what``, and an unknown gives an unknown string."""

        def register(body: OneString) -> Fn:
            def run(ev: Evaluator, args: list[Any], line: int) -> Any:
                arity(name, args, 1)
                s = to_str(args[0], what)
                if isinstance(s, Unk):
                    return s.derived(f"{name}(...)", type="string")
                return body(ev, s, line)

            return self.add(name, run)

        return register

    def list_and_value(self, name: str, type: str | None = None, what: str = "value") -> Callable[[ListAndValue], Fn]:
        """Registers a function of a list and a value (``element``, ``contains``, ``index``); an
        unknown list gives an unknown of ``type``, anything but a list is an error naming ``what``."""

        def register(body: ListAndValue) -> Fn:
            def run(ev: Evaluator, args: list[Any], line: int) -> Any:
                arity(name, args, 2)
                lst, value = args
                if isinstance(lst, Unk):
                    return lst.derived(f"{name}(...)", type=type)
                return body(ev, as_list(lst, what), value, line)

            return self.add(name, run)

        return register

    def of_known(self, name: str, lo: int, hi: int | None = None) -> Callable[[Fn], Fn]:
        """Registers a function answered only when every part of its arguments is known."""

        def register(body: Fn) -> Fn:
            def run(ev: Evaluator, args: list[Any], line: int) -> Any:
                arity(name, args, lo, hi)
                unknown = unknown_args(name, args)
                return body(ev, args, line) if unknown is None else unknown

            return self.add(name, run)

        return register

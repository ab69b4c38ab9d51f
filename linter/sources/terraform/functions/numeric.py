"""Terraform's numeric functions. Numbers are exact (``int`` or ``Fraction``), as cty's are."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import EvalError, to_number
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.numbers import norm
from why403.sources.terraform.tfvalues import Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

NUMERIC = Family("numeric")

_REDUCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "sum": lambda ns: norm(sum((Fraction(n) for n in ns), Fraction(0))),
    "min": min,
    "max": max,
    "abs": lambda ns: abs(ns[0]),
    "ceil": lambda ns: math.ceil(ns[0]),
    "floor": lambda ns: math.floor(ns[0]),
}


def _reduction(name: str, fn: Callable[[list[Any]], Any]) -> None:
    """A function of its numbers; ``sum`` takes them as one list, the others as arguments."""

    @NUMERIC.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        values = args[0] if name == "sum" and len(args) == 1 and isinstance(args[0], list) else args
        if isinstance(values, Unk):
            return values.derived(f"{name}(...)", type="number")
        nums = [to_number(a) for a in values]
        if any(isinstance(n, Unk) for n in nums):
            return combine_unknown(f"{name}(...)", nums, type="number")
        if not nums:
            raise EvalError(f"{name}() needs at least one number", line)
        return fn(nums)


for _name, _fn in _REDUCTIONS.items():
    _reduction(_name, _fn)


@NUMERIC.function("range")
def _range(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("range", args, 1, 3)
    nums = [to_number(a) for a in args]
    if any(isinstance(n, Unk) for n in nums):
        return combine_unknown("range(...)", nums, type="list")
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], (1 if nums[1] >= nums[0] else -1)
    else:
        start, stop, step = nums
    if step == 0:
        raise EvalError("range(): step must not be zero", line)
    count = math.ceil((stop - start) / step) if (stop - start) * step > 0 else 0
    if count > ev.budget.collection_limit:
        raise EvalError(f"range() of {count} elements is more than why403 evaluates", line)
    return [norm(Fraction(start) + Fraction(step) * i) for i in range(count)]

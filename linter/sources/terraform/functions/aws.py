"""The AWS provider's functions (``provider::aws::arn_build``, ``provider::aws::arn_parse``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.sources.terraform.convert import EvalError, to_str, unknown_for_token
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.functions.tokens import any_token_may_contain
from why403.sources.terraform.tfvalues import ObjVal, Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

AWS = Family("AWS provider")


@AWS.function("provider::aws::arn_build")
def _arn_build(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("arn_build", args, 4)
    parts = [to_str(a) for a in args]
    if any(isinstance(p, Unk) for p in parts):
        return combine_unknown("arn_build(...)", parts, type="string")
    return "arn:" + ":".join(str(p) for p in parts[:3]) + ":" + str(parts[3])


@AWS.function("provider::aws::arn_parse")
def _arn_parse(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("arn_parse", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("arn_parse(...)", type="map")
    if any_token_may_contain(s, ":"):
        return unknown_for_token(s)
    parts = s.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise EvalError("arn_parse(): not an ARN", line)
    return ObjVal({"partition": parts[1], "service": parts[2], "region": parts[3], "account_id": parts[4],
                   "resource": parts[5]})

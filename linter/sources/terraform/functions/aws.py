"""The AWS provider's functions (``provider::aws::arn_build``, ``provider::aws::arn_parse``),
held to the provider by the differential tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.model.arn import Arn
from why403.sources.terraform.convert import EvalError, to_str, unknown_for_token
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.functions.tokens import any_token_may_contain
from why403.sources.terraform.tfvalues import ObjVal, Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

AWS = Family("AWS provider")


@AWS.function("provider::aws::arn_build")
def _arn_build(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("arn_build", args, 5)
    parts = [to_str(a) for a in args]
    known = [p for p in parts if isinstance(p, str)]
    if len(known) < len(parts):
        return combine_unknown("arn_build(...)", parts, type="string")
    partition, service, region, account, resource = known
    return str(Arn(partition, service, region, account, resource))


@AWS.function("provider::aws::arn_parse")
def _arn_parse(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("arn_parse", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("arn_parse(...)", type="map")
    if any_token_may_contain(s, ":"):
        return unknown_for_token(s)
    found = Arn.parse(s)
    if found is None:
        raise EvalError("arn_parse(): not an ARN", line)
    return ObjVal({"partition": found.partition, "service": found.service, "region": found.region,
                   "account_id": found.account, "resource": found.resource})

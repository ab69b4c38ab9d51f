"""Condition operators, exactly as access-model.md 6.6 states them, in three-valued logic.

Several operators in a block and several keys under one operator are AND-ed; several values of
one key are OR-ed, or NOR-ed for negated operators. Missing keys: positive operators are false,
negated operators and ``...IfExists`` are true, ``Null`` tests presence, ``ForAllValues`` is true
and ``ForAnyValue`` false on an absent or empty key. A key whose value the sources do not
determine makes the answer unknown unless the other parts of the block already decide it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from why403.model import symbols
from why403.model.arn import split_arn, tri_arn_like
from why403.model.glob import tri_glob
from why403.model.policy import BASE_OPERATORS, NEGATED_OPERATORS, POSITIVE_OF, Condition
from why403.model.tri import Tri, tri_all, tri_not, tri_or
from why403.model.values import Unknown
from why403.policy import variables
from why403.policy.context import ABSENT, Choice, ContextValue, OneOf, RequestContext

# Policy variables are substituted in the values of string and ARN conditions and of Bool (6.7).
_VARIABLE_OPERATORS = frozenset(op for op in BASE_OPERATORS if op.startswith(("String", "Arn"))) | {"Bool"}

def eval_conditions(conditions: tuple[Condition, ...], ctx: RequestContext, substitute: bool) -> Tri:
    """AND over every (operator, key) pair of a statement's Condition block.

    When the block reads keys whose value is one of several plausible ones, the block is
    evaluated for every plausible request (keys of one group chosen together): it applies when it
    applies to all of them, not when it applies to none, and otherwise depends on the request."""
    groups = _plausible_groups(conditions, ctx)
    if not groups:
        return _all_conditions(conditions, ctx, substitute)
    answers: set[Tri] = set()
    for fixed in _plausible_requests(groups):
        answers.add(_all_conditions(conditions, ctx.fixing(fixed), substitute))
        if len(answers) > 1 or None in answers:
            return None
    return answers.pop()


def _plausible_groups(conditions: tuple[Condition, ...], ctx: RequestContext
                      ) -> dict[str, list[tuple[str, OneOf]]]:
    groups: dict[str, list[tuple[str, OneOf]]] = {}
    for cond in conditions:
        got = ctx.get(cond.key)
        if isinstance(got, OneOf):
            members = groups.setdefault(got.group or cond.key_lower, [])
            if all(k != cond.key_lower for k, _ in members):
                members.append((cond.key_lower, got))
    return groups


def _plausible_requests(groups: dict[str, list[tuple[str, OneOf]]]) -> Iterator[dict[str, ContextValue]]:
    """Every combination of one choice per group (a group's keys take the same choice index)."""
    sizes = [max(len(v.choices) for _, v in members) for members in groups.values()]
    for picks in itertools.product(*(range(n) for n in sizes)):
        fixed: dict[str, ContextValue] = {}
        for pick, members in zip(picks, groups.values(), strict=True):
            for key, value in members:
                fixed[key] = value.choices[min(pick, len(value.choices) - 1)]
        yield fixed


def _all_conditions(conditions: tuple[Condition, ...], ctx: RequestContext, substitute: bool) -> Tri:
    result: Tri = True
    for cond in conditions:
        r = eval_condition(cond, ctx, substitute)
        if r is False:
            return False
        if r is None:
            result = None
    return result


def eval_condition(cond: Condition, ctx: RequestContext, substitute: bool) -> Tri:
    if cond.is_unknown:
        return None
    got = ctx.get(cond.key)
    if isinstance(got, OneOf):
        # Definite only when every plausible request answers the same.
        answers = {_eval_value(cond, choice, ctx, substitute) for choice in got.choices}
        return answers.pop() if len(answers) == 1 else None
    return _eval_value(cond, got, ctx, substitute)


def _eval_value(cond: Condition, got: Choice | Unknown, ctx: RequestContext, substitute: bool) -> Tri:
    if isinstance(got, Unknown):
        return _when_no_value_resolves(cond, ctx, substitute)
    present = got is not ABSENT
    if cond.base == "Null":
        results: list[Tri] = []
        for v in cond.values:
            if symbols.has_uncertain_token(v):
                results.append(None)
            else:
                results.append((not present) == (v.lower() == "true"))
        return tri_or(*results)
    values = _policy_values(cond, ctx, substitute)
    if cond.set_op is not None:
        if not present or got == "":
            # An absent key, and one that resolves to an empty data set such as an empty string,
            # are the empty set: ForAllValues is vacuously true, ForAnyValue false [IAM-MULTI].
            req_values: tuple[str, ...] = ()
        elif isinstance(got, tuple):
            req_values = got
        else:
            assert isinstance(got, str)
            req_values = (got,)
        tests = [_single_test(cond.base, rv, values) for rv in req_values]
        if cond.set_op == "ForAllValues":
            return tri_all(tests)
        return tri_or(*tests)
    if not present or got == ():
        # A multivalued key with no values behaves as an absent key under a plain operator: a
        # positive operator is false, a negated one or ...IfExists true [IAM-CONDOPS].
        return cond.if_exists or cond.negated
    if isinstance(got, tuple):
        # A multivalued key used with a single-valued operator: AWS compares as a set, any value.
        return tri_or(*(_single_test(cond.base, rv, values) for rv in got))
    assert isinstance(got, str)
    return _single_test(cond.base, got, values)


def _when_no_value_resolves(cond: Condition, ctx: RequestContext, substitute: bool) -> Tri:
    """A key whose value is unknown still gives a definite answer when every value of the condition
    is a policy variable without a value (``home/${aws:username}/*`` for a role session): nothing
    matches it, so a plain positive operator is false and a negated one true, whatever the key holds
    or whether it is there at all (access-model 6.7)."""
    if cond.base == "Null" or cond.set_op is not None or not cond.values:
        return None
    values = _policy_values(cond, ctx, substitute)
    if not all(isinstance(v, variables.Unresolved) for v in values):
        return None
    if cond.negated:
        return True
    return None if cond.if_exists else False


_Value = str | variables.Unresolved | Unknown | variables.Pieces


def _policy_values(cond: Condition, ctx: RequestContext, substitute: bool) -> list[_Value]:
    if not substitute or cond.base not in _VARIABLE_OPERATORS:
        return list(cond.values)
    out: list[_Value] = []
    for v in cond.values:
        if variables.has_variables(v):
            out.append(variables.resolve(v, ctx))
        else:
            out.append(v)
    return out


def _single_test(base: str, req_value: str, values: list[_Value]) -> Tri:
    negated = base in NEGATED_OPERATORS
    positive = POSITIVE_OF.get(base, base)
    hits: list[Tri] = []
    for v in values:
        if isinstance(v, variables.Unresolved):
            continue  # an unresolved variable matches nothing; negated operators then match
        if isinstance(v, Unknown):
            hits.append(None)
            continue
        hits.append(_compare(positive, req_value, v))
    hit = tri_or(*hits)
    return tri_not(hit) if negated else hit


def _compare(op: str, req: str, policy: str | variables.Pieces) -> Tri:
    if isinstance(policy, tuple):
        pattern = variables.pieces_to_pattern(policy)
        if pattern is None:
            if op == "StringLike":
                return variables.pieces_glob(policy, "glob").matches(req)
            if op in ("ArnLike", "ArnEquals"):
                return _arn_like_pieces(policy, req)
            pattern = variables.pieces_text(policy)
        policy = pattern
    if op == "StringEquals":
        return symbols.tri_equals(policy, req)
    if op == "StringEqualsIgnoreCase":
        return symbols.tri_equals(policy, req, ignore_case=True)
    if op == "StringLike":
        return tri_glob(policy, req)
    if op in ("ArnLike", "ArnEquals"):
        return tri_arn_like(policy, req)
    if op == "Bool":
        if symbols.has_uncertain_token(policy) or symbols.has_uncertain_token(req):
            return None
        return policy.lower() == req.lower()
    if symbols.has_uncertain_token(policy) or symbols.has_uncertain_token(req):
        return None
    if op.startswith("Numeric"):
        return _numeric(op, req, policy)
    if op.startswith("Date"):
        return _date(op, req, policy)
    if op == "IpAddress":
        return _ip(req, policy)
    if op == "BinaryEquals":
        return _binary(req, policy)
    return False


def _arn_like_pieces(pieces: variables.Pieces, arn: str) -> Tri:
    if split_arn(arn) is None:
        return False
    # Literal wildcards from ${*} are rare; match the whole ARN, then require the part count.
    return variables.pieces_glob(pieces, "glob").matches(arn)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(op: str, req: str, policy: str) -> bool:
    a, b = _number(req), _number(policy)
    if a is None or b is None:
        return False
    return _ordered(op.removeprefix("Numeric"), a, b)


def _ordered(rel: str, a: float, b: float) -> bool:
    if rel == "Equals":
        return a == b
    if rel == "LessThan":
        return a < b
    if rel == "LessThanEquals":
        return a <= b
    if rel == "GreaterThan":
        return a > b
    if rel == "GreaterThanEquals":
        return a >= b
    return False


_EPOCH = re.compile(r"-?\d+(\.\d+)?")


def parse_date(text: str) -> float | None:
    """ISO 8601 (W3C profile) or epoch seconds, as seconds since the epoch."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return float(text)
    candidate = text.replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _date(op: str, req: str, policy: str) -> bool:
    a, b = parse_date(req), parse_date(policy)
    if a is None or b is None:
        return False
    return _ordered(op.removeprefix("Date"), a, b)


def _ip(req: str, policy: str) -> bool:
    try:
        address = ipaddress.ip_address(req.strip())
        network = ipaddress.ip_network(policy.strip(), strict=False)
    except ValueError:
        return False
    return address.version == network.version and address in network


def _binary(req: str, policy: str) -> bool:
    try:
        return base64.b64decode(req, validate=True) == base64.b64decode(policy, validate=True)
    except (binascii.Error, ValueError):
        return False


__all__ = ["eval_condition", "eval_conditions", "parse_date"]

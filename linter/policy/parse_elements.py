"""The elements of a policy statement: principals, value lists and condition blocks.

Frontends hand over JSON-like values that may hold the markers of :mod:`why403.model.values`
and tokens of :mod:`why403.model.symbols`; each element becomes typed model data, and what breaks
the grammar of access-model.md 6.1 becomes a Problem at the statement's location.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from why403.model import symbols
from why403.model.arn import account_root, split_arn
from why403.model.location import Location, Problem
from why403.model.policy import BASE_OPERATORS, UNKNOWN_CONDITION_KEY, Condition, PrincipalEntry
from why403.model.values import MaybePresent, Unknown

_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
MAX_PROBLEMS = 100


class ElementReader:
    """Reads statement elements, collecting the problems of one document (at most
    :data:`MAX_PROBLEMS` of them: a document of half a million bad statements needs a handful of
    examples, not half a million)."""

    def __init__(self, location: Location | None) -> None:
        self.location = location
        self.problems: list[Problem] = []

    def problem(self, code: str, message: str, location: Location | None = None, severity: str = "error") -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, message, location or self.location, severity))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem("too-many-problems", f"more than {MAX_PROBLEMS} problems; the rest are not "
                                         "listed", self.location, severity))

    def principal(self, item: Mapping[str, Any], key: str, where: str,
                  loc: Location | None) -> tuple[PrincipalEntry, ...] | None:
        if key not in item:
            return None
        raw = item[key]
        if isinstance(raw, Unknown):
            return (PrincipalEntry("AWS", symbols.unknown(f"{key}")),)
        if isinstance(raw, str):
            if raw == "*":
                return (PrincipalEntry("*", "*"),)
            if symbols.is_entirely_unknown(raw):
                return (PrincipalEntry("AWS", raw),)
            self.problem("principal", f"{where}: {key} must be \"*\" or an object such as {{\"AWS\": ...}}, "
                         f"not the string {raw!r}", loc)
            return ()
        if not isinstance(raw, Mapping):
            self.problem("type", f"{where}: {key} must be \"*\" or an object, not {type_name(raw)}", loc)
            return ()
        entries: list[PrincipalEntry] = []
        for ptype, values in raw.items():
            if ptype not in _PRINCIPAL_TYPES:
                self.problem("principal", f"{where}: unknown principal type {ptype!r} in {key}", loc)
                continue
            for value in self.values_of(values, f"{key}.{ptype}", where, loc):
                if ptype == "AWS":
                    value = normalize_aws_principal(value)
                    if value != "*" and not _plausible_aws_principal(value):
                        self.problem("principal", f"{where}: invalid AWS principal {symbols.render(value)!r}",
                                     loc)
                entries.append(PrincipalEntry(ptype, value))
        if not entries:
            self.problem("principal", f"{where}: {key} names no principal", loc)
        return tuple(entries)

    def values_of(self, raw: Any, what: str, where: str, loc: Location | None) -> list[str]:
        """A string or a list of scalars, as strings; markers become unknown tokens."""
        if isinstance(raw, Unknown):
            return [symbols.unknown(what)]
        if isinstance(raw, MaybePresent):
            return [symbols.unknown(what)]
        items = raw if isinstance(raw, list | tuple) else [raw]
        out = []
        for v in items:
            if isinstance(v, MaybePresent | Unknown):
                out.append(symbols.unknown(what))
            elif isinstance(v, bool):
                out.append("true" if v else "false")
            elif isinstance(v, str):
                out.append(v)
            elif isinstance(v, int | float):
                out.append(_number_text(v))
            else:
                self.problem("type", f"{where}: {what} values must be strings, not {type_name(v)}", loc)
        return out

    def string_list(self, item: Mapping[str, Any], key: str, where: str,
                    loc: Location | None) -> tuple[str, ...] | None:
        if key not in item:
            return None
        raw = item[key]
        values = self.values_of(raw, key, where, loc)
        if not values and not isinstance(raw, Unknown):
            self.problem("type", f"{where}: {key} is empty", loc)
        return tuple(values)

    def conditions(self, raw: Any, where: str, loc: Location | None) -> tuple[Condition, ...] | None:
        """None when the whole block is unknown."""
        if raw is None:
            return ()
        if isinstance(raw, Unknown | MaybePresent):
            return None
        if not isinstance(raw, Mapping):
            self.problem("type", f"{where}: Condition must be an object, not {type_name(raw)}", loc)
            return ()
        out: list[Condition] = []
        for operator, block in raw.items():
            parsed = parse_operator(operator)
            if parsed is None:
                self.problem("condition", f"{where}: unknown condition operator {operator!r}", loc)
                continue
            set_op, base, if_exists = parsed
            if isinstance(block, Unknown):
                out.append(Condition(operator, "Null", None, False, UNKNOWN_CONDITION_KEY,
                                     (symbols.unknown(f"condition {operator}"),)))
                continue
            if not isinstance(block, Mapping):
                self.problem("type", f"{where}: the {operator} condition must map keys to values", loc)
                continue
            for key, values in block.items():
                vals = tuple(self.values_of(values, f"{operator}.{key}", where, loc))
                if not vals:
                    # IAM's grammar asks for one value or more, but documents no refusal, and IAM
                    # stores such a trust policy (a module's test applies one): a warning, not an
                    # error. Dropping the condition would make the statement unconditional (a
                    # Principal "*" statement narrowed by aws:SourceIp would read as public); what
                    # an empty list matches is not documented, so its value is unknown.
                    self.problem("condition", f"{where}: {operator} {key} has no values", loc, severity="warning")
                    unwritten = symbols.unknown(f"the values of {operator} {key}, of which none are written")
                    out.append(Condition(operator, base, set_op, if_exists, key, (unwritten,)))  # type: ignore[arg-type]
                    continue
                if base in ("Null", "Bool") and \
                        not all(v.lower() in ("true", "false") or symbols.has_token(v) for v in vals):
                    # AWS refuses such a Null condition; it stores such a Bool one, which then never matches.
                    refused = base == "Null"
                    self.problem("condition", f"{where}: {base} takes \"true\" or \"false\", not {list(vals)!r}", loc,
                                 severity="error" if refused else "warning")
                    if refused:
                        continue
                out.append(Condition(operator, base, set_op, if_exists, key, vals))  # type: ignore[arg-type]
        return tuple(out)


def parse_operator(operator: str) -> tuple[str | None, str, bool] | None:
    """Split ``ForAnyValue:StringLikeIfExists`` into (set operator, base operator, IfExists)."""
    set_op = None
    base = operator
    if ":" in operator:
        prefix, base = operator.split(":", 1)
        if prefix not in ("ForAllValues", "ForAnyValue"):
            return None
        set_op = prefix
    if_exists = False
    if base.endswith("IfExists") and base != "IfExists":
        base = base[: -len("IfExists")]
        if_exists = True
    if base not in BASE_OPERATORS:
        return None
    if base == "Null" and (if_exists or set_op):
        return None
    return set_op, base, if_exists


def normalize_aws_principal(value: str) -> str:
    """A bare 12-digit account id means the account (``arn:aws:iam::ID:root``)."""
    if (len(value) == 12 and value.isdigit()) or value == symbols.HOME_ACCOUNT:
        return account_root(value)
    return value


def _plausible_aws_principal(value: str) -> bool:
    if symbols.has_uncertain_token(value):
        return True
    if value.startswith("arn:"):
        parts = split_arn(value)
        return parts is not None and parts[2] in ("iam", "sts")
    # Unique ids (AIDA..., AROA...) are accepted by AWS in place of ARNs.
    return value[:4].isupper() and value.isalnum() and len(value) >= 16


def _number_text(v: int | float) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def show_value(v: Any) -> str:
    """A value for a message: strings quoted and cut short, anything else by its type, so that a
    huge or deeply nested value (from a frontend, not JSON text) cannot blow up ``repr``."""
    if isinstance(v, str):
        return repr(v if len(v) <= 80 else v[:77] + "...")
    if v is None or isinstance(v, bool | int | float):
        return repr(v)
    return type_name(v)


def type_name(v: Any) -> str:
    if isinstance(v, Mapping):
        return "an object"
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if v is None:
        return "null"
    if isinstance(v, str):
        return "a string"
    return type(v).__name__

"""Read an IAM policy document into a :class:`Policy`, turning every defect into a Problem.

Documents arrive as JSON text (a heredoc, a ``.json`` attribute) or as JSON-like Python values
(``jsonencode``, CloudFormation, ``aws_iam_policy_document``), possibly holding the markers of
:mod:`why403.model.values` and tokens of :mod:`why403.model.symbols`. Nothing here raises on bad
input: the grammar of access-model.md 6.1 is checked and what breaks it becomes a Problem with a
location, so one broken policy never hides the rest of a run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from why403.model import symbols
from why403.model.arn import account_root, split_arn
from why403.model.location import Location, Problem
from why403.model.policy import (
    BASE_OPERATORS,
    UNKNOWN_CONDITION_KEY,
    Condition,
    Policy,
    PolicyKind,
    PrincipalEntry,
    Statement,
)
from why403.model.values import MaybePresent, Unknown

_TOP_KEYS = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_VERSIONS = ("2012-10-17", "2008-10-17")
MAX_POLICY_TEXT = 1_048_576
"""Longest JSON text read as a policy: 32 times the largest size AWS accepts (a KMS key policy,
32 KB), so nothing AWS would store is refused, and a runaway input costs no time."""


MAX_PROBLEMS = 100


class _DuplicateKeys(dict[str, Any]):
    """Marks JSON objects whose text repeats a key (AWS refuses such documents)."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dups = []
    for k, v in pairs:
        if k in out:
            dups.append(k)
        out[k] = v
    if dups:
        marked = _DuplicateKeys(out)
        marked.duplicates = dups
        return marked
    return out


def parse_policy(
    source: Any,
    kind: PolicyKind,
    *,
    origin: str = "",
    location: Location | None = None,
    statement_locations: Sequence[Location | None] | None = None,
    validate: bool = True,
) -> Policy:
    """Parse ``source`` (JSON text or a JSON-like value) as a policy of ``kind``.

    ``location`` is where the document starts in its file; for JSON text, lines inside the text
    are added to it. ``statement_locations`` (aligned with the Statement list) lets a frontend
    that knows each statement's line pass it in.
    """
    reader = _Reader(kind, origin, location)
    if isinstance(source, Unknown):
        return Policy(kind=kind, origin=origin, location=location, unknown=source.reason)
    if isinstance(source, str):
        if symbols.is_entirely_unknown(source):
            return Policy(
                kind=kind, origin=origin, location=location,
                unknown=f"{symbols.render(source)} has no value",
            )
        doc, offsets = reader.decode_text(source)
        if doc is None:
            return reader.finish(None)
        if statement_locations is None and offsets:
            statement_locations = reader.text_locations(source, offsets)
    else:
        doc = source
    reader.statement_locations = statement_locations
    policy = reader.finish(doc)
    if validate and policy.statements:
        from why403.policy.validate import validate_policy

        extra = validate_policy(policy)
        if extra:
            policy = replace(policy, problems=policy.problems + extra)
    return policy


class _Reader:
    def __init__(self, kind: PolicyKind, origin: str, location: Location | None) -> None:
        self.kind = kind
        self.origin = origin
        self.location = location
        self.problems: list[Problem] = []
        self.statement_locations: Sequence[Location | None] | None = None

    # -- text ---------------------------------------------------------------------------------

    def text_location(self, text: str, offset: int) -> Location | None:
        if self.location is None:
            return None
        line = text.count("\n", 0, offset)
        return Location(self.location.file, self.location.line + line)

    def text_locations(self, text: str, offsets: Sequence[int]) -> list[Location | None]:
        """:meth:`text_location` of each offset, counting every newline once when the offsets
        ascend (they do): linear in the text, where one count per statement was quadratic."""
        if self.location is None:
            return [None] * len(offsets)
        out: list[Location | None] = []
        line = pos = 0
        for off in offsets:
            if off < pos:
                line = pos = 0
            line += text.count("\n", pos, off)
            pos = off
            out.append(Location(self.location.file, self.location.line + line))
        return out

    def decode_text(self, text: str) -> tuple[Any, list[int]]:
        if len(text) > MAX_POLICY_TEXT:
            self.problem("size", f"the policy document is {len(text):,} characters long; AWS refuses every "
                         "policy type far below that (KMS key policies 32 KB, bucket and VPC endpoint "
                         "policies 20 KB, IAM managed policies 6,144 characters), so it is not read")
            return None, []
        stripped = text.lstrip("\ufeff")
        if not stripped.strip():
            self.problem("json", "the policy document is empty")
            return None, []
        try:
            doc = json.loads(stripped, object_pairs_hook=_pairs_hook)
        except json.JSONDecodeError as exc:
            loc = self.text_location(stripped, exc.pos)
            self.problems.append(
                Problem("json", f"the policy is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})",
                        loc or self.location)
            )
            return None, []
        except RecursionError:
            self.problem("json", "the policy document is nested too deeply to be a policy")
            return None, []
        try:
            offsets = statement_offsets(stripped)
        except RecursionError:  # pragma: no cover - the scanner is iterative
            offsets = []
        return doc, offsets

    # -- structure ----------------------------------------------------------------------------

    def problem(self, code: str, message: str, location: Location | None = None, severity: str = "error") -> None:
        # A document of half a million bad statements needs a handful of examples, not half a million.
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(code, message, location or self.location, severity))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem("too-many-problems", f"more than {MAX_PROBLEMS} problems; the rest are not "
                                         "listed", self.location, severity))

    def finish(self, doc: Any) -> Policy:
        if doc is None:
            if not self.problems:  # JSON ``null``, or None from a frontend: not a policy either
                self.problem("type", "a policy must be a JSON object, not null")
            return Policy(kind=self.kind, origin=self.origin, location=self.location,
                          problems=tuple(self.problems), unknown="the policy could not be read")
        if isinstance(doc, Unknown):
            return Policy(kind=self.kind, origin=self.origin, location=self.location, unknown=doc.reason)
        if not isinstance(doc, Mapping):
            self.problem("type", f"a policy must be a JSON object, not {_type_name(doc)}")
            return Policy(kind=self.kind, origin=self.origin, location=self.location,
                          problems=tuple(self.problems), unknown="the policy is not a JSON object")
        self.check_duplicates(doc, self.location)
        for key in doc:
            if key not in _TOP_KEYS:
                self.problem("element", f"unknown top-level element {key!r}")
        version = doc.get("Version")
        if isinstance(version, Unknown):
            version_str: str | None = "2012-10-17"
        elif version is None:
            version_str = None
        elif isinstance(version, str) and version in _VERSIONS:
            version_str = version
        else:
            self.problem("version", f"Version must be 2012-10-17 or 2008-10-17, not {_show(version)}")
            version_str = "2012-10-17" if not isinstance(version, str) else version
        pid = doc.get("Id")
        policy_id = pid if isinstance(pid, str) else None
        if pid is not None and not isinstance(pid, str | Unknown):
            self.problem("type", "Id must be a string")
        if policy_id is not None and self.kind in (PolicyKind.IDENTITY, PolicyKind.BOUNDARY):
            self.problem("element", "Id is not allowed in identity-based policies", severity="warning")
        raw = doc.get("Statement")
        unknown_reason: str | None = None
        statements: list[Statement] = []
        if raw is None:
            self.problem("element", "the policy has no Statement")
        elif isinstance(raw, Unknown):
            unknown_reason = raw.reason
        elif isinstance(raw, str) and symbols.is_entirely_unknown(raw):
            unknown_reason = f"{symbols.render(raw)} has no value"
        else:
            items = [raw] if isinstance(raw, Mapping | MaybePresent) else raw
            if not isinstance(items, list | tuple):
                self.problem("type", f"Statement must be an object or a list, not {_type_name(raw)}")
                items = []
            for index, item in enumerate(items):
                statements.extend(self.statements(index, item))
        return Policy(
            kind=self.kind,
            statements=tuple(statements),
            version=version_str,
            id=policy_id,
            origin=self.origin,
            location=self.location,
            problems=tuple(self.problems),
            unknown=unknown_reason,
        )

    def check_duplicates(self, obj: Mapping[str, Any], loc: Location | None) -> None:
        if isinstance(obj, _DuplicateKeys):
            for key in obj.duplicates:
                self.problem("duplicate", f"element {key!r} appears twice; AWS refuses the document", loc)

    def stmt_location(self, index: int) -> Location | None:
        locs = self.statement_locations
        if locs is not None and index < len(locs) and locs[index] is not None:
            return locs[index]
        return self.location

    def statements(self, index: int, item: Any) -> list[Statement]:
        """One statement, or for a statement whose content is unknown a possible Allow and a
        possible Deny (it could be either)."""
        maybe: str | None = None
        inner = item
        while isinstance(inner, MaybePresent):
            maybe = inner.reason
            inner = inner.value
        if isinstance(inner, Unknown):
            loc = self.stmt_location(index)
            unk = symbols.unknown(f"statement {index}")
            principals = (PrincipalEntry("*", "*"),) if self.needs_principal else None
            return [
                Statement(index=index, effect=effect, principals=principals, actions=(unk,), resources=(unk,),
                          location=loc, maybe=maybe or inner.reason)
                for effect in ("Allow", "Deny")
            ]
        stmt = self.statement(index, item)
        return [stmt] if stmt is not None else []

    def statement(self, index: int, item: Any) -> Statement | None:
        maybe: str | None = None
        while isinstance(item, MaybePresent):
            maybe = item.reason
            item = item.value
        loc = self.stmt_location(index)
        if not isinstance(item, Mapping):
            self.problem("type", f"statement {index} must be an object, not {_type_name(item)}", loc)
            return None
        self.check_duplicates(item, loc)
        where = f"statement {item.get('Sid') or index}" if isinstance(item.get("Sid"), str) else f"statement {index}"
        for key in item:
            if key not in _STATEMENT_KEYS:
                self.problem("element", f"{where}: unknown element {key!r}", loc)
        sid = item.get("Sid")
        if sid is not None and not isinstance(sid, str):
            self.problem("type", f"{where}: Sid must be a string", loc)
            sid = None
        effect_raw = item.get("Effect")
        effect: str
        if isinstance(effect_raw, Unknown) or (isinstance(effect_raw, str) and symbols.has_uncertain_token(effect_raw)):
            effect = "Allow"
            maybe = maybe or "its Effect is unknown"
        elif effect_raw in ("Allow", "Deny"):
            effect = effect_raw
        else:
            self.problem("effect", f"{where}: Effect must be \"Allow\" or \"Deny\" (case-sensitive), "
                         f"not {_show(effect_raw)}", loc)
            return None
        principals = self.principal(item, "Principal", where, loc)
        not_principals = self.principal(item, "NotPrincipal", where, loc)
        if principals is not None and not_principals is not None:
            self.problem("element", f"{where}: Principal and NotPrincipal cannot both be used", loc)
        if self.needs_principal:
            if principals is None and not_principals is None:
                self.problem("principal", f"{where}: a {self.kind.value} policy statement needs a Principal", loc)
        elif principals is not None or not_principals is not None:
            self.problem("principal", f"{where}: Principal is not allowed in a {self.kind.value} policy", loc)
        if not_principals is not None and effect == "Allow":
            self.problem("notprincipal", f"{where}: NotPrincipal with Allow is not supported by AWS", loc,
                         severity="warning")
        actions = self.string_list(item, "Action", where, loc)
        not_actions = self.string_list(item, "NotAction", where, loc)
        if actions is None and not_actions is None:
            self.problem("action", f"{where}: the statement has no Action or NotAction", loc)
            return None
        if actions is not None and not_actions is not None:
            self.problem("action", f"{where}: Action and NotAction cannot both be used", loc)
        resources = self.string_list(item, "Resource", where, loc)
        not_resources = self.string_list(item, "NotResource", where, loc)
        if resources is None and not_resources is None:
            if self.kind is not PolicyKind.TRUST:
                self.problem("resource", f"{where}: the statement has no Resource or NotResource", loc)
                return None
            resources = ("*",)
        if resources is not None and not_resources is not None:
            self.problem("resource", f"{where}: Resource and NotResource cannot both be used", loc)
        conditions = self.conditions(item.get("Condition"), where, loc)
        if conditions is None:
            conditions = (Condition("Null", "Null", None, False, UNKNOWN_CONDITION_KEY,
                                    (symbols.unknown("condition"),)),)
            maybe = maybe or "its Condition is unknown"
        return Statement(
            index=index,
            effect=effect,  # type: ignore[arg-type]
            sid=sid,
            principals=principals,
            not_principals=not_principals,
            actions=actions if actions is not None or not_actions is None else None,
            not_actions=not_actions if actions is None else None,
            resources=resources if resources is not None or not_resources is None else None,
            not_resources=not_resources if resources is None else None,
            conditions=conditions,
            location=loc,
            maybe=maybe,
        )

    @property
    def needs_principal(self) -> bool:
        return self.kind in (PolicyKind.BUCKET, PolicyKind.ACCESS_POINT, PolicyKind.KEY, PolicyKind.ENDPOINT,
                             PolicyKind.TRUST, PolicyKind.RCP)

    # -- elements -----------------------------------------------------------------------------

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
            self.problem("type", f"{where}: {key} must be \"*\" or an object, not {_type_name(raw)}", loc)
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
                self.problem("type", f"{where}: {what} values must be strings, not {_type_name(v)}", loc)
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
            self.problem("type", f"{where}: Condition must be an object, not {_type_name(raw)}", loc)
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
                    self.problem("condition", f"{where}: {operator} {key} has no values", loc)
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


def _show(v: Any) -> str:
    """A value for a message: strings quoted and cut short, anything else by its type, so that a
    huge or deeply nested value (from a frontend, not JSON text) cannot blow up ``repr``."""
    if isinstance(v, str):
        return repr(v if len(v) <= 80 else v[:77] + "...")
    if v is None or isinstance(v, bool | int | float):
        return repr(v)
    return _type_name(v)


def _type_name(v: Any) -> str:
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


def statement_offsets(text: str) -> list[int]:
    """Character offsets where each element of the top-level ``Statement`` array begins.

    A small iterative scanner (no recursion, so deeply nested input cannot overflow it) that lets
    a policy written as JSON text report each statement's own line.
    """
    depth = 0
    i = 0
    n = len(text)
    last_key: str | None = None
    key_depth = -1
    in_statement = False
    statement_depth = 0
    offsets: list[int] = []
    expecting_value = False
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == '"':
                    break
                j += 1
            s = text[i + 1 : j]
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if k < n and text[k] == ":" and depth == 1:
                last_key, key_depth = s, depth
            if in_statement and expecting_value and depth == statement_depth:
                offsets.append(i)
                expecting_value = False
            i = j + 1
            continue
        if c in "{[":
            if in_statement and expecting_value and depth == statement_depth:
                offsets.append(i)
                expecting_value = False
            depth += 1
            if (not in_statement and last_key == "Statement" and key_depth == 1 and depth == 2):
                if c == "[":
                    in_statement, statement_depth, expecting_value = True, 2, True
                else:
                    offsets.append(i)
                last_key = None
        elif c in "}]":
            depth -= 1
            if in_statement and depth < statement_depth:
                in_statement = False
        elif c == "," and in_statement and depth == statement_depth:
            expecting_value = True
        i += 1
    return offsets

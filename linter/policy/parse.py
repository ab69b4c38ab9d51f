"""Read an IAM policy document into a :class:`Policy`, turning every defect into a Problem.

Documents arrive as JSON text (a heredoc, a ``.json`` attribute) or as JSON-like Python values
(``jsonencode``, CloudFormation, ``aws_iam_policy_document``), possibly holding the markers of
:mod:`why403.model.values` and tokens of :mod:`why403.model.symbols`. Nothing here raises on bad
input: the grammar of access-model.md 6.1 is checked and what breaks it becomes a Problem with a
location, so one broken policy never hides the rest of a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from why403.model import symbols
from why403.model.location import Location
from why403.model.policy import UNKNOWN_CONDITION_KEY, Condition, Policy, PolicyKind, PrincipalEntry, Statement
from why403.model.values import MaybePresent, Unknown
from why403.policy.parse_elements import ElementReader, show_value, type_name
from why403.policy.parse_json import DuplicateKeys, decode_policy_text, text_locations

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
_VERSIONS = ("2012-10-17", "2008-10-17")



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
        doc, offsets = decode_policy_text(source, location, reader.problems.append)
        if doc is None:
            return reader.finish(None)
        if statement_locations is None and offsets:
            statement_locations = text_locations(source, offsets, location)
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


class _Reader(ElementReader):
    """Reads a document and its statements; the elements are :class:`ElementReader`'s."""

    def __init__(self, kind: PolicyKind, origin: str, location: Location | None) -> None:
        super().__init__(location)
        self.kind = kind
        self.origin = origin
        self.statement_locations: Sequence[Location | None] | None = None

    # -- text ---------------------------------------------------------------------------------

    # -- structure ----------------------------------------------------------------------------

    def finish(self, doc: Any) -> Policy:
        if doc is None:
            if not self.problems:  # JSON ``null``, or None from a frontend: not a policy either
                self.problem("type", "a policy must be a JSON object, not null")
            return Policy(kind=self.kind, origin=self.origin, location=self.location,
                          problems=tuple(self.problems), unknown="the policy could not be read")
        if isinstance(doc, Unknown):
            return Policy(kind=self.kind, origin=self.origin, location=self.location, unknown=doc.reason)
        if not isinstance(doc, Mapping):
            self.problem("type", f"a policy must be a JSON object, not {type_name(doc)}")
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
            self.problem("version", f"Version must be 2012-10-17 or 2008-10-17, not {show_value(version)}")
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
                self.problem("type", f"Statement must be an object or a list, not {type_name(raw)}")
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
        if isinstance(obj, DuplicateKeys):
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
            self.problem("type", f"statement {index} must be an object, not {type_name(item)}", loc)
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
                         f"not {show_value(effect_raw)}", loc)
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




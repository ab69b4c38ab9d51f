"""Policy documents written in a template, resolved and parsed with a line for each statement.

Statements are resolved one by one from the raw Statement list, so each keeps the line of its
own mapping in the template (a statement that is an ``Fn::If`` keeps the line of the branch it
came from). A document given as JSON text (``PolicyDocument: '{...}'``) is parsed as text, with
lines relative to where the text starts.
"""

from __future__ import annotations

from typing import Any

from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.model.values import MaybePresent, Unknown
from why403.policy.parse import parse_policy
from why403.sources.cloudformation.context import Ctx
from why403.sources.cloudformation.nodes import NOVALUE, is_intrinsic
from why403.sources.cloudformation.tree import line_of, scalar_text


def resolve_policy(ctx: Ctx, raw: Any, kind: PolicyKind, origin: str, line: int,
                   maybe: str | None = None) -> Policy:
    """Parse ``raw`` (a document as written in the template) as a policy of ``kind``."""
    where = Location(ctx.file, line_of(raw, line))
    with ctx.r.tracking() as seen, ctx.r.reading_placeholders() as placeholders:
        doc, locations = _resolve(ctx, raw, where)
    doc = as_sent(doc)
    ctx.note_params(seen, origin)
    if doc is NOVALUE:
        doc = Unknown("the document is removed by AWS::NoValue")
    if maybe is not None and isinstance(doc, dict):
        stmts = doc.get("Statement")
        if isinstance(stmts, list):
            doc["Statement"] = [s if isinstance(s, MaybePresent) else MaybePresent(s, maybe) for s in stmts]
        elif isinstance(stmts, dict):
            doc["Statement"] = MaybePresent(stmts, maybe)
    policy = parse_policy(doc, kind, origin=origin, location=where, statement_locations=locations)
    if maybe is not None:
        policy = policy.created_only_if(maybe)
    if placeholders:
        said = ", ".join(f'parameter {name} = ""' for name in sorted(placeholders)[:3])
        rests = (f"it rests on {said}, an empty default that the parameters of each deployment usually "
                 "replace (supply the value to check it)")
        policy = policy.resting_on(rests)
    return policy


def as_sent(value: Any) -> Any:
    """The document as CloudFormation hands it to the resource handler: every number and boolean
    becomes its text (``Sid: 1`` is sent as ``"1"``, ``aws:SecureTransport: false`` as ``"false"``),
    as cfn-lint's type checks also assume. Mappings and lists are walked; resolved values of other
    kinds (unknowns) are left as they are."""
    if isinstance(value, dict):
        return {k: as_sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_sent(v) for v in value]
    if isinstance(value, MaybePresent):  # a statement behind Fn::If is sent the same way
        return MaybePresent(as_sent(value.value), value.reason)
    if isinstance(value, bool | int | float):
        return scalar_text(value)
    return value


def _resolve(ctx: Ctx, raw: Any, where: Location) -> tuple[Any, list[Location | None] | None]:
    if not isinstance(raw, dict) or is_intrinsic(raw):
        return ctx.r.value(raw), None
    doc: dict[str, Any] = {}
    locations: list[Location | None] | None = None
    for key, value in raw.items():
        if key == "Statement" and isinstance(value, list):
            items = ctx.r.items(value)
            doc[key] = [v for v, _ in items]
            locations = [Location(ctx.file, line_of(src, line_of(value, where.line))) for _, src in items]
            continue
        if key == "Statement" and isinstance(value, dict) and not is_intrinsic(value):
            locations = [Location(ctx.file, line_of(value, where.line))]
        resolved = ctx.r.value(value)
        if resolved is not NOVALUE:
            doc[key] = resolved
    return doc, locations

"""An evaluated policy attribute -> :class:`~why403.model.policy.Policy` with statement lines.

A policy reaches a resource in many shapes: ``jsonencode({...})`` (statement lines from the object
constructors, wherever they were written), a policy document's ``.json`` (lines of its
``statement`` blocks), a heredoc or ``file()`` (lines counted inside the text), a plain string, or
a value only partly known. Each is turned into the parser's input with the best locations it has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.model.values import Unknown
from why403.policy.parse import parse_policy
from why403.sources.terraform.tfvalues import ABSENT, Lazy, LocatedJson, LocatedStr, Unk


def _locations(locs: Any, fallback: Location) -> list[Location | None] | None:
    if not locs:
        return None
    out: list[Location | None] = []
    for loc in locs:
        if loc and loc[0]:
            out.append(Location(loc[0], loc[1], loc[2]))
        else:
            out.append(None)
    return out


def policy_from_value(value: Any, kind: PolicyKind, origin: str, fallback: Location,
                      maybe: str | None = None, rests_on: str | None = None) -> Policy | None:
    """None when the attribute is not set (or null); otherwise a Policy, possibly unknown."""
    if value is ABSENT or value is None:
        return None
    if isinstance(value, LocatedJson):
        start = Location(value.file, value.line) if value.file else fallback
        policy = replace(parse_policy(value.doc, kind, origin=origin, location=start,
                                      statement_locations=_locations(value.locs, fallback)), written=value.written)
    elif isinstance(value, Unk):
        if value.doc is not None:
            policy = parse_policy(value.doc, kind, origin=origin, location=fallback,
                                  statement_locations=_locations(value.locs, fallback))
        else:
            policy = parse_policy(Unknown(f"{value.label}: {value.reason}"), kind, origin=origin,
                                  location=fallback)
    elif isinstance(value, LocatedStr):
        policy = parse_policy(str(value), kind, origin=origin,
                              location=Location(value.file, value.text_line) if value.file else fallback)
    elif isinstance(value, str):
        policy = parse_policy(value, kind, origin=origin, location=fallback)
    elif isinstance(value, dict | list | Lazy):
        # The provider wants a JSON string; an object here is a configuration error.
        policy = parse_policy(Unknown(f"{origin}: the policy must be a JSON string, not an object"), kind,
                              origin=origin, location=fallback)
    else:
        policy = parse_policy(Unknown(f"{origin}: the policy is not a string"), kind, origin=origin,
                              location=fallback)
    if maybe:  # every statement exists only if the resource does (its count or for_each is unknown)
        policy = policy.with_maybe(maybe).created_only_if(maybe)
    if rests_on:
        policy = policy.resting_on(rests_on)
    return policy

"""An intended access that may be refused, depending on a value the sources leave open.

**What it finds.** An access the sources grant whose simulation cannot be decided because a Deny
statement of the sources might match it: its condition reads a key whose value is not known for this
caller (the organization of an account nobody configured, where a role's requests come from), or it
is built from a variable without a value. Also an access whose own grant names its resource with a
policy variable that has no known value for the caller (the tag `aws:PrincipalTag/team` of a role whose
sessions may carry session tags): whether the grant covers the access depends on that value. It is
a `note`, never an error: why403 does not guess.

**Why it matters.** It is where a 403 can hide. Supplying the missing value (`--account-id`, the
`organization` or `paths` keys of the config, `--var`, `--parameter`) turns the note into a definite
answer.

**How to fix.** Supply what the message says is unknown, or make the Deny's exception explicit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.model.location import Location
from why403.rules import Rule
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    seen: set[tuple[str, str, int]] = set()
    varying: set[tuple[str, str]] = set()
    for r in analysis.results:
        d = r.decision
        if d.outcome != "unknown" or not r.intent.expect_allowed:
            continue
        intent = r.intent
        if intent.varies is not None and intent.statement is not None and intent.statement.location is not None:
            if (intent.principal.ref, intent.resource) in varying:
                continue
            varying.add((intent.principal.ref, intent.resource))
            origin = intent.policy.origin if intent.policy is not None else intent.source
            yield _may_be_denied(
                r, f"whether {intent.statement.name} of {origin} covers it depends on a policy variable whose value "
                f"the sources leave open ({symbols.render(intent.varies)})",
                intent.statement.location, d.layer or "identity-policy", "implicit", intent.statement.label, "varies")
            continue
        for step in d.trace:
            stmt = step.statement
            if step.outcome != "unknown" or stmt is None or stmt.effect != "Deny" or stmt.location is None:
                continue
            key = (r.intent.principal.ref, r.intent.resource, id(stmt))
            if key in seen:
                break
            seen.add(key)
            why = "; ".join(analysis.unknowns_of(stmt, r.request)) or step.detail
            origin = step.policy.origin if step.policy is not None else step.layer
            yield _may_be_denied(
                r, f"{stmt.name} of {origin} applies or not depending on what the sources leave open "
                f"({symbols.render(why)})", stmt.location, step.layer, "explicit", stmt.label)
            break


def _may_be_denied(r: AccessResult, why: str, location: Location, layer: str,
                   denial: Literal["explicit", "implicit"], *statement_label: str) -> Finding:
    """The note for an intended access ``r`` that ``why`` may refuse, at the statement that decides."""
    principal = r.intent.principal
    resource = symbols.render(r.intent.resource)
    return RULE.finding(
        severity="note", message=f"{principal.label} may be denied {r.action} on {resource}: {why}",
        location=location, layer=layer, denial=denial,
        access=Access(principal=symbols.render(principal.actor.display), principal_ref=principal.ref,
                      action=r.action, resource=resource, via=r.path.endpoint_ref),
        identity=(principal.ref, resource, *statement_label))


RULE = Rule(id="W403-U001", kind="denied", severity="note", check=check, precision="medium",
            summary="An intended access that may be refused, depending on a value the sources leave open")

"""An intended access that a Deny in the sources may refuse, depending on a value they leave open.

**What it finds.** An access the sources grant whose simulation cannot be decided because a Deny
statement of the sources might match it: its condition reads a key whose value is not known for this
caller (the organization of an account nobody configured, where a role's requests come from), or it
is built from a variable without a value. It is a `note`, never an error: why403 does not guess.

**Why it matters.** It is where a 403 can hide. Supplying the missing value (`--account-id`, the
`organization` or `paths` keys of the config, `--var`, `--parameter`) turns the note into a definite
answer.

**How to fix.** Supply what the message says is unknown, or make the Deny's exception explicit.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    seen: set[tuple[str, str, int]] = set()
    for r in analysis.results:
        d = r.decision
        if d.outcome != "unknown" or not r.intent.expect_allowed:
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
            yield RULE.finding(
                severity="note",
                message=(f"{r.intent.principal.label} may be denied {r.action} on {symbols.render(r.intent.resource)}: "
                         f"{stmt.name} of {origin} applies or not depending on what the sources leave open "
                         f"({symbols.render(why)})"),
                location=stmt.location, layer=step.layer, denial="explicit",
                access=Access(principal=symbols.render(r.intent.principal.actor.display),
                              principal_ref=r.intent.principal.ref, action=r.action,
                              resource=symbols.render(r.intent.resource), via=r.path.endpoint_ref),
                identity=(r.intent.principal.ref, symbols.render(r.intent.resource), stmt.label),
            )
            break


RULE = Rule(id="W403-U001", kind="denied", severity="note", check=check, precision="medium",
            summary="An intended access that a Deny may refuse, depending on a value the sources leave open")

"""An Allow that can never take effect because an unconditional Deny overrides it.

**What it finds.** An Allow statement every access of which (every action it names, on every
resource it names, for every principal it names, on every path) is refused by an explicit Deny that
has no condition: the Allow can never work.

**Why it matters.** An explicit Deny beats every Allow. Adding an Allow to "out-vote" a Deny does not
fix the 403; it only leaves a wider grant behind that starts working the day the Deny is relaxed.

A `note`: the denied accesses themselves are already reported, each once, by the rule of the layer
whose Deny refuses them (`W403-D101`...); this note is about the Allow, which is dead text.

**How to fix.** Decide which one is right: remove the Allow, or narrow the Deny.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    by_statement: dict[int, list[AccessResult]] = {}
    for r in analysis.results:
        if r.intent.statement is not None and r.intent.expect_allowed:
            by_statement.setdefault(id(r.intent.statement), []).append(r)
    for results in by_statement.values():
        decisions = [r.decision for r in results]
        if not all(d.outcome == "explicit-deny" and d.statement is not None and not d.statement.conditions
                   and not d.statement.maybe for d in decisions):
            continue
        first = results[0]
        stmt, policy = first.intent.statement, first.intent.policy
        deny = decisions[0].statement
        assert stmt is not None and deny is not None
        deny_origin = decisions[0].policy.origin if decisions[0].policy is not None else ""
        yield RULE.finding(
            message=(f"{stmt.name} of {policy.origin if policy else first.intent.source} can never take "
                     f"effect: {deny.name} of {deny_origin} denies everything it allows, without a condition "
                     "(the denials are reported at the Deny)"),
            location=stmt.location or (policy.location if policy else None), layer=decisions[0].layer,
            related=tuple(loc for loc in (deny.location,) if loc is not None),
            identity=(policy.origin if policy else "", stmt.label, deny.label),
        )


RULE = Rule(id="W403-B306", kind="broad-allow", severity="note", check=check,
            summary="An Allow that an unconditional Deny always overrides (an attempt to out-vote a deny)")

"""An access the configuration says must be denied is allowed.

**What it finds.** Each `must-deny` intent of the configuration (`intents: must-deny: [{principal,
action, resource, via}]`) simulated through every layer: when AWS would allow it, the finding names
the statements that let it through.

**Why it matters.** A must-deny is a guarantee the team relies on ("the analytics role can never
delete raw data", "nothing reaches the vault bucket from outside the VPC"); this rule keeps a change
from quietly breaking it.

**How to fix.** Remove or narrow the grant the trace points at, or add the Deny the guarantee needs.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.rules._chain import chain_of, trace_of
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for r in analysis.results:
        if r.intent.expect_allowed or not r.decision.allowed:
            continue
        grant = next((h for h in r.decision.related if h.statement.location is not None), None)
        principal = r.intent.principal
        yield RULE.finding(
            severity="error",
            message=(f"{principal.label} must not {r.action} {symbols.render(r.intent.resource)} (a must-deny intent "
                     f"of the configuration), but AWS would allow it"
                     + (f": {grant.statement.name} of {grant.policy.origin} grants it" if grant else "")),
            location=grant.statement.location if grant else principal.location,
            layer=grant.policy.kind.layer if grant else None,
            access=Access(principal=symbols.render(principal.actor.display), principal_ref=principal.ref,
                          action=r.action, resource=symbols.render(r.intent.resource), via=r.path.endpoint_ref),
            trace=trace_of(r.decision.trace),
            chain=chain_of(r.decision.trace),
            related=tuple(h.statement.location for h in r.decision.related if h.statement.location is not None),
            identity=("must-deny", principal.ref, r.action, symbols.render(r.intent.resource)),
        )


RULE = Rule(id="W403-B308", kind="broad-allow", severity="error", check=check,
            summary="An access the configuration says must be denied is allowed")

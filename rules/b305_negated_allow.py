"""An Allow written with `NotAction`, `NotResource` or `NotPrincipal`.

**What it finds.** Any Allow statement the sources write with a negated element.

**Why it matters.** A negated Allow grants everything except what it lists: every action of every
service but one, every resource but one, every principal of every account but one. It reads like a
restriction and is the widest grant there is. AWS does not support `NotPrincipal` with `Allow` at
all.

**Example.** `{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "*"}` grants every
action of every service except one.

**How to fix.** List what is allowed; use a separate Deny for what must never happen.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for policy, owner in analysis.world.policies:
        for stmt in policy.statements:
            if stmt.effect != "Allow":
                continue
            negated = [name for name, value in (("NotAction", stmt.not_actions), ("NotResource", stmt.not_resources),
                                                ("NotPrincipal", stmt.not_principals)) if value is not None]
            if not negated:
                continue
            yield RULE.finding(
                severity="warning",
                message=(f"{stmt.name} of {policy.origin or owner} allows with {' and '.join(negated)}: "
                         "it grants everything except what it lists"),
                location=stmt.location or policy.location, layer=policy.kind.layer,
                identity=(policy.origin or owner, stmt.label),
            )


RULE = Rule(id="W403-B305", kind="broad-allow", severity="warning", check=check,
            summary="An Allow with NotAction, NotResource or NotPrincipal grants more than it reads")

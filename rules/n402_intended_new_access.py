"""With `--baseline REF`: the change grants an access the sources intend.

**What it finds.** An access allowed now and denied (or absent) at `REF` that a grant of the sources
asks for: either the remedy of an intended access that was denied before the change, or the access
of a grant the change adds. Reported as a `note`, so that the review sees what the change opens.

**How to fix.** Nothing to fix; review that it is what the change set out to do.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    return [f for f in analysis.changes if f.rule == RULE.id]


RULE = Rule(id="W403-N402", kind="new-access", severity="note", check=check,
            summary="A change grants an access the sources intend (a new grant, or the remedy of a denied one)")

"""With `--baseline REF`: the change removes an access that was allowed before.

**What it finds.** An access of the grid (see W403-N401) allowed at `REF` and denied now, with the
layer that denies it now. A `note`: losing access may be the point of the change, or a new 403.

**How to fix.** If the access is still needed, the denied-access rules (W403-D1xx) say which layer
to change.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    return [f for f in analysis.changes if f.rule == RULE.id]


RULE = Rule(id="W403-N403", kind="new-access", severity="note", check=check,
            summary="A change removes an access that was allowed before")

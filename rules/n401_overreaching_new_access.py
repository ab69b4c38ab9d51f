"""With `--baseline REF`: the change lets someone in that no grant of the sources intends.

**What it finds.** The same grid of requests is simulated on the sources at `REF` and now: every
principal known in either, an anonymous caller, a principal of any other account, a principal of
the home account with no policies of its own and the AWS services in use, against every bucket and
key, for reads, writes, lists, deletes, permission changes, key use and key management, on every
network path. An access allowed now and denied before that no intent of the sources asks for is
reported: an `error` when it reaches anonymous callers or other accounts, a `warning` otherwise.
When the statement responsible also fixed an intended access that was denied at `REF`, the finding
carries a narrower draft: the same statement cut down to the principals and actions it had to
serve, re-simulated to keep the fix and drop the rest.

**Why it matters.** The fix for a 403 is where exposures are born: `Principal: "*"` with `kms:*`
ends the outage and opens the key to the world. Run in CI or in the pre-commit hook with
`--baseline HEAD` (or the pull request's base) to see only what the change adds.

**How to fix.** Apply the narrower draft, or name the principal and actions the intent needs.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    return [f for f in analysis.changes if f.rule == RULE.id]


RULE = Rule(id="W403-N401", kind="new-access", severity="error", check=check,
            summary="A change grants access beyond any intent of the sources (an overreaching remediation)")

"""A suppression does not suppress anything: no reason, expired, forbidden, or matching nothing.

**What it finds.** An inline suppression in Terraform (`# why403:ignore[RULE] reason`) or in a
CloudFormation resource's `Metadata: {why403: {ignore: [...]}}` that why403 did not honour:

- it gives no reason (a reason is required, so the next reader knows why the finding is fine);
- its `until=YYYY-MM-DD` date has passed (the finding it covered is reported again);
- the configuration forbids inline suppressions, altogether or for that rule
  (`[tool.why403.suppressions]`: `inline = false`, `forbid = ["W403-D"]`);
- it names a rule that does not exist, or nothing that rule reports is on the lines it covers
  (the problem was fixed, or the comment sits in the wrong place).

**Why it matters.** A suppression is a promise that someone looked at a finding and accepted it.
One without a reason, or one that outlived its date, is a finding nobody is looking at any more;
one that matches nothing is dead text that will silence the next, different, problem on the
same lines.

**Example.**

```hcl
# why403:ignore[W403-D101] until=2024-01-31
resource "aws_s3_bucket_policy" "data" {
```

```
s3.tf:1:1: W403-E002 note  suppression of W403-D101 has no reason, so it is ignored: write the
reason after the rule, e.g. # why403:ignore[W403-D101] the partner reads through the replica
```

**How to fix.** Add the reason, renew or drop the date, move the comment onto (or directly above)
the block or statement the finding points at, or delete the suppression if the finding is gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from why403.model.finding import Finding
from why403.rules import Rule


def _check(world: Any) -> Iterable[Finding]:
    # Produced when suppressions are applied to a run's findings (why403.report.suppress).
    return ()


RULE = Rule(id="W403-E002", kind="source", severity="note", check=_check,
            summary="A suppression does not suppress anything: no reason, expired, forbidden or matching nothing")

"""An intended access is denied by the principal's permissions boundary.

**What it finds.** A role or user whose permissions boundary does not allow (or explicitly denies)
an action its policies grant. A boundary also caps what a same-account bucket policy grants to the
role's ARN.

**Why it matters.** The effective permissions are the intersection of the identity policies and
the boundary; granting more in the identity policy does nothing.

**How to fix.** Add the action to the boundary, or grant through the session ARN if that is really
intended.
"""

from __future__ import annotations

from why403.rules import Rule
from why403.rules._denials import denial_rule, s3_layer

RULE = Rule(
    id="W403-D107",
    kind="denied",
    severity="error",
    summary="An intended access is denied by the principal's permissions boundary",
    check=denial_rule("W403-D107", s3_layer("permissions-boundary")),
)

"""An intended access is denied by the session policy the principal's sessions are created with.

**What it finds.** A federated user (or a role session created with a session policy the
configuration declares) whose session policy does not allow an action its IAM policies grant.

**How to fix.** Widen the session policy, or grant the session ARN directly in the bucket policy.
"""

from __future__ import annotations

from why403.rules import Rule
from why403.rules._denials import denial_rule
from why403.simulate.decision import Decision


def _selects(d: Decision) -> bool:
    return d.layer == "session-policy" and d.kms_action is None


RULE = Rule(
    id="W403-D108",
    kind="denied",
    severity="error",
    summary="An intended access is denied by a session policy",
    check=denial_rule("W403-D108", _selects),
)

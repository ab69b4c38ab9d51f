"""An intended access is denied by the principal's permissions boundary or session policy.

**What it finds.** A role or user whose permissions boundary does not allow (or explicitly denies)
an action its policies grant. A boundary also caps what a same-account bucket policy grants to the
role's ARN. A session policy (passed to `AssumeRole`) caps a role's session the same way; the
sources never create one, so it is `why403 diagnose` that reports it, from the CloudTrail event
that created the session.

**Why it matters.** The effective permissions are the intersection of the identity policies and
the boundary (and the session policy); granting more in the identity policy does nothing.

**Example.** A role's boundary allows `s3:Get*` and `s3:List*`; its inline policy also allows
`s3:PutObject` on its bucket: every upload fails with 403, "because no permissions boundary allows
the s3:PutObject action".

**How to fix.** Add the action to the boundary (or to the session policy the caller passes), or
grant through the session ARN if that is really intended.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule(
    "W403-D107",
    "An intended access is denied by the principal's permissions boundary or session policy",
    s3_layer("permissions-boundary", "session-policy"),
)

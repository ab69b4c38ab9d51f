"""An intended access is denied by the caller's own identity-based policies.

**What it finds.** A principal granted an S3 action on a bucket, whose identity policies (its
inline and attached policies, and its groups') either explicitly deny the request, or do not allow
it where an identity allow is required: for a caller from another account, or when the bucket
policy does not name the caller.

**Why it matters.** An explicit Deny in any attached policy (a platform guardrail attached with
`for_each`, say) overrides the Allow next to it. Across accounts both sides must allow: a bucket
policy naming a role of another account grants nothing until that role's own policies allow the
action. And an API name is not a permission: `s3:ListObjectsV2` is authorized by `s3:ListBucket`.

**Example.** An inline policy allows `s3:DeleteObject` on `scratch/*`; a baseline managed policy
attached to the same role denies `s3:DeleteObject` on `*`. Every cleanup delete fails with 403.

**How to fix.** Remove or narrow the Deny, or grant the action (with the permission name S3 really
checks) in the principal's identity policy.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D102", "An intended access is denied by the caller's identity-based policies",
                   s3_layer("identity-policy"))

"""An intended access through an S3 access point is denied by the access point policy.

**What it finds.** Requests through an access point must be permitted by the access point policy
and by the bucket; the access point policy denies or does not grant this one.

**How to fix.** Grant the principal in the access point policy, and make sure the bucket policy
delegates to access points (`s3:DataAccessPointAccount`).
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D109", "An intended access through an access point is denied by its policy",
                   s3_layer("access-point-policy"))

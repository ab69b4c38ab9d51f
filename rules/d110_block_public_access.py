"""An intended access is refused by S3 Block Public Access.

**What it finds.** With `RestrictPublicBuckets`, a bucket whose policy S3 considers public (one
statement open to everyone is enough) only admits AWS services and principals of the bucket
owner's account: every other account is refused, even one the policy names specifically.

**How to fix.** Remove or narrow the public statement (name principals, or add fixed-value
conditions such as `aws:PrincipalOrgID` or `aws:SourceVpce`), so the policy is no longer public.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D110", "An intended access is refused by S3 Block Public Access",
                   s3_layer("block-public-access"))

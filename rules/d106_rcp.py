"""An intended access is denied by a resource control policy (RCP) of the bucket's account.

**What it finds.** An RCP attached to the account that owns the bucket (or to its OU or root) that
denies the request, typically an identity perimeter that only admits principals of the
organization's accounts.

**Why it matters.** RCPs apply to every request to the account's S3 and KMS resources, whoever makes
it; the bucket policy and the caller's IAM policies can both allow and the request still fails.

**Example.** An RCP denies `s3:*` unless `aws:PrincipalAccount` is one of the organization's
accounts; the bucket policy grants an external auditor's role `s3:GetObject`: its reads fail.

**How to fix.** Add the partner to the perimeter's exception list, or share the data another way.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D106", "An intended access is denied by a resource control policy", s3_layer("rcp"))

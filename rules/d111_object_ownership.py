"""An intended access is refused before policies are evaluated.

**What it finds.** Requests S3 refuses on their form: an ACL header on a bucket whose Object
Ownership is `BucketOwnerEnforced` (400 `AccessControlListNotSupported`), a Requester Pays bucket
read without `x-amz-request-payer`, an access point with a VPC network origin used from elsewhere,
an SSE-KMS object read anonymously or without TLS, an AWS service that cannot use SSE-KMS at all
delivering to or reading from an SSE-KMS bucket (Elastic Load Balancing access logs, a CloudFront
origin access identity), and objects whose KMS key is disabled (`Enabled: false`,
`is_enabled = false`): KMS refuses every call, so every read and write fails.

**How to fix.** Change the bucket or key setting, or the client's request, as the message says.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule
from why403.simulate.decision import Decision


def _selects(d: Decision) -> bool:
    if d.layer == "kms-key-state":
        return True
    return d.layer in ("object-ownership", "request-validation") and d.kms_action is None


RULE = denied_rule("W403-D111", "An intended access is refused by Object Ownership or S3 request validation", _selects)

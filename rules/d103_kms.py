"""An intended S3 access fails because S3's call to KMS on the caller's behalf is denied.

**What it finds.** Reads and writes of SSE-KMS objects make S3 call KMS with the caller's identity:
`kms:Decrypt` to read, `kms:GenerateDataKey` to write. KMS authorizes that call separately: the key
policy must allow it directly, or delegate to the caller's account (the account-root statement)
whose IAM policies must then allow it; a grant also allows it; an explicit Deny anywhere wins.
`access.kms_action` names the KMS action and `layer` the policy that decided it.

**Why it matters.** The S3 permissions look right, yet every upload or download fails with 403.
Typical causes: `kms:Encrypt` granted where S3 needs `kms:GenerateDataKey`; a partner account named
in the bucket policy but not in the key policy; the AWS managed key `aws/s3`, which no other
account can use; a key policy condition on `aws:SourceVpce`, which S3's own call never carries.

**Example.** The key policy only delegates to the owning account
(`"Principal": {"AWS": "arn:aws:iam::111122223333:root"}`) and the uploader's role has `s3:PutObject`
and `kms:Encrypt`: uploads fail, `kms:GenerateDataKey` is missing.

**How to fix.** Grant the KMS action S3 needs where the key says it is decided: in the key policy
(name the principal or its account, ideally with `kms:ViaService`), or in the caller's IAM policy
when the key delegates to IAM, or with a KMS grant. For cross-account reads re-encrypt with a
customer managed key instead of `aws/s3`.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule
from why403.simulate.decision import Decision


def _selects(d: Decision) -> bool:
    return d.kms_action is not None and d.layer != "kms-key-state"


RULE = denied_rule("W403-D103", "An intended S3 access fails in the KMS call S3 makes on the caller's behalf (SSE-KMS)",
                   _selects)

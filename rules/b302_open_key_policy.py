"""A key policy lets principals of any AWS account use or manage the key.

**What it finds.** An Allow statement of a KMS key policy with principal `"*"` or `{"AWS": "*"}`
(or an Allow with `NotPrincipal`) that, simulated for an administrator of an unrelated AWS account,
lets it use the key (`kms:Decrypt`, `kms:GenerateDataKey`, `kms:Encrypt`), directly or through S3,
or manage it (`kms:PutKeyPolicy`, `kms:ScheduleKeyDeletion`). Conditions that make such a statement
safe, such as `kms:CallerAccount` (with `kms:ViaService`) or `aws:PrincipalOrgID`, clear it; the
default account-root statement is not flagged.

**Why it matters.** Anyone who can reach an encrypted object (or copy its ciphertext) can decrypt it;
with management rights they can take the key over. Often added to stop a cross-account KMS 403.

**Example.** `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt",
"kms:DescribeKey"], "Resource": "*"}`.

**How to fix.** Name the partner's account root or role, or add `kms:CallerAccount` /
`aws:PrincipalOrgID` conditions.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.world.analysis import Analysis

USE = ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt")
MANAGE = ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")


def check(analysis: Analysis) -> Iterable[Finding]:
    for key in sorted(analysis.world.unique_keys(), key=lambda k: k.ref or k.arn):
        if key.aws_managed:
            continue
        for exposure in analysis.key_exposures(key, USE + MANAGE):
            if not exposure.admitted:
                continue
            stmt = exposure.statement
            allowed = [a.action for a in exposure.admitted]
            message = (f"{stmt.name} of the policy of KMS key {key.ref or symbols.render(key.arn)} lets "
                       f"principals of any AWS account call {', '.join(allowed)}: nothing narrows the wildcard "
                       "principal to your accounts or organization")
            yield RULE.finding(
                severity="error", message=message,
                location=stmt.location or key.policy.location or key.location, layer="kms-key-policy",
                access=Access(principal="*", action=allowed[0], resource=symbols.render(key.arn)),
                identity=(key.ref or key.arn, stmt.label),
            )


RULE = Rule(id="W403-B302", kind="broad-allow", severity="error", check=check,
            summary="The key policy lets principals of any AWS account use or manage the key")

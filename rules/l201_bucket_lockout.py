"""A bucket policy locks the deployer or the account's administrators out of managing the bucket.

**What it finds.** The bucket policy explicitly denies one of the principals that must keep managing
the bucket the actions Terraform or CloudFormation need to read and update it
(`s3:GetBucketPolicy`, `s3:PutBucketPolicy`, `s3:ListBucket`, `s3:GetEncryptionConfiguration`,
`s3:GetBucketTagging`). Those principals are the deployer (a Terraform provider's `assume_role`, or
`deployers` in the config), the `admins` of the config and the administrators the sources define;
when none is known, any administrator role of the account.

**Why it matters.** After the first apply the next `terraform plan` fails with 403 (or plans to
recreate the bucket), and nobody but the account's root user can delete the policy. S3's root-user
exception for the bucket-policy APIs is a break-glass procedure, not a way to run a pipeline.

**Example.** `Deny s3:*` to `"*"` unless `aws:userId` is the application role's unique id: every
other principal, the deployer included, is denied every bucket action.

**How to fix.** Exempt the deployer and the administrator roles, preferably with
`ArnNotLike aws:PrincipalArn` (which covers every session of a role), or limit the Deny to object
actions.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.arn import s3_bucket
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.rules._chain import chain_of, trace_of
from why403.world.analysis import Analysis
from why403.world.lockout import bucket_lockout

MANAGEMENT_ACTIONS = (
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:ListBucket",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketTagging",
)


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        lockout = bucket_lockout(analysis, name, MANAGEMENT_ACTIONS)
        if lockout is None:
            continue
        info, decision = lockout.manager, lockout.decision
        stmt = decision.statement
        who = symbols.render(info.arn) + (f" ({info.ref})" if info.ref != info.arn else "")
        message = (f"the policy of bucket {symbols.render(name)} explicitly denies {who} "
                   f"{', '.join(lockout.denied)}"
                   + (f" ({stmt.name})" if stmt is not None else "")
                   + ": once applied, the deployer and administrators can no longer read or update the "
                     "bucket's configuration, and only the account root user can remove the policy")
        yield RULE.finding(
            severity="error", message=message,
            location=stmt.location if stmt is not None and stmt.location else binfo.location,
            layer="bucket-policy", denial="explicit",
            access=Access(principal=symbols.render(info.actor.display), principal_ref=info.ref,
                          action=lockout.denied[0], resource=s3_bucket(symbols.render(name))),
            trace=trace_of(decision.trace),
            chain=chain_of(decision.trace),
            related=tuple(loc for loc in (binfo.location,) if loc is not None),
            identity=(binfo.ref, info.ref, stmt.label if stmt else ""),
        )


RULE = Rule(id="W403-L201", kind="lockout", severity="error", check=check,
            summary="The bucket policy locks the deployer or the administrators out of managing the bucket")

"""A bucket policy locks the deployer or the account's administrators out of managing the bucket.

**What it finds.** A Deny of the bucket policy whose exception (`aws:PrincipalArn`, `aws:userid`,
`aws:SourceVpce`, `aws:SourceIp`, `aws:PrincipalOrgID`, `aws:CalledVia`...) leaves out a
principal that must keep managing the bucket, and so denies it the actions Terraform or
CloudFormation need to read and update it (`s3:GetBucketPolicy`, `s3:PutBucketPolicy`,
`s3:DeleteBucketPolicy`, `s3:ListBucket`, `s3:GetEncryptionConfiguration`, `s3:GetBucketTagging`).
Those principals are the deployer (a Terraform provider's `assume_role`, or `deployers` in the
config) and the administrators (the config's `admins`, the principals with administrator policies
in the sources, else any administrator role of the account), who use the console or the CLI from
outside any VPC. The finding names the statement, who is locked out and what they can no longer do.

When the sources name no deployer, the account root stands in for it: a lockout only the stand-in
suffers is a `note` (the real deployer may be among the exceptions; say who it is with `deployers`).

**Why it matters.** After the first apply the next `terraform plan` fails with 403 (or plans to
recreate the bucket), and nobody but the account's root user can delete the policy. S3's root-user
exception for the bucket-policy APIs is a break-glass procedure, not a way to run a pipeline.

**Example.** `Deny s3:*` to `"*"` unless `aws:SourceVpce` is the application's endpoint: an
administrator at the console, outside the VPC, can no longer read or change the bucket.

**How to fix.** Exempt the deployer and the administrator roles, preferably with
`ArnNotLike aws:PrincipalArn` (which covers every session of a role), or limit the Deny to object
actions.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.rules._chain import chain_of, trace_of
from why403.world.analysis import Analysis
from why403.world.lockout import bucket_lockout

MANAGEMENT_ACTIONS = (
    "s3:GetBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:ListBucket",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketTagging",
)


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        lockout = bucket_lockout(analysis, name, MANAGEMENT_ACTIONS)
        if lockout is None:
            continue
        first = lockout.first
        decision = first.decision
        stmt = decision.statement
        shown = [lk for lk in lockout.locked if lk.manager.sure] or list(lockout.locked)
        who = "; ".join(f"{lk.manager.role} can no longer {', '.join(lk.denied)}" for lk in shown[:3])
        root_kept = any(lk.manager.info.actor.kind == "root" for lk in shown)
        message = (f"{stmt.name if stmt is not None else 'a statement'} of the policy of bucket "
                   f"{symbols.render(name)} denies the principals that must keep managing the bucket: {who}"
                   + (" (the root user keeps the bucket policy APIs: S3's exception for it)" if root_kept else "")
                   + ("" if lockout.sure else "; the deployer is not in the sources, so this rests on the stand-in"))
        manager = first.manager.info
        yield RULE.finding(
            severity="error" if lockout.sure else "note", message=message,
            location=stmt.location if stmt is not None and stmt.location else binfo.location,
            layer="bucket-policy", denial="explicit",
            access=Access(principal=symbols.render(manager.actor.display), principal_ref=manager.ref,
                          action=first.denied[0], resource=symbols.render(analysis.world.bucket_arn(name))),
            trace=trace_of(decision.trace),
            chain=chain_of(decision.trace),
            related=tuple(loc for loc in (binfo.location,) if loc is not None),
            identity=(binfo.ref, manager.ref, stmt.label if stmt else ""),
        )


RULE = Rule(id="W403-L201", kind="lockout", severity="error", check=check,
            summary="The bucket policy locks the deployer or the administrators out of managing the bucket")

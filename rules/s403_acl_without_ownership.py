"""A bucket ACL that a new bucket refuses: ACLs are disabled by default since April 2023.

**What it finds.** A bucket given a canned ACL other than `private` (`log-delivery-write`,
`public-read`, `LogDeliveryWrite` ...) or grants to others, with no Object Ownership setting
(`aws_s3_bucket_ownership_controls`, `OwnershipControls`).

**Why it matters.** New buckets are created with Object Ownership `BucketOwnerEnforced`: ACLs are
disabled and S3 refuses to set one (`AccessControlListNotSupported`), so a new deployment of this
code fails. Existing buckets created earlier keep their ACLs, which is why the code may look like it
works. why403 simulates the bucket as the code needs it (ACLs enabled) and reports this instead.

**Example.** A log bucket with `acl = "log-delivery-write"` so that server access logs can be
delivered.

**How to fix.** Prefer a bucket policy (for log delivery: allow `logging.s3.amazonaws.com`
`s3:PutObject` with `aws:SourceArn`/`aws:SourceAccount` conditions) and keep ACLs disabled, or set
Object Ownership to `BucketOwnerPreferred`/`ObjectWriter` explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        if binfo.acl_without_ownership is None:
            continue
        yield RULE.finding(
            severity="warning",
            message=(f"bucket {symbols.render(name)} sets the ACL {binfo.acl_without_ownership} but no Object "
                     "Ownership: new buckets are BucketOwnerEnforced, so S3 refuses the ACL "
                     "(AccessControlListNotSupported) and a new deployment fails"),
            location=binfo.location, layer="object-ownership", denial="explicit",
            identity=(binfo.ref, binfo.acl_without_ownership),
        )


RULE = Rule(id="W403-S403", kind="denied", severity="warning", check=check,
            summary="A bucket ACL that new buckets refuse (ACLs are disabled by default since April 2023)")

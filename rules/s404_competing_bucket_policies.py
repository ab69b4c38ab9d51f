"""Several policies are written for one bucket.

**What it finds.** Two or more `aws_s3_bucket_policy` resources (or a provider v3 inline `policy` on
`aws_s3_bucket` beside an `aws_s3_bucket_policy`, or two `AWS::S3::BucketPolicy`) for the same bucket.

**Why it matters.** A bucket has exactly one policy: every apply of one resource replaces what the
other wrote, so the policy in force depends on the order of the last apply, and the plan never
settles. Any statement in the losing one, a grant that fixes a 403 or a Deny that protects the
data, silently disappears. why403 treats the bucket's policy as unknown.

**How to fix.** Merge the statements into one policy (`source_policy_documents` of an
`aws_iam_policy_document` does this cleanly).
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        if not binfo.competing_policies:
            continue
        refs = [ref for ref, _ in binfo.competing_policies]
        first = binfo.competing_policies[0][1]
        yield RULE.finding(
            severity="warning",
            message=(f"bucket {symbols.render(name)} is given {len(refs)} policies ({', '.join(refs)}): each apply "
                     "replaces the others, so which statements are in force is not determined"),
            location=first, layer="bucket-policy", denial="implicit",
            related=tuple(loc for _, loc in binfo.competing_policies[1:]),
            identity=(binfo.ref, *refs),
        )


RULE = Rule(id="W403-S404", kind="denied", severity="warning", check=check,
            summary="Several policies are written for one bucket; each apply replaces the others")

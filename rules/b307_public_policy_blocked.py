"""A public bucket policy on a bucket whose Block Public Access refuses public policies.

**What it finds.** Each statement that makes a bucket policy public (an Allow to `"*"` not limited
to fixed values of the keys S3 accepts) on a bucket where `BlockPublicPolicy` is on, including
buckets that set no public access block at all: since April 2023 every new bucket has all four
settings on. Such a statement is reported here only, not also as a public grant (`W403-B301`): the
policy never takes effect.

**Why it matters.** S3 refuses to store the policy: `PutBucketPolicy` fails with 403 Access Denied
and the deployment stops half-way. Usually a sign that the policy was widened to fix a 403.

**How to fix.** Make the statement non-public (name the principals, or add `aws:PrincipalOrgID`,
`aws:SourceVpce`, `aws:SourceAccount`... conditions). If the bucket really must be public, turn
`block_public_policy` off deliberately for this bucket.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.policy import catalogue
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        state = binfo.state
        if state.policy is None or state.bpa.block_public_policy is not True:
            continue
        for stmt in (e.statement for e in analysis.bucket_exposures(name) if e.public is True):
            yield RULE.finding(
                severity="error",
                message=(f"{stmt.name} makes the policy of bucket {symbols.render(name)} public, and the "
                         "bucket's Block Public Access (BlockPublicPolicy) refuses public policies: the deployment "
                         "would fail with 403 on PutBucketPolicy"),
                location=stmt.location or state.policy.location, layer="block-public-access",
                access=Access(principal="*", action=catalogue.display(stmt.actions[0]) if stmt.actions else "*",
                              resource=symbols.render(stmt.resources[0] if stmt.resources else state.arn)),
                related=tuple(loc for loc in (binfo.location,) if loc is not None),
                identity=(binfo.ref, stmt.label),
            )


RULE = Rule(id="W403-B307", kind="broad-allow", severity="error", check=check,
            summary="A public bucket policy that Block Public Access will refuse to store")

"""Several policies are written for one bucket.

**What it finds.** Two or more `aws_s3_bucket_policy` resources (or a provider v3 inline `policy` on
`aws_s3_bucket` beside an `aws_s3_bucket_policy`, or two `AWS::S3::BucketPolicy`) for the same bucket.

**Why it matters.** A bucket has exactly one policy: every apply of one resource replaces what the
other wrote, so the policy in force depends on the order of the last apply, and the plan never
settles. Any statement in the losing one, a grant that fixes a 403 or a Deny that protects the
data, silently disappears. why403 treats the bucket's policy as unknown. When all but one of the
policies exist only under a condition the sources leave open (a `count` on a variable without a
value, often one policy per environment), they may never be created together: the finding is then a
note saying which value decides.

**How to fix.** Merge the statements into one policy (`source_policy_documents` of an
`aws_iam_policy_document` does this cleanly).
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Finding, Severity
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        written = binfo.competing_policies
        if not written:
            continue
        refs = [w.ref for w in written]
        open_ = [w for w in written if w.open]
        severity: Severity
        if len(written) - len(open_) >= 2:
            severity = "warning"
            message = (f"bucket {symbols.render(name)} is given {len(refs)} policies ({', '.join(refs)}): each "
                       "apply replaces the others, so which statements are in force is not determined")
        else:
            # Whether two of them are ever created together is open (counts on a variable without a
            # value are often mutually exclusive, one per environment): say what decides it.
            severity = "note"
            message = (f"bucket {symbols.render(name)} may be given {len(refs)} policies ({', '.join(refs)}): "
                       f"whether {', '.join(w.ref for w in open_)} {'is' if len(open_) == 1 else 'are'} created "
                       f"depends on values the sources leave open ({open_[0].open}); if more than one is, each "
                       "apply replaces the others")
        yield RULE.finding(
            severity=severity, message=message,
            location=written[0].location, layer="bucket-policy", denial="implicit",
            related=tuple(w.location for w in written[1:]),
            identity=(binfo.ref, *refs),
        )


RULE = Rule(id="W403-S404", kind="denied", severity="warning", check=check,
            summary="Several policies are written for one bucket; each apply replaces the others")

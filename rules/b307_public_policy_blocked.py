"""Block Public Access refuses the deployer's call that writes a public bucket policy or ACL.

**What it finds.** The deployment's `PutBucketPolicy` with a policy S3 considers public, on a
bucket where `BlockPublicPolicy` is on (at the bucket or account level: `aws_s3_bucket_public_access_block`,
`aws_s3_account_public_access_block`, `PublicAccessBlockConfiguration`; since April 2023 every new
bucket has all four settings on), or its `PutBucketAcl` with a public ACL under `BlockPublicAcls`.
It is the deployer's own request, answered by S3's Block Public Access layer: one finding per
statement that makes the policy public, and not also a public grant (W403-B301).

S3 judges a policy as a whole: an Allow to `"*"` that a Deny of the same policy confines to fixed
values of the keys S3 trusts (`StringNotEquals aws:PrincipalOrgID`, `aws:SourceVpce`...) is not
public, as an Allow condition on them would not be. A Deny that may cover only part of the Allow
leaves the answer open, and nothing is reported.

**Why it matters.** S3 refuses to store the policy: `PutBucketPolicy` fails with 403 Access Denied
and the deployment stops half-way. Usually a sign that the policy was widened to fix a 403. The
public grant itself never takes effect, so it is not reported as a broad allow (W403-B301).

**Example.** `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource":
"arn:aws:s3:::site/*"}` on a bucket created without a public access block.

**How to fix.** Make the statement non-public (name the principals, or add `aws:PrincipalOrgID`,
`aws:SourceVpce`, `aws:SourceAccount`... conditions, or a Deny for everyone outside them). If the
bucket really must be public, turn `block_public_policy` off deliberately for this bucket.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.model.policy import Statement
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for name, binfo in sorted(analysis.world.buckets.items()):
        refusals = analysis.deployment_refusals(name)
        if not refusals:
            continue
        state = binfo.state
        deployer = analysis.managers(state.account)[0]
        for action, decision in refusals:
            # One finding per statement that makes the policy public: each is a change to make.
            causes: list[Statement | None] = list(analysis.public_statements(name)) \
                if action == "s3:PutBucketPolicy" else []
            causes = causes or [None]
            for stmt in causes:
                what = "policy" if action == "s3:PutBucketPolicy" else "ACL"
                where = (stmt.location if stmt is not None and stmt.location else
                         (state.policy.location if state.policy is not None and what == "policy" else None)
                         or binfo.location)
                because = f" ({stmt.name} is open to everyone)" if stmt is not None else ""
                if binfo.bpa_by_default and binfo.in_sources:
                    # Owners who write no public access block rarely know their bucket has one.
                    because += ("; the sources write no public access block for the bucket, and S3 turns all four "
                                "settings on for a new bucket")
                yield RULE.finding(
                    severity="error",
                    message=(f"the deployment's {action} on bucket {symbols.render(name)} is refused by Block Public "
                             f"Access: {decision.detail}{because}; the {what} is never stored and the deployment "
                             "fails with 403"),
                    location=where, layer="block-public-access", denial="explicit",
                    access=Access(principal=symbols.render(deployer.actor.display), principal_ref=deployer.ref,
                                  action=action, resource=analysis.world.bucket_arn(name)),
                    trace=tuple(s.render() for s in decision.trace),
                    related=tuple(loc for loc in (binfo.location,) if loc is not None and loc != where),
                    identity=(binfo.ref, action, stmt.label if stmt is not None else ""),
                )


RULE = Rule(id="W403-B307", kind="denied", severity="error", check=check,
            summary="Block Public Access refuses the deployer's call that writes a public bucket policy or ACL")

"""A bucket policy lets anonymous callers or principals of any AWS account in.

**What it finds.** An Allow statement of a bucket policy whose principal is `"*"` or
`{"AWS": "*"}` (or an Allow with `NotPrincipal`) and that, simulated for an anonymous caller and for
an administrator of an unrelated AWS account, really admits them: no condition narrows it to known
accounts, the organization (`aws:PrincipalOrgID`), a VPC or endpoint (`aws:SourceVpc`,
`aws:SourceVpce`) or, for service principals, a source (`aws:SourceArn`, `aws:SourceAccount`), and
Block Public Access does not stop it.

**Why it matters.** This is the quick fix for a cross-account 403 that trades an outage for an
exposure: every object becomes readable (or writable) by anyone with an AWS account, often by
anyone on the internet.

**Example.** `{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
"Resource": "arn:aws:s3:::artifacts/*"}` on a bucket whose `RestrictPublicBuckets` is off.

A statement S3 classes as public that nothing lets through today (a Deny keeps outsiders out) is a
`warning`: the Allow is still open to everyone the day the Deny changes. A public statement on a
bucket whose Block Public Access refuses public policies is not reported here: S3 would refuse to
store the policy, which `W403-B307` reports, once.

A policy the sources write for a bucket they do not create (`aws_s3_bucket_policy` with `bucket =
var.name`, a literal name, a CloudFormation `Bucket: !Ref BucketName`) is judged the same way: the
bucket is in the account that writes the policy (only the owner may), its other settings unknown
(unknown Block Public Access counts as off, as for every bucket), and the message says so.

**How to fix.** Name the partner's account or role in `Principal`, or keep `"*"` and add a condition
with a fixed value such as `aws:PrincipalOrgID` or `aws:PrincipalAccount`.
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
        policy = binfo.state.policy
        if policy is None:
            continue
        refused = binfo.state.bpa.block_public_policy is True
        for exposure in analysis.bucket_exposures(name):
            stmt = exposure.statement
            if not exposure.simulated or stmt.actions is None:
                continue
            if refused and exposure.public is True:
                continue  # S3 refuses to store this policy at all: W403-B307 is the one finding
            location = stmt.location or policy.location or binfo.location
            elsewhere = "" if binfo.in_sources else (
                f" (bucket {symbols.render(name)} is not created by the sources: if its Block Public Access blocks "
                "public policies, S3 refuses this policy instead and the apply fails with 403)")
            if exposure.admitted:
                whom = sorted({a.who for a in exposure.admitted})
                acts = sorted({a.action for a in exposure.admitted})
                resource = symbols.render(exposure.admitted[0].resource)
                yield RULE.finding(
                    severity="error",
                    message=(f"{stmt.name} of the policy of bucket {symbols.render(name)} lets "
                             f"{' and '.join(whom)} {', '.join(acts)} on {resource}: no condition narrows the "
                             f"wildcard principal to known accounts or your organization{elsewhere}"),
                    location=location, layer="bucket-policy",
                    access=Access(principal="*", action=acts[0], resource=resource),
                    identity=(binfo.ref, stmt.label),
                )
            elif exposure.public is True:
                # Nobody outside gets in today (a Deny or Block Public Access stops them), but S3 classes
                # the policy as public and the Allow is open to everyone the day that changes.
                yield RULE.finding(
                    severity="warning",
                    message=(f"{stmt.name} of the policy of bucket {symbols.render(name)} allows "
                             f"\"*\" {', '.join(stmt.actions)} without a condition that narrows it, so S3 "
                             "classifies the policy as public (warning: nothing lets outsiders through today, a "
                             "Deny or Block Public Access stops them, but this Allow lets them in the moment that "
                             "changes)"),
                    location=location, layer="bucket-policy",
                    access=Access(principal="*", action=catalogue.display(stmt.actions[0]),
                                  resource=symbols.render(stmt.resources[0] if stmt.resources else binfo.state.arn)),
                    identity=(binfo.ref, stmt.label),
                )


RULE = Rule(id="W403-B301", kind="broad-allow", severity="error", check=check,
            summary="The bucket policy admits anonymous callers or principals of any AWS account")

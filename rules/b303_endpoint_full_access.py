"""A VPC endpoint policy admits any principal to any S3 action on any bucket.

**What it finds.** An S3 endpoint whose policy, simulated for a principal of an unrelated account
writing to and reading from a bucket of an unrelated account, lets the requests through: the
policy allows `"*"` actions on `"*"` resources to `"*"` with no condition on `aws:PrincipalAccount`,
`aws:PrincipalOrgID`, `s3:ResourceAccount` or `aws:ResourceOrgID`. A `warning` when the sources
write such a policy, a `note` when the endpoint has no policy and AWS's default full-access policy
applies (the config's `endpoint-policy-severity` can raise both).

**Why it matters.** An endpoint is where a VPC's data leaves. Full access lets any credentials used
inside the VPC, including stolen ones from another account, copy data to any bucket in the world.

**Example.** `{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`.

**How to fix.** Allow only the buckets the VPC needs (or `s3:ResourceAccount`/`aws:ResourceOrgID`
of your accounts), and the principals of your accounts.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    settings = analysis.world.settings
    for ep in sorted(analysis.world.endpoints.values(), key=lambda e: e.ref):
        if not ep.is_s3:
            continue
        if ep.policy is None:
            severity = settings.default_endpoint_policy_severity
            why = (f" ({severity}: AWS's default, which most VPCs keep; the configuration's "
                   "default_endpoint_policy_severity raises it)") if severity != RULE.severity else ""
            yield RULE.finding(
                severity=severity,  # type: ignore[arg-type]
                message=(f"S3 endpoint {ep.ref} has no policy, so AWS's default full-access policy applies: "
                         f"principals of any account may reach any bucket through it{why}"),
                location=ep.location, layer="vpc-endpoint-policy", identity=(ep.ref, "default"),
            )
            continue
        if not analysis.endpoint_admits_anyone(ep):
            continue
        yield RULE.finding(
            severity=settings.explicit_full_access_endpoint_severity,  # type: ignore[arg-type]
            message=(f"the policy of S3 endpoint {ep.ref} lets principals of any account read and write any "
                     "bucket, the same as having no endpoint policy"),
            location=ep.policy.location or ep.location, layer="vpc-endpoint-policy", identity=(ep.ref, "explicit"),
        )


RULE = Rule(id="W403-B303", kind="broad-allow", severity="warning", check=check,
            summary="A VPC endpoint policy admits any principal to any action on any bucket")

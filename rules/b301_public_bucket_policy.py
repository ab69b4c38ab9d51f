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
`warning`: the Allow is still open to everyone the day the Deny changes.

**How to fix.** Name the partner's account or role in `Principal`, or keep `"*"` and add a condition
with a fixed value such as `aws:PrincipalOrgID` or `aws:PrincipalAccount`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from why403.model import symbols
from why403.model.arn import split_s3_arn
from why403.model.finding import Access, Finding
from why403.policy import catalogue
from why403.rules import Rule
from why403.simulate.public import statement_is_public
from why403.simulate.state import BlockPublicAccess
from why403.world.analysis import Analysis
from why403.world.intents import concrete_actions, sample_key
from why403.world.model import internet_path

# Someone outside the organization, calling S3's public endpoint (not through a VPC endpoint).
OUTSIDE = internet_path(reason="the internet")


def check(analysis: Analysis) -> Iterable[Finding]:
    world = analysis.world
    for name, binfo in sorted(world.buckets.items()):
        policy = binfo.state.policy
        if policy is None:
            continue
        for stmt in policy.statements:
            if stmt.effect != "Allow" or stmt.actions is None or stmt.resources is None:
                continue
            wide = stmt.principals is None or any(e.is_wildcard for e in stmt.principals or ())
            if not wide:
                continue
            admitted: list[tuple[str, str, str]] = []
            # Judge what the sources configure: account-level Block Public Access is set elsewhere, and
            # if it is on, the deployment of this policy fails instead (W403-B305).
            own_settings = replace(binfo.state, bpa=_bucket_level(binfo.state.bpa))
            for resource in stmt.resources:
                parsed = split_s3_arn(resource) if resource != "*" else (name, "*")
                if parsed is None:
                    parsed = (name, "*") if resource.startswith(f"arn:aws:s3:::{name}") or resource in (
                        "arn:aws:s3:::*",) else None
                if parsed is None or parsed[0] != name:
                    continue
                key_pattern = parsed[1]
                actions, _ = concrete_actions(stmt.actions, key_pattern is not None)
                for who in (analysis.anonymous, analysis.stranger):
                    for action in actions:
                        _, d = analysis.sim.decide(who.actor, action, own_settings,
                                                   sample_key(key_pattern) if key_pattern is not None else None,
                                                   OUTSIDE)
                        if d.allowed:
                            admitted.append((who.label, action, resource))
            if admitted:
                whom = sorted({w for w, _, _ in admitted})
                acts = sorted({a for _, a, _ in admitted})
                message = (f"{stmt.name} of the policy of bucket {symbols.render(name)} lets "
                           f"{' and '.join(whom)} {', '.join(acts)} on {symbols.render(admitted[0][2])}: "
                           "no condition narrows the wildcard principal to known accounts or your organization")
                yield Finding(
                    rule=RULE.id, kind="broad-allow", severity="error", message=message,
                    location=stmt.location or policy.location or binfo.location, layer="bucket-policy",
                    access=Access(principal="*", action=acts[0], resource=symbols.render(admitted[0][2])),
                    identity=(binfo.ref, stmt.label),
                )
            elif statement_is_public(stmt, policy.kind) is True:
                # Nobody outside gets in today (a Deny or Block Public Access stops them), but S3 classes
                # the policy as public and the Allow is open to everyone the day that changes.
                yield Finding(
                    rule=RULE.id, kind="broad-allow", severity="warning",
                    message=(f"{stmt.name} of the policy of bucket {symbols.render(name)} allows "
                             f"\"*\" {', '.join(stmt.actions)} without a condition that narrows it, so S3 "
                             "classifies the policy as public; nothing lets outsiders through today (a Deny or "
                             "Block Public Access stops them), but this Allow grants them access the moment that "
                             "changes"),
                    location=stmt.location or policy.location or binfo.location, layer="bucket-policy",
                    access=Access(principal="*", action=catalogue.display(stmt.actions[0]), resource=name),
                    identity=(binfo.ref, stmt.label),
                )


def _bucket_level(bpa: BlockPublicAccess) -> BlockPublicAccess:
    """The bucket's own settings: unknown account-level settings are left out (None -> False)."""
    return BlockPublicAccess(*(v if v is not None else False for v in (
        bpa.block_public_acls, bpa.ignore_public_acls, bpa.block_public_policy, bpa.restrict_public_buckets)))


RULE = Rule(
    id="W403-B301",
    kind="broad-allow",
    severity="error",
    summary="The bucket policy admits anonymous callers or principals of any AWS account",
    check=check,
)

"""A wildcard grant to a principal that is not an administrator.

**What it finds.** In a bucket, key or endpoint policy, an Allow of `s3:*`, `kms:*` or `*` to a
role or user of the sources that is not an administrator (the account-root statement of a key
policy, which delegates to IAM, is not flagged, nor a principal the sources do not define, which may
be the administrator it is named as); in an identity policy, data or key-use actions (`s3:GetObject`,
`s3:PutObject`, `s3:DeleteObject`, `kms:Decrypt`, `kms:GenerateDataKey`, or wildcards that include
them) on `Resource: "*"`, which the simulation confirms by reaching a bucket or key outside the
sources. A role or user that may attach any policy to itself (`iam:*`, `iam:PutRolePolicy` or
`iam:AttachRolePolicy` on itself, with no condition, Deny or permissions boundary in the way) is
an administrator in effect, as a deployment role usually is, and is not flagged. A statement of a
policy attached to several roles or users is one finding, naming them.

**Why it matters.** Wildcards are how a quick fix for a 403 becomes a standing exposure: the
principal gains deletes, policy changes and every bucket and key of the account, not the one access
it needed.

**How to fix.** Name the actions the workload performs and the buckets, prefixes and keys it uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.model.policy import Policy, PolicyKind, Statement
from why403.rules import Rule
from why403.world.analysis import Analysis
from why403.world.managed import is_aws_managed

WIDE = frozenset({"*", "s3:*", "kms:*"})
DATA_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def _resource_policy_findings(analysis: Analysis) -> Iterable[Finding]:
    admins = {p.arn for p in analysis.world.principals.values() if p.admin}
    admins |= {d.arn for d in analysis.world.deployers}
    admins |= {analysis.world.refs.get(a, a) for a in analysis.world.settings.admins}
    for policy, owner in analysis.world.policies:
        if policy.kind not in (PolicyKind.BUCKET, PolicyKind.KEY, PolicyKind.ACCESS_POINT):
            continue
        for stmt in policy.statements:
            if stmt.effect != "Allow" or not stmt.actions or not (WIDE & set(a.lower() for a in stmt.actions)):
                continue
            for entry in stmt.principals or ():
                if entry.is_wildcard or entry.type != "AWS":
                    continue  # wildcard principals are B301/B302
                value = entry.value
                if value.endswith(":root") or value in admins or symbols.is_entirely_unknown(value):
                    continue
                info = analysis.world.principals.get(value)
                if info is None or analysis.administers_itself(info):
                    continue  # a principal outside the sources may well be the administrator it is named as
                wide = sorted(a for a in stmt.actions if a.lower() in WIDE)
                yield _finding(policy, owner, stmt, f"grants {', '.join(wide)} to {symbols.render(value)}, "
                               "which is not an administrator", value, wide[0])


def _identity_findings(analysis: Analysis) -> Iterable[Finding]:
    """One finding per statement, naming every role and user it reaches data through: a managed
    policy attached to eleven roles is one problem, in one place, with one fix."""
    grants: dict[tuple[int, str], tuple[Policy, Statement, list[tuple[str, str, str]], dict[str, None]]] = {}
    for info in sorted(analysis.world.principals.values(), key=lambda i: i.ref):
        if info.kind not in ("role", "user") or info.actor.identity_policies is None \
                or analysis.administers_itself(info):
            continue
        written = tuple(p for p in info.actor.identity_policies
                        if p.arn is None or not is_aws_managed(p.arn))
        for policy in written:
            for stmt in policy.statements:
                if stmt.effect != "Allow" or stmt.resources is None or "*" not in stmt.resources or stmt.maybe:
                    continue
                reached = analysis.grants_outside_the_sources(info.actor, policy, stmt, DATA_ACTIONS + KEY_ACTIONS)
                if reached:
                    entry = grants.setdefault((id(stmt), policy.origin or info.ref), (policy, stmt, [], {}))
                    entry[2].append((info.ref, info.label, info.arn))
                    entry[3].update(dict.fromkeys(reached))
    for policy, stmt, principals, reaching in grants.values():
        owner, _, arn = principals[0]
        names = [label for _, label, _ in principals]
        shown = ", ".join(names[:_NAMED]) + (f" and {len(names) - _NAMED} more" if len(names) > _NAMED else "")
        which = "which is not an administrator" if len(names) == 1 else "none of which is an administrator"
        actions = list(reaching)
        yield _finding(policy, owner, stmt, f"grants {', '.join(actions)} on every resource (\"Resource\": \"*\") to "
                       f"{shown}, {which}", arn, actions[0])


_NAMED = 5  # principals a finding names; the others are counted


def _finding(policy: Policy, owner: str, stmt: Statement, what: str, principal: str, action: str) -> Finding:
    return RULE.finding(
        severity="warning",
        message=f"{stmt.name} of {policy.origin or owner} {what}",
        location=stmt.location or policy.location, layer=policy.kind.layer,
        access=Access(principal=symbols.render(principal), action=action, resource="*"),
        identity=(policy.origin or owner, stmt.label, principal),
    )


def check(analysis: Analysis) -> Iterable[Finding]:
    yield from _resource_policy_findings(analysis)
    yield from _identity_findings(analysis)


RULE = Rule(id="W403-B304", kind="broad-allow", severity="warning", check=check,
            summary="A wildcard action or resource granted to a principal that is not an administrator")

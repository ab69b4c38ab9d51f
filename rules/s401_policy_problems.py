"""A policy document AWS would refuse, or a statement that never does what it reads.

**What it finds.** Problems in every policy the sources write: text that is not JSON, elements of
the wrong type, an unknown `Effect` or condition operator, a missing `Action`, an action name no
service has (`s3:GetObjects`, or an API name such as `s3:ListObjectsV2`, authorized by
`s3:ListBucket`), a wildcard that matches no action, a malformed ARN, an object action on a bucket
ARN (`s3:GetObject` on `arn:aws:s3:::b`) and a bucket action on object ARNs (`s3:ListBucket` on
`arn:aws:s3:::b/*`). An ARN shorter than six parts is not malformed when a `*` ends one of its
segments: that `*` runs on past the colons after it, so `arn:aws:sns:*:*` names every topic and
`arn:aws:sns:*:alerts` the topic `alerts` in every region and account. Read that way, `arn:aws:*`
has a wildcard in the service part, which AWS does not allow.

**Why it matters.** S3 refuses a bucket policy with such defects (`MalformedPolicy`: "Policy has
invalid action", "Action does not apply to any resource(s) in statement"), so the deployment fails
(`error`). IAM stores identity policies with the same defects and the statement silently matches
nothing: the grant its author meant never happens, a 403 nobody can explain (`warning`). An element
AWS documents as unsupported where it is written (`Id` in an identity policy, `NotPrincipal` in an
Allow) kills no statement: it is a `warning` that says only that.

**Example.** `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports"}`
grants nothing: objects are `arn:aws:s3:::reports/*`.

One finding per problem: a document AWS refuses is one finding listing everything wrong with it (a
mis-indented statement breaks several elements at once), a statement that matches nothing is one
finding listing its dead names. An API name whose grant is reported as denied (`W403-D102`: "is
granted s3:ListObjectsV2 (not an IAM action: S3 authorizes it with s3:ListBucket)...") is not
reported again here; one written beside the permission S3 checks for it (`s3:HeadObject` next to
`s3:GetObject`, or `s3:GetObject*`) changes nothing, in an Allow (nothing is denied because of it)
as in a Deny (the Deny refuses HEAD requests through `s3:GetObject`), and is a `note` that says so.
In a Deny without that permission, the warning says the requests the Deny reads as refusing are
not refused by it. Likewise an object action on bucket
ARNs, a bucket action on object ARNs, or an ARN written where the bucket name goes
(`arn:aws:s3:::arn:aws:s3:::reports/*`, an interpolated ARN) in an identity policy: when the access it was written
for is denied, the denial reports it with the shape problem as the reason, and it is not repeated
here.

A condition key given an empty list of values (`"aws:SourceIp": []`, what `values = var.cidrs`
writes when the list is empty) is a `warning`: IAM's grammar asks for one value or more, yet IAM
stores such a document. What the empty list matches is not documented, so the simulation takes its
value as unknown; the condition is never dropped, which would make the statement unconditional.

In identity and organization policies only action names of S3 and KMS are reported: a wildcard
such as `ec2:View*` that matches nothing never causes an S3 403.

A document built from a root variable's empty default (`default = ""`, `[]`, `{}`, `null`), which
the variable file of each environment usually replaces, or from a template parameter's empty
`Default: ""`, which each deployment's parameters usually replace, is at most a `warning` that says
which value it rests on. A document that may not be created at all (a policy resource whose `count` depends on a
variable without a value, often one per environment) is a `note` naming that value. Supply the
values (`--var`, `--var-file`) to check the document as deployed.

**How to fix.** Use the permission names of the Service Authorization Reference and the ARN of
the resource type each action applies to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from why403.model.finding import Finding
from why403.model.location import Location, Problem
from why403.model.policy import Policy
from why403.policy.validate import effect_at
from why403.rules import Rule
from why403.world.analysis import Analysis

_ACTION_CODES = frozenset({"unknown-action", "api-name-beside-permission", "wildcard-matches-nothing", "action-shape",
                           "unknown-service"})
_S3_OR_KMS = re.compile(r"\b(s3|kms|s3-object-lambda):", re.IGNORECASE)


def relevant(policy: Policy, problem: Problem) -> bool:
    """Every problem of a resource policy (AWS refuses the document); in identity and organization
    policies, action-name problems only when they concern S3 or KMS: an unmatched ``ec2:View*``
    never causes an S3 403."""
    if policy.kind.is_resource_policy or problem.code not in _ACTION_CODES:
        return True
    return bool(_S3_OR_KMS.search(problem.message))


def check(analysis: Analysis) -> Iterable[Finding]:
    explained, harmless = _api_names(analysis)
    for policy, owner in analysis.world.policies:
        origin = policy.origin or owner
        groups: dict[tuple[str, Location | None], list[Problem]] = {}
        for problem in policy.problems:
            if not relevant(policy, problem) or (problem.location, problem.subject) in explained:
                continue
            severity = "error" if problem.severity == "error" else "warning"
            if severity == "warning" and ((problem.location, problem.subject) in harmless
                                          or problem.code == "api-name-beside-permission"):
                severity = "note"
            # One document AWS refuses is one problem, however many of its elements are wrong (a
            # mis-indented statement breaks several); a statement that silently matches nothing is one.
            where = None if severity == "error" else problem.location
            groups.setdefault((severity, where), []).append(problem)
        for (severity, _), problems in groups.items():
            locations = [p.location for p in problems if p.location is not None]
            location = min(locations) if locations else policy.location
            reasons = _reasons(severity, effect_at(policy, location), {p.code for p in problems})
            if policy.existence_open and severity != "note":
                severity, reasons = "note", [policy.rests_on or str(policy.existence_open)]
            elif severity == "error" and policy.rests_on:
                severity, reasons = "warning", [policy.rests_on]
            elif severity == "warning" and policy.rests_on:
                reasons.append(policy.rests_on)  # the dead grant may be a placeholder's
            why = f" ({severity}: {'; '.join(reasons)})" if reasons else ""
            yield RULE.finding(
                severity=severity,  # type: ignore[arg-type]
                message=f"{origin}: {_joined(p.message for p in problems)}{why}",
                location=location, layer=policy.kind.layer, denial="implicit",
                related=tuple(loc for loc in dict.fromkeys(locations) if loc != location),
                identity=(origin, *(f"{p.code}:{p.message}" for p in problems)),
            )


def _api_names(analysis: Analysis) -> tuple[set[tuple[Location | None, str]], set[tuple[Location | None, str]]]:
    """API names (``s3:ListObjectsV2``) written in statements, by what became of the permission S3
    checks for them. Where that grant is denied, the denial already says the name is not an IAM
    action and which permission S3 checks, so this rule does not say it again (first set); where it
    works, the name is dead text that denies nothing, a note (second set)."""
    denied: set[tuple[Location | None, str]] = set()
    allowed: set[tuple[Location | None, str]] = set()
    for r in analysis.results:
        if not r.intent.expect_allowed or r.intent.statement is None:
            continue
        if r.intent.misshapen is not None and r.decision.denied:
            # The denial of the access the grant was written for says what is wrong with it.
            denied.add((r.intent.statement.location, r.intent.misshapen[0]))
        for real, written in r.intent.written_as:
            if r.action != real:
                continue
            place = (r.intent.statement.location, written)
            if r.decision.denied:
                denied.add(place)
            elif r.decision.allowed:
                allowed.add(place)
    return denied, allowed - denied


# Elements AWS documents as unsupported where they are written (``Id`` in an identity policy, an
# Allow with ``NotPrincipal``): they make no statement dead, and AWS does not say it refuses them.
_UNSUPPORTED = frozenset({"element", "notprincipal"})


def _reasons(severity: str, effect: str, codes: set[str]) -> list[str]:
    """Why a problem is less than an error, as a Deny or an Allow makes it: a dead name in a Deny
    leaves requests allowed that it reads as refusing; in an Allow, denies what it reads as granting.
    Nothing for an error: AWS refusing the document says it all. The caller adds what the
    document rests on and writes them as one parenthesis."""
    if severity == "warning" and codes <= _UNSUPPORTED:
        return ["AWS documents it as unsupported there, without saying that it refuses the document"]
    deny = effect == "Deny"
    if severity == "note":
        return ["the permission S3 checks for it is denied by the same statement, so the Deny refuses what it "
                "reads as" if deny else
                "the permission S3 checks for it is granted, so nothing is denied because of it"]
    if severity == "warning":
        return ["IAM stores the policy, so nothing fails when it is deployed; "
                + ("the requests this Deny reads as refusing are not refused by it" if deny else
                   "the grant it reads as silently never happens")]
    return []


def _joined(messages: Iterable[str]) -> str:
    """Problem messages of one place as one sentence: ``statement 0: a; b`` rather than
    ``statement 0: a; statement 0: b``."""
    parts: list[str] = []
    last = None
    for message in messages:
        head, sep, rest = message.partition(": ")
        named = message.startswith("statement ") and sep
        if named and head == last:
            parts.append(rest)
        else:
            parts.append(message)
        last = head if named else None
    return "; ".join(parts)


RULE = Rule(id="W403-S401", kind="denied", severity="error", check=check,
            summary="A policy AWS would refuse, or a statement that never matches what it names")

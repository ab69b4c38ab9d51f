"""A policy document AWS would refuse, or a statement that never does what it reads.

**What it finds.** Problems in every policy the sources write: text that is not JSON, elements of
the wrong type, an unknown `Effect` or condition operator, a missing `Action`, an action name no
service has (`s3:GetObjects`, or an API name such as `s3:ListObjectsV2`, authorized by
`s3:ListBucket`), a wildcard that matches no action, a malformed ARN, an object action on a bucket
ARN (`s3:GetObject` on `arn:aws:s3:::b`) and a bucket action on object ARNs (`s3:ListBucket` on
`arn:aws:s3:::b/*`).

**Why it matters.** S3 refuses a bucket policy with such defects (`MalformedPolicy`: "Policy has
invalid action", "Action does not apply to any resource(s) in statement"), so the deployment fails
(`error`). IAM stores identity policies with the same defects and the statement silently matches
nothing: the grant its author meant never happens, a 403 nobody can explain (`warning`).

**Example.** `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports"}`
grants nothing: objects are `arn:aws:s3:::reports/*`.

In identity and organization policies only action names of S3 and KMS are reported: a wildcard
such as `ec2:View*` that matches nothing never causes an S3 403.

**How to fix.** Use the permission names of the Service Authorization Reference and the ARN of
the resource type each action applies to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from why403.model.finding import Finding
from why403.model.location import Problem
from why403.model.policy import Policy
from why403.rules import Rule
from why403.world.analysis import Analysis

_ACTION_CODES = frozenset({"unknown-action", "wildcard-matches-nothing", "action-shape", "unknown-service"})
_S3_OR_KMS = re.compile(r"\b(s3|kms|s3-object-lambda):", re.IGNORECASE)


def relevant(policy: Policy, problem: Problem) -> bool:
    """Every problem of a resource policy (AWS refuses the document); in identity and organization
    policies, action-name problems only when they concern S3 or KMS: an unmatched ``ec2:View*``
    never causes an S3 403."""
    if policy.kind.is_resource_policy or problem.code not in _ACTION_CODES:
        return True
    return bool(_S3_OR_KMS.search(problem.message))


def check(analysis: Analysis) -> Iterable[Finding]:
    for policy, owner in analysis.world.policies:
        for problem in policy.problems:
            if not relevant(policy, problem):
                continue
            severity = "error" if problem.severity == "error" else "warning"
            origin = policy.origin or owner
            yield RULE.finding(
                severity=severity,  # type: ignore[arg-type]
                message=f"{origin}: {problem.message}",
                location=problem.location or policy.location, layer=policy.kind.layer, denial="implicit",
                identity=(origin, problem.code, problem.message),
            )


RULE = Rule(id="W403-S401", kind="denied", severity="error", check=check,
            summary="A policy AWS would refuse, or a statement that never matches what it names")

"""Checks of a parsed policy against the IAM action catalogue and ARN shapes.

Severity follows what AWS does with the document (access-model.md 6.1): S3 refuses a bucket or
access point policy with an invalid action or an action that applies to none of the statement's
resources (``MalformedPolicy``), so those are errors there; IAM stores identity policies with
the same defects and they silently never match, so there they are warnings, which is exactly
the class of mistake that produces a 403 nobody can explain.
"""

from __future__ import annotations

import re

from why403.model import symbols
from why403.model.arn import arn_in_bucket_slot, arn_in_key_slot, pattern_parts
from why403.model.location import Location, Problem
from why403.model.policy import Policy, PolicyKind, Statement
from why403.policy import catalogue
from why403.policy.match import action_match

_STRICT_KINDS = frozenset({PolicyKind.BUCKET, PolicyKind.ACCESS_POINT})
_BUCKET_ARN = re.compile(r"arn:[^:]+:s3:::[^/*?]+")
_OBJECT_ARN = re.compile(r"arn:[^:]+:s3:::[^/*?]+/.*")
_ACTION_SHAPE = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+")


def validate_policy(policy: Policy) -> tuple[Problem, ...]:
    if not catalogue.available():
        return ()
    problems: list[Problem] = []
    severity = "error" if policy.kind in _STRICT_KINDS else "warning"
    for stmt in policy.statements:
        problems.extend(_check_actions(stmt, severity))
        problems.extend(_check_resources(stmt))
        problems.extend(_check_s3_shape(stmt, severity))
        problems.extend(_check_arn_in_bucket_slot(stmt, severity))
    return tuple(problems)


def effect_at(policy: Policy, location: Location | None) -> str:
    """The ``Effect`` of the statement a problem of ``policy`` is located at: a dead name in a Deny
    leaves requests allowed, in an Allow it denies what it reads as granting. ``Allow`` for a
    problem of the whole document (at no statement)."""
    stmt = next((s for s in policy.statements if s.location == location), None)
    return stmt.effect if stmt is not None else "Allow"


def _check_actions(stmt: Statement, severity: str) -> list[Problem]:
    out: list[Problem] = []
    for action in stmt.actions or stmt.not_actions or ():
        if action == "*" or symbols.has_uncertain_token(action):
            continue
        if not _ACTION_SHAPE.fullmatch(action):
            out.append(Problem("action-shape", f"{stmt.name}: {action!r} is not of the form service:Action",
                               stmt.location, severity, action))
            continue
        service, name = action.split(":", 1)
        if any(c in service for c in "*?"):
            continue
        if not catalogue.service_known(service):
            out.append(Problem("unknown-service", f"{stmt.name}: no AWS service has the prefix {service!r}",
                               stmt.location, severity, action))
            continue
        if any(c in name for c in "*?"):
            if not catalogue.any_action_matches(service, name):
                out.append(Problem("wildcard-matches-nothing",
                                   f"{stmt.name}: {action!r} matches no {service} action", stmt.location, severity,
                                   action))
            continue
        if not catalogue.action_exists(action):
            hint = catalogue.API_TO_PERMISSION.get(action.lower())
            message = f"{stmt.name}: {action} is not an IAM action, so it never matches"
            code = "unknown-action"
            if hint:
                message += f"; the API operation is authorized by {' and '.join(hint)}"
                # Only in Action: in NotAction the name was meant to exempt the operation, and S3
                # still checks the permission, so the exemption silently fails.
                if stmt.actions is not None and all(action_match(stmt, permission) is True
                                                    for permission in hint):
                    # Beside the permission S3 checks for it (s3:HeadObject next to s3:GetObject or
                    # s3:GetObject*): dead text, the statement grants or denies what it reads as.
                    code = "api-name-beside-permission"
            out.append(Problem(code, message, stmt.location, severity, action))
    return out


def _check_resources(stmt: Statement) -> list[Problem]:
    out: list[Problem] = []
    for resource in stmt.resources or stmt.not_resources or ():
        if resource == "*" or symbols.has_uncertain_token(resource):
            continue
        parts = pattern_parts(resource)
        if parts is None or parts[0] != "arn" or not parts[2] or not parts[5]:
            out.append(Problem("malformed-arn", f"{stmt.name}: {resource!r} is not an ARN", stmt.location,
                               "warning"))
        elif any(c in parts[2] for c in "*?"):
            out.append(Problem("malformed-arn", f"{stmt.name}: wildcards are not allowed in the service part of "
                               f"{resource!r}", stmt.location, "warning"))
    return out


def _resource_shape(resource: str) -> str:
    """``bucket``, ``object`` or ``other`` (wildcards that could cover both count as other)."""
    if symbols.has_uncertain_token(resource):
        return "other"
    if _BUCKET_ARN.fullmatch(resource):
        return "bucket"
    if _OBJECT_ARN.fullmatch(resource):
        return "object"
    return "other"


def _check_s3_shape(stmt: Statement, severity: str) -> list[Problem]:
    """Object actions on bucket ARNs only, and bucket actions on object ARNs only."""
    if stmt.resources is None or not stmt.actions:
        return []
    shapes = {_resource_shape(r) for r in stmt.resources}
    if "other" in shapes or not shapes:
        return []
    out: list[Problem] = []
    for action in stmt.actions:
        if not action.lower().startswith("s3:") or any(c in action for c in "*?"):
            continue
        types = set(catalogue.resource_types(action))
        if not types:
            continue
        wants = types & {"bucket", "object"}
        if len(wants) != 1 or len(shapes) != 1 or wants == shapes:
            continue
        code, applies_to, fix = _SHAPE_MISMATCH[next(iter(wants))]
        out.append(Problem(
            code,
            f"{stmt.name}: {catalogue.display(action)} applies to {applies_to}, but the statement only names "
            f"{next(iter(shapes))} ARNs ({', '.join(stmt.resources)}); {fix}",
            stmt.location, severity, action))
    return out


# The resource type an action wants -> (problem code, what it applies to, how to fix the ARNs).
_SHAPE_MISMATCH = {
    "object": ("object-action-on-bucket", "objects", "add /* to the ARN"),
    "bucket": ("bucket-action-on-object", "the bucket", "use the bucket ARN without /*"),
}


def _check_arn_in_bucket_slot(stmt: Statement, severity: str) -> list[Problem]:
    """``arn:aws:s3:::${aws_s3_bucket.b.arn}/*``: the bucket's ARN interpolated where its name goes."""
    out: list[Problem] = []
    for resource in stmt.resources or ():
        meant = arn_in_bucket_slot(resource)
        if meant is not None:
            out.append(Problem("arn-in-bucket-slot",
                               f"{stmt.name}: '{resource}' has an ARN where the bucket name goes, so it names no "
                               f"bucket and never matches; write '{meant}'", stmt.location, severity, resource))
        meant = arn_in_key_slot(resource)
        if meant is not None:
            out.append(Problem("arn-in-key-slot",
                               f"{stmt.name}: '{resource}' has an ARN where the key id goes (a parameter that takes "
                               f"a key id, such as the KeyId of a SAM policy template, was given the key's ARN), so it "
                               f"never matches; write '{meant}'", stmt.location, severity, resource))
    return out

"""The concrete requests a grant stands for.

A grant names actions and resources with wildcards; the simulation asks AWS about concrete
requests. A wildcard action stands for the everyday actions of its resource type (so ``s3:*`` on
``bucket/*`` means reads, writes, deletes and tags, not every object-lock or replication call);
an API name written as an action stands for the permission S3 really checks; a key pattern for
one key it matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from why403.model import symbols
from why403.model.glob import compile_glob
from why403.model.policy import Statement
from why403.model.values import Unknown
from why403.policy import catalogue, variables
from why403.policy.context import RequestContext

# Everyday S3 actions a wildcard grant is taken to intend (explicitly named actions are always kept).
CORE_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:RestoreObject",
)
CORE_BUCKET_ACTIONS = (
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:GetBucketLocation",
)

SAMPLE = "why403-example"


def sample_key(pattern: str) -> str:
    """A concrete object key that the pattern matches (``*`` -> ``why403-example``, ``?`` -> ``x``)."""
    if not pattern:
        return SAMPLE
    out = pattern.replace("*", SAMPLE).replace("?", "x")
    out = re.sub(r"\$\{[^}]*\}", "x", out)
    return out


@dataclass(frozen=True)
class CallerKey:
    """The object key a grant stands for, for one caller.

    ``unresolved``: the policy variable that has no value for the caller (the entry then matches no
    key at all, access-model 6.7, and any key shows it). ``varies``: why the value of a variable is
    not known for the caller (a session tag), so whether the grant covers a key depends on it."""

    key: str
    unresolved: str | None = None
    varies: str | None = None


def caller_sample_key(pattern: str, caller: RequestContext | None) -> CallerKey:
    """A concrete key the pattern matches for this caller, its policy variables resolved from the
    caller's keys (``home/${aws:username}/*`` -> ``home/alice/why403-example`` for the user alice).
    ``caller`` None: the policy's variables are literal text (no ``Version: 2012-10-17``)."""
    if caller is None or not variables.has_variables(pattern):
        return CallerKey(sample_key(pattern))
    resolved = variables.resolve(pattern, caller)
    if isinstance(resolved, variables.Unresolved):
        return CallerKey(sample_key(pattern), unresolved=resolved.key)
    if isinstance(resolved, Unknown):
        return CallerKey(sample_key(pattern), varies=resolved.reason)
    return CallerKey("".join(text if literal else sample_key(text) for text, literal in resolved))


def dead_condition_variable(stmt: Statement, caller: RequestContext) -> str | None:
    """The policy variable that makes a condition of the statement false for every request of this
    caller: each value of a plain positive string or ARN operator is a variable without a value for
    it (``StringLike s3:prefix home/${aws:username}/*`` for a role session), so nothing matches."""
    for cond in stmt.conditions:
        if cond.negated or cond.if_exists or cond.set_op is not None or not cond.values or \
                not cond.base.startswith(("String", "Arn")):
            continue
        if not all(variables.has_variables(v) for v in cond.values):
            continue
        resolved = [variables.resolve(v, caller) for v in cond.values]
        if all(isinstance(r, variables.Unresolved) for r in resolved):
            first = resolved[0]
            assert isinstance(first, variables.Unresolved)
            return first.key
    return None


def _applies_to(action: str, is_object: bool) -> bool:
    types = set(catalogue.resource_types(action))
    if not types:
        return False
    return bool(types & {"object"}) if is_object else bool(types & {"bucket"})


def concrete_actions(patterns: tuple[str, ...], is_object: bool) -> tuple[tuple[str, ...], bool]:
    """The S3 actions a statement's Action list intends on an object (or bucket) ARN."""
    actions, wildcard, _ = intended_actions(patterns, is_object)
    return actions, wildcard


def intended_actions(patterns: tuple[str, ...], is_object: bool
                     ) -> tuple[tuple[str, ...], bool, tuple[tuple[str, str], ...]]:
    """Like :func:`concrete_actions`, plus which API names were written in place of a permission."""
    out: list[str] = []
    aliases: list[tuple[str, str]] = []
    wildcard = False
    core = CORE_OBJECT_ACTIONS if is_object else CORE_BUCKET_ACTIONS
    for pattern in patterns:
        if symbols.has_uncertain_token(pattern):
            continue
        if "*" in pattern or "?" in pattern:
            if not (pattern == "*" or pattern.lower().startswith("s3:")):
                continue
            wildcard = True
            glob = compile_glob(pattern.lower())
            for action in core:
                if glob.matches(action.lower()) and action not in out:
                    out.append(action)
            continue
        if not pattern.lower().startswith("s3:"):
            continue
        if catalogue.action_exists(pattern) is False:
            # A name that is no IAM action never matches; the denial that follows is reported with
            # the permission S3 really checks (ListObjectsV2 -> ListBucket).
            for real in catalogue.API_TO_PERMISSION.get(pattern.lower(), ()):
                if _applies_to(real, is_object):
                    aliases.append((real, pattern))
                    if real not in out:
                        out.append(real)
            continue
        if _applies_to(pattern, is_object):
            display = catalogue.display(pattern)
            if display not in out:
                out.append(display)
    return tuple(out), wildcard, tuple(aliases)

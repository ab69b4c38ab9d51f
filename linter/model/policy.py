"""Typed, immutable IAM policy documents.

A :class:`Policy` is what AWS would store: its statements, each with the source location the
frontend supplied, plus the :class:`~why403.model.location.Problem` list found while reading it.
A ``Policy`` carries a private cache (``Policy._cache``) where the matcher keeps, per action, the
statements that can concern it, and the Block Public Access test keeps its verdict, so that
evaluating thousands of requests never re-reads a document.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Literal

from why403.model.location import Location, Problem

Effect = Literal["Allow", "Deny"]


class PolicyKind(enum.Enum):
    """What a document is attached to; decides which elements are legal and how it is matched."""

    IDENTITY = "identity"
    BOUNDARY = "permissions-boundary"
    SESSION = "session"
    BUCKET = "bucket"
    ACCESS_POINT = "access-point"
    KEY = "kms-key"
    ENDPOINT = "vpc-endpoint"
    SCP = "scp"
    RCP = "rcp"
    TRUST = "trust"

    @property
    def is_resource_policy(self) -> bool:
        return self in _RESOURCE_KINDS

    @property
    def layer(self) -> str:
        """The layer name used in findings (output contract)."""
        return _LAYER_NAMES[self]


_RESOURCE_KINDS = frozenset(
    {PolicyKind.BUCKET, PolicyKind.ACCESS_POINT, PolicyKind.KEY, PolicyKind.ENDPOINT, PolicyKind.RCP,
     PolicyKind.TRUST}
)
_LAYER_NAMES = {
    PolicyKind.IDENTITY: "identity-policy",
    PolicyKind.BOUNDARY: "permissions-boundary",
    PolicyKind.SESSION: "session-policy",
    PolicyKind.BUCKET: "bucket-policy",
    PolicyKind.ACCESS_POINT: "access-point-policy",
    PolicyKind.KEY: "kms-key-policy",
    PolicyKind.ENDPOINT: "vpc-endpoint-policy",
    PolicyKind.SCP: "scp",
    PolicyKind.RCP: "rcp",
    PolicyKind.TRUST: "trust-policy",
}


PrincipalType = Literal["*", "AWS", "Service", "Federated", "CanonicalUser"]


@dataclass(frozen=True)
class PrincipalEntry:
    """One principal named in a Principal/NotPrincipal element.

    ``type`` ``"*"`` is the bare ``"Principal": "*"``; ``{"AWS": "*"}`` is ``("AWS", "*")``.
    """

    type: PrincipalType
    value: str

    @property
    def is_wildcard(self) -> bool:
        return self.type == "*" or (self.type == "AWS" and self.value == "*")


# The key of the stand-in Condition the parser puts where a Condition block, or one operator's
# block, is left open by the sources: no request carries it, and it evaluates to unknown.
UNKNOWN_CONDITION_KEY = "why403:unknown-condition"


@dataclass(frozen=True)
class Condition:
    """One (operator, key) pair of a Condition block with its values (OR-ed, or NOR-ed when negated)."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # operator without set prefix and IfExists, e.g. "StringLike"
    set_op: Literal["ForAllValues", "ForAnyValue"] | None
    if_exists: bool
    key: str  # as written
    values: tuple[str, ...]

    @property
    def key_lower(self) -> str:
        return self.key.lower()

    @property
    def negated(self) -> bool:
        return self.base in NEGATED_OPERATORS

    @property
    def is_unknown(self) -> bool:
        """The parser's stand-in for a condition the sources leave open."""
        return self.key == UNKNOWN_CONDITION_KEY


# Each negated operator and the positive operator it negates: a negated test is the NOR of the
# positive one over the policy's values, and true when the key is absent.
POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
NEGATED_OPERATORS = frozenset(POSITIVE_OF)

BASE_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    }
)


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of ``actions``/``not_actions`` and of ``resources``/``not_resources``
    is set when the statement is valid; ``principals``/``not_principals`` only in resource policies.

    ``maybe`` carries a reason when the statement's presence itself depends on a value the sources
    leave open (a CloudFormation ``Fn::If`` on an unknown condition): such a statement can make a
    decision unknown but never definite.
    """

    index: int
    effect: Effect
    sid: str | None = None
    principals: tuple[PrincipalEntry, ...] | None = None
    not_principals: tuple[PrincipalEntry, ...] | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    location: Location | None = None
    maybe: str | None = None

    @property
    def label(self) -> str:
        """How findings identify the statement: its Sid, else its position."""
        return self.sid if self.sid else f"statement {self.index}"

    @property
    def name(self) -> str:
        """How messages name the statement: ``statement ReadReports`` or ``statement 2``."""
        return f"statement {self.sid}" if self.sid else f"statement {self.index}"

    def condition_keys(self) -> frozenset[str]:
        return frozenset(c.key_lower for c in self.conditions)


@dataclass(frozen=True)
class Policy:
    """A parsed policy document.

    ``origin`` names the source object for messages (``aws_s3_bucket_policy.data``, ``BucketPolicy``).
    ``unknown`` is set when the document as a whole could not be determined (its statements are
    then empty and every question about it answers *unknown*).
    ``version`` decides whether policy variables are substituted.
    """

    kind: PolicyKind
    statements: tuple[Statement, ...] = ()
    version: str | None = "2012-10-17"
    id: str | None = None
    origin: str = ""
    location: Location | None = None
    problems: tuple[Problem, ...] = ()
    # How the source writes the document, so that a draft fix is written the same way: a Terraform
    # "policy-document" (data aws_iam_policy_document) or "jsonencode" object; "" when not known.
    written: str = ""
    unknown: str | None = None
    # Free-form identity of the document (an ARN for managed policies), used to de-duplicate.
    arn: str | None = None
    # Why a finding about the document itself must not be an error: its existence, or a value its
    # text is built from, is stated outside the sources (a count that depends on a variable without
    # a value; a root variable's empty default that each environment's variable file replaces).
    rests_on: str | None = None
    # Why the document may not be created at all (its resource's count, for_each or Condition
    # depends on a value the sources leave open), set by the frontend that knows; else None.
    exists_if: str | None = None
    # Per-document memo of the matcher and the public-policy test. Not an init field, so that
    # ``dataclasses.replace`` gives every changed copy a fresh, empty cache.
    _cache: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def substitutes_variables(self) -> bool:
        return self.version == "2012-10-17"

    @property
    def is_valid(self) -> bool:
        """False when AWS would refuse to store it (an ``error`` problem)."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def existence_open(self) -> str | None:
        """Why the whole document may not exist at all, else None (see ``exists_if``)."""
        return self.exists_if

    def with_maybe(self, reason: str) -> Policy:
        """The same document, each statement of which may or may not apply (the attachment, or the
        resource itself, depends on a value the sources leave open); a statement that already has
        its own reason keeps it."""
        return replace(self, statements=tuple(replace(s, maybe=s.maybe or reason) for s in self.statements))

    def created_only_if(self, reason: str) -> Policy:
        """The same document, which may not be created at all (``reason``: the value its resource's
        ``count``, ``for_each`` or ``Condition`` depends on). Findings about it rest on that value."""
        return replace(self, exists_if=reason).resting_on(
            f"whether it exists depends on values the sources leave open: {reason}")

    def resting_on(self, reason: str) -> Policy:
        """The same document, whose findings also rest on ``reason`` (see ``rests_on``)."""
        return replace(self, rests_on=f"{self.rests_on}; {reason}" if self.rests_on else reason)

    def with_kind(self, kind: PolicyKind) -> Policy:
        """The same document used in another role (a managed policy used as a boundary)."""
        if kind is self.kind:
            return self
        return replace(self, kind=kind)


def unknown_policy(kind: PolicyKind, reason: str, origin: str = "", location: Location | None = None) -> Policy:
    """A policy whose content the sources do not determine."""
    return Policy(kind=kind, origin=origin, location=location, unknown=reason)

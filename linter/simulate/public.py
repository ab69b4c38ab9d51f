"""What S3 calls "public" (access-model.md 5.2), the test behind Block Public Access.

S3 assumes a policy is public and then clears every Allow statement that is limited to a
specific principal or to fixed values of a short list of condition keys. The same test decides
whether ``BlockPublicPolicy`` refuses a policy at write time and whether
``RestrictPublicBuckets`` refuses cross-account and anonymous requests at request time.
"""

from __future__ import annotations

import ipaddress

from why403.model.glob import tri_glob
from why403.model.policy import Condition, Policy, PolicyKind, Statement
from why403.model.tri import Tri, tri_all, tri_and, tri_not, tri_or

FIXED_VALUE_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "aws:principalorgid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)
# The documented list (access-model 5.2). aws:PrincipalAccount is not on it, so a "*" principal
# narrowed only by aws:PrincipalAccount is still public to S3.

_PRIVATE_V4 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def _is_fixed(value: str) -> bool:
    return "*" not in value and "?" not in value and "${" not in value


def _too_broad(cidr: str) -> bool:
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    if net.version == 4:
        if any(net.subnet_of(p) for p in _PRIVATE_V4 if p.version == 4):
            return False
        return net.prefixlen < 8
    return net.prefixlen < 32


def _principal_is_specific(stmt: Statement) -> bool:
    if stmt.principals is None:
        return False  # NotPrincipal with Allow grants to everyone else
    return all(not e.is_wildcard and e.type != "Federated" for e in stmt.principals)


def statement_is_public(stmt: Statement, policy_kind: PolicyKind) -> Tri:
    if stmt.effect != "Allow":
        return False
    if _principal_is_specific(stmt):
        return False
    for cond in stmt.conditions:
        k = cond.key_lower
        if k not in FIXED_VALUE_KEYS or cond.negated or cond.set_op == "ForAllValues":
            continue
        if cond.base not in ("StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike",
                             "IpAddress"):
            continue
        if not all(_is_fixed(v) for v in cond.values):
            continue
        if k == "aws:sourceip" and any(_too_broad(v) for v in cond.values):
            continue
        if k == "s3:dataaccesspointarn" and policy_kind is PolicyKind.ACCESS_POINT:
            continue
        return False
    return None if stmt.maybe else True


# A Deny that confines a public Allow to fixed values uses the negated form of the operators above.
_NEGATED_FIXED = frozenset({"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals",
                            "ArnNotLike", "NotIpAddress"})


def _fixed_negation(cond: Condition) -> Tri:
    """True: the condition is "the key is not one of these fixed values" on a key S3 trusts;
    None: it only exempts AWS service principals (``aws:PrincipalIsAWSService`` false), which
    are never public; False: anything else."""
    k = cond.key_lower
    if cond.base == "Bool" and k == "aws:principalisawsservice" and not cond.set_op and \
            [v.lower() for v in cond.values] == ["false"]:
        return None
    if k not in FIXED_VALUE_KEYS or cond.base not in _NEGATED_FIXED or cond.set_op or cond.if_exists:
        return False
    if not cond.values or not all(_is_fixed(v) for v in cond.values):
        return False
    return not (k == "aws:sourceip" and any(_too_broad(v) for v in cond.values))


def _covers(patterns: tuple[str, ...] | None, items: tuple[str, ...] | None, ignore_case: bool) -> Tri:
    """Whether every item (as written, wildcards taken literally) is matched by one of the patterns."""
    if patterns is None or items is None:
        return None  # NotAction / NotResource: not worth proving
    results = [tri_or(*(tri_glob(p, item, ignore_case=ignore_case) for p in patterns)) for item in items]
    return tri_all(results)


def confines(deny: Statement, allow: Statement) -> Tri:
    """Whether a Deny of the same policy limits ``allow`` to fixed values of the keys S3 trusts, as
    an Allow condition would: it applies to everyone (``"*"``), to all the Allow's actions and
    resources, and only when a trusted key is *not* one of its fixed values
    (``StringNotEquals aws:PrincipalOrgID``), possibly exempting AWS services. S3 judges a policy
    as a whole (Block Public Access decides with automated reasoning over the policy, not statement
    by statement [S3-BPA-BLOG]); SRA's staging bucket, deployed with BlockPublicPolicy on, is an
    Allow to "*" confined this way. A Deny that may cover only part of the Allow leaves the answer
    open (None)."""
    if deny.effect != "Deny" or deny.maybe or deny.principals is None or \
            not any(e.is_wildcard for e in deny.principals):
        return False
    kinds = [_fixed_negation(c) for c in deny.conditions]
    if True not in kinds or False in kinds:
        return False
    covered = tri_and(_covers(deny.actions, allow.actions, True), _covers(deny.resources, allow.resources, False))
    return None if covered is False else covered


def public_in(policy: Policy, stmt: Statement) -> Tri:
    """Whether one statement makes the policy public, judged with the policy's other statements."""
    alone = statement_is_public(stmt, policy.kind)
    if alone is False:
        return False
    confined = tri_or(*(confines(d, stmt) for d in policy.statements if d.effect == "Deny"))
    return tri_and(alone, tri_not(confined))


def policy_is_public(policy: Policy | None) -> Tri:
    if policy is None:
        return False
    if policy.unknown is not None:
        return None
    # A policy is immutable: classify it once (Block Public Access asks for every request).
    key = ("public", policy.kind)
    if key in policy._cache:
        return policy._cache[key]  # type: ignore[return-value]
    result = tri_or(*(public_in(policy, s) for s in policy.statements))
    policy._cache[key] = result
    return result


def public_statements(policy: Policy | None) -> list[Statement]:
    """The statements that surely make the policy public, judged with the whole policy."""
    if policy is None or policy.unknown is not None:
        return []
    return [s for s in policy.statements if public_in(policy, s) is True]


def canned_acl_is_public(canned: str | None) -> bool:
    return canned in ("public-read", "public-read-write", "authenticated-read")


__all__ = ["canned_acl_is_public", "confines", "policy_is_public", "public_in", "public_statements",
           "statement_is_public"]

"""KMS resources: keys, key policies, aliases and grants."""

from __future__ import annotations

from why403.model.facts import AliasFact, GrantFact, KeyFact, KeyPolicyFact
from why403.model.policy import PolicyKind
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader
from why403.sources.terraform.tfvalues import Unk


def kms_key(r: Reader, out: Emitter) -> None:
    out.fact(KeyFact(r.ref, r.location, read.computed(r, out, "key_id"), read.computed(r, out, "arn"), r.account,
                     r.region, read.optional_policy(r, out, "policy", PolicyKind.KEY), read.flag(r, "is_enabled", True),
                     bool(read.flag(r, "bypass_policy_lockout_safety_check", False))))


def kms_key_policy(r: Reader, out: Emitter) -> None:
    key = read.text(r, out, "key_id")
    policy = read.policy(r, out, "policy", PolicyKind.KEY)
    if key is not None and policy is not None:
        out.fact(KeyPolicyFact(r.ref, r.location, key, policy,
                               bool(read.flag(r, "bypass_policy_lockout_safety_check", False)),
                               account=r.account, region=r.region))


def kms_alias(r: Reader, out: Emitter) -> None:
    target = read.text(r, out, "target_key_id")
    if target is not None:
        out.fact(AliasFact(r.ref, r.location, read.computed(r, out, "name"), target, r.account, r.region))


def kms_grant(r: Reader, out: Emitter) -> None:
    key = read.text(r, out, "key_id")
    grantee = read.text(r, out, "grantee_principal")
    ops, _ = read.texts(r, out, "operations")
    if key is None or grantee is None:
        return
    equals: tuple[tuple[str, str], ...] | None = None
    subset: tuple[tuple[str, str], ...] | None = None
    for c in r.blocks("constraints"):
        if isinstance(c, Unk):
            continue
        for name in ("encryption_context_equals", "encryption_context_subset"):
            value = c.arg(name)
            if isinstance(value, dict):
                pairs = tuple(sorted((k, c.as_text(v) or "") for k, v in value.items()))
                if name.endswith("equals"):
                    equals = pairs
                else:
                    subset = pairs
    out.fact(GrantFact(r.ref, r.location, key, grantee, ops, equals, subset))


KMS_HANDLERS: dict[str, Handler] = {
    "aws_kms_key": kms_key,
    "aws_kms_key_policy": kms_key_policy,
    "aws_kms_alias": kms_alias,
    "aws_kms_grant": kms_grant,
}

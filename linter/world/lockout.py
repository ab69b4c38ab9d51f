"""Who would lose the ability to manage a bucket or a KMS key once its policy is applied.

The managers are those who must keep that ability (:meth:`Analysis.managers`: the deployer, the
configured and defined administrators, else a hypothetical administrator of the account); for a
key also the account root and every principal the key policy names. The answers come from the
simulation: a lockout is a decision, never a reading of the policy text.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.simulate.decision import Decision
from why403.simulate.state import KmsKey
from why403.world.analysis import Analysis
from why403.world.model import PrincipalInfo


@dataclass(frozen=True)
class BucketLockout:
    """A manager the bucket's own policy explicitly denies management actions."""

    manager: PrincipalInfo
    denied: tuple[str, ...]
    decision: Decision  # the first of those denials


def bucket_lockout(analysis: Analysis, name: str, actions: tuple[str, ...]) -> BucketLockout | None:
    """The first manager whom the policy of bucket ``name`` explicitly denies some of ``actions``
    on some network path. A policy with no Deny locks nobody out, nor does an invalid one: S3
    refuses to store it (W403-S401)."""
    state = analysis.world.buckets[name].state
    policy = state.policy
    if policy is None or not policy.is_valid or not any(s.effect == "Deny" for s in policy.statements):
        return None
    for info in analysis.managers(state.account):
        denied: list[str] = []
        first: Decision | None = None
        for action in actions:
            for path in info.paths:
                _, d = analysis.sim.decide(info.actor, action, state, None, path)
                if d.outcome == "explicit-deny" and d.layer == "bucket-policy":
                    denied.append(action)
                    first = first or d
                    break
        if first is not None:
            return BucketLockout(info, tuple(denied), first)
    return None


@dataclass(frozen=True)
class KeyLockout:
    """Nobody who could administer the key may call the management action."""

    refused: tuple[tuple[PrincipalInfo, Decision], ...]  # every candidate, in order, and its refusal
    decision: Decision  # the refusal that explains it
    explicit: bool  # the key policy's own Deny does it (it binds the root user too)


def key_lockout(analysis: Analysis, key: KmsKey, action: str) -> KeyLockout | None:
    """Whether every candidate manager of ``key`` is definitely refused ``action``. An AWS managed
    key and a key policy KMS refuses to store lock nobody out."""
    if key.aws_managed or not key.policy.is_valid:
        return None
    candidates = [analysis.root(key.account), *analysis.managers(key.account), *analysis.named_in(key.policy)]
    refused: list[tuple[PrincipalInfo, Decision]] = []
    for info in candidates:
        d = analysis.kms_direct(info.actor, action, key)
        if d.allowed or d.outcome == "unknown":
            return None
        refused.append((info, d))
    if not refused:
        return None
    # The key policy's own Deny is what locks the key; a Deny in some principal's IAM policy only
    # removes that principal from the candidates.
    explicit = next((d for _, d in refused if d.outcome == "explicit-deny" and d.policy is key.policy), None)
    decision = explicit or next((d for _, d in refused if d.layer == "kms-key-policy"), refused[0][1])
    return KeyLockout(tuple(refused), decision, explicit is not None)

"""Who would lose the ability to manage a bucket or a KMS key once its policy is applied (issue 15.3).

Those who must keep it (:func:`must_manage`): the deployer (a Terraform provider's ``assume_role``,
the config's ``deployers``; when neither the sources nor the config name a deployer or
administrators, the account root stands in for the deployer, and what only the stand-in suffers is a
note: the real deployer may be exempt), the administrators (the config's ``admins``, the principals
with administrator policies in the sources, else an administrator role whose name the sources do not
give, so that only what denies every name counts), who use the console or the CLI from outside any
VPC. A Deny whose exception (``aws:PrincipalArn``, ``aws:userid``, ``aws:SourceVpce``,
``aws:SourceIp``, ``aws:PrincipalOrgID``, ``aws:CalledVia``...) leaves one of them out locks them
out. The answers come from the simulation: a lockout is a decision, never a reading of the policy
text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from why403.model import symbols
from why403.model.policy import Policy
from why403.simulate.decision import Decision
from why403.simulate.state import KmsKey
from why403.world.analysis import Analysis
from why403.world.model import NetworkPath, PrincipalInfo, internet_path

CONSOLE = internet_path(reason="the console or the CLI, from outside any VPC")
"""Requests of a person at the console or a CLI: from the internet, not through a VPC endpoint."""


@dataclass(frozen=True)
class Manager:
    """A principal that must keep managing the account's buckets and keys.

    ``sure`` False: a stand-in for a principal the sources do not name (the account root for an
    unnamed deployer); a lockout only it suffers may not be one."""

    info: PrincipalInfo
    role: str
    paths: tuple[NetworkPath, ...]
    sure: bool = True


def must_manage(analysis: Analysis, account: str) -> list[Manager]:
    world = analysis.world
    out: list[Manager] = []
    deployers = [d for d in world.deployers if symbols.tri_equals(d.account, account) is not False]
    for d in deployers:
        out.append(Manager(d, f"the deployer {d.label}", d.paths))
    if not deployers and not world.settings.admins:
        # With `admins` configured but no `deployers`, the deployer is taken to be among the admins.
        out.append(Manager(analysis.root(account), "the account root, standing in for the deployer the sources do "
                           "not name (set `deployers` in the config)", (CONSOLE,), sure=False))
    for info in analysis.managers(account):
        if info in deployers:
            continue
        name = "an administrator of the account" if not info.in_sources and info.ref.startswith("an administrator") \
            else f"the administrator {info.label}"
        out.append(Manager(info, f"{name}, using the console or the CLI from outside any VPC", (CONSOLE,)))
    return out


@dataclass(frozen=True)
class Locked:
    """A manager the resource's own policy explicitly denies some management actions."""

    manager: Manager
    denied: tuple[str, ...]
    decision: Decision  # the first of those denials


@dataclass(frozen=True)
class Lockout:
    locked: tuple[Locked, ...]

    @property
    def sure(self) -> bool:
        """Whether a principal that surely must manage the resource is locked out (not a stand-in)."""
        return any(lk.manager.sure for lk in self.locked)

    @property
    def first(self) -> Locked:
        return next((lk for lk in self.locked if lk.manager.sure), self.locked[0])


def bucket_lockout(analysis: Analysis, name: str, actions: tuple[str, ...]) -> Lockout | None:
    """The managers whom the policy of bucket ``name`` explicitly denies some of ``actions``. A
    policy with no Deny locks nobody out, nor does an invalid one: S3 refuses to store it
    (W403-S401). The root user keeps the bucket policy APIs whatever the policy says."""
    state = analysis.world.buckets[name].state
    if not _may_deny(state.policy):
        return None

    def own_deny(manager: Manager, action: str, path: NetworkPath) -> Decision | None:
        _, d = analysis.sim.decide(manager.info.actor, action, state, None, path)
        return d if d.outcome == "explicit-deny" and d.layer == "bucket-policy" else None

    return _lockout(must_manage(analysis, state.account), actions, own_deny)


def key_explicit_lockout(analysis: Analysis, key: KmsKey, actions: tuple[str, ...]) -> Lockout | None:
    """The managers whom the key's own policy explicitly denies some of ``actions`` (a Deny in a
    key policy binds the root user too). An AWS managed key, or a key policy KMS refuses to store,
    locks nobody out."""
    if key.aws_managed or not _may_deny(key.policy):
        return None

    def own_deny(manager: Manager, action: str, path: NetworkPath) -> Decision | None:
        d = analysis.kms_direct(manager.info.actor, action, key, network=path.network)
        return d if d.outcome == "explicit-deny" and d.policy is key.policy else None

    return _lockout(must_manage(analysis, key.account), actions, own_deny)


def _may_deny(policy: Policy | None) -> bool:
    """A policy the service stores (a valid one) with a Deny: the only kind that can lock out."""
    return policy is not None and policy.is_valid and any(s.effect == "Deny" for s in policy.statements)


def _lockout(managers: list[Manager], actions: tuple[str, ...],
             own_deny: Callable[[Manager, str, NetworkPath], Decision | None]) -> Lockout | None:
    """The managers ``own_deny`` (the resource's own policy denying them, on some network path)
    refuses some of ``actions``, with the first such denial of each; None when nobody is."""
    locked: list[Locked] = []
    for manager in managers:
        denied: list[str] = []
        first: Decision | None = None
        for action in actions:
            on_paths = (own_deny(manager, action, path) for path in manager.paths)
            d = next((d for d in on_paths if d is not None), None)
            if d is not None:
                denied.append(action)
                first = first or d
        if first is not None:
            locked.append(Locked(manager, tuple(denied), first))
    return Lockout(tuple(locked)) if locked else None


@dataclass(frozen=True)
class KeyLockout:
    """Nobody who could administer the key may call the management action."""

    refused: tuple[tuple[PrincipalInfo, Decision], ...]  # every candidate, in order, and its refusal
    decision: Decision  # the refusal that explains it
    explicit: bool  # the key policy's own Deny does it (it binds the root user too)


def key_lockout(analysis: Analysis, key: KmsKey, action: str) -> KeyLockout | None:
    """Whether every candidate manager of ``key`` is definitely refused ``action``: the account
    root, the managers and every principal the key policy names. An AWS managed key and a key
    policy KMS refuses to store lock nobody out."""
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

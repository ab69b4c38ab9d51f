"""A key policy leaves no principal able to manage the KMS key.

**What it finds.** Nobody who could administer the key may call `kms:PutKeyPolicy` on it: the
account root (the key policy must allow the account for IAM to count), the deployer, the
administrators the config names or the sources define (or, when none is known, any administrator
role of the account), and every principal the key policy names. `denial` is `explicit` when a Deny
statement does it (it binds the root user too), `implicit` when no statement allows them.

It also finds a Deny of the key policy whose exception (`aws:PrincipalArn`, `aws:userid`,
`aws:SourceVpce`, `aws:PrincipalOrgID`...) leaves out a principal that must keep managing the key
(the deployer; the administrators, at the console or the CLI from outside any VPC), denying it
`kms:PutKeyPolicy`, `kms:ScheduleKeyDeletion` or `kms:DisableKey`. When the
sources name no deployer the account root stands in for it, and a lockout only the stand-in
suffers is a `note`.

**Why it matters.** A key nobody can manage cannot have its policy fixed, be disabled or be scheduled
for deletion; recovering it needs AWS Support. KMS refuses to create such a key unless
`BypassPolicyLockoutSafetyCheck` is set, so without that flag the deployment fails instead.

**Example.** A "tamper-proof" statement `Deny kms:PutKeyPolicy, kms:ScheduleKeyDeletion,
kms:DisableKey` to `{"AWS": "*"}` with no condition denies everyone, root included.

**How to fix.** Keep the account-root statement (delegation to IAM) or name a key administrator role
with the management actions, and never deny them to `"*"` without an exception for that role.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Access, Finding
from why403.rules import Rule
from why403.rules._chain import chain_of, trace_of
from why403.simulate.state import KmsKey
from why403.world.analysis import Analysis
from why403.world.lockout import key_explicit_lockout, key_lockout

ACTION = "kms:PutKeyPolicy"
MANAGEMENT_ACTIONS = ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey")


def check(analysis: Analysis) -> Iterable[Finding]:
    for key in sorted(analysis.world.unique_keys(), key=lambda k: k.ref or k.arn):
        found = _nobody_manages(analysis, key)
        if found is None:
            found = _managers_denied(analysis, key)
        if found is not None:
            yield found


def _nobody_manages(analysis: Analysis, key: KmsKey) -> Finding | None:
    lockout = key_lockout(analysis, key, ACTION)
    if lockout is None:
        return None
    decision, explicit = lockout.decision, lockout.explicit
    stmt = decision.statement
    message = (f"no principal can manage KMS key {key.ref or symbols.render(key.arn)}: {ACTION} is "
               f"{'explicitly denied' if explicit else 'allowed by no statement'} for "
               f"{', '.join(info.label for info, _ in lockout.refused[:4])}"
               + (f" ({stmt.name})" if stmt is not None and explicit else "") + _safety(key))
    location = stmt.location if explicit and stmt is not None and stmt.location else \
        (key.policy.location or key.location)
    first = lockout.refused[0][0]
    return RULE.finding(
        severity="error", message=message, location=location,
        layer=decision.layer if decision.layer else "kms-key-policy",
        denial="explicit" if explicit else "implicit",
        access=Access(principal=symbols.render(first.actor.display), principal_ref=first.ref,
                      action=ACTION, resource=symbols.render(key.arn)),
        trace=trace_of(decision.trace),
        chain=chain_of(decision.trace),
        related=tuple(loc for loc in (key.location,) if loc is not None and loc != location),
        identity=(key.ref or key.arn,),
    )


def _managers_denied(analysis: Analysis, key: KmsKey) -> Finding | None:
    """A Deny of the key policy whose exception leaves out the deployer or the administrators."""
    lockout = key_explicit_lockout(analysis, key, MANAGEMENT_ACTIONS)
    if lockout is None:
        return None
    first = lockout.first
    decision = first.decision
    stmt = decision.statement
    shown = [lk for lk in lockout.locked if lk.manager.sure] or list(lockout.locked)
    who = "; ".join(f"{lk.manager.role} can no longer {', '.join(lk.denied)}" for lk in shown[:3])
    message = (f"{stmt.name if stmt is not None else 'a statement'} of the policy of KMS key "
               f"{key.ref or symbols.render(key.arn)} denies the principals that must keep managing the key "
               f"(a Deny in a key policy binds the root user too): {who}"
               + ("" if lockout.sure else "; the deployer is not in the sources, so this rests on the stand-in"))
    location = stmt.location if stmt is not None and stmt.location else (key.policy.location or key.location)
    manager = first.manager.info
    return RULE.finding(
        severity="error" if lockout.sure else "note", message=message, location=location,
        layer="kms-key-policy", denial="explicit",
        access=Access(principal=symbols.render(manager.actor.display), principal_ref=manager.ref,
                      action=first.denied[0], resource=symbols.render(key.arn)),
        trace=trace_of(decision.trace),
        chain=chain_of(decision.trace),
        related=tuple(loc for loc in (key.location,) if loc is not None and loc != location),
        identity=(key.ref or key.arn, manager.ref),
    )


def _safety(key: KmsKey) -> str:
    return ("" if key.bypass_lockout_check else
            "; KMS's policy lockout safety check would also refuse to create the key with this policy")


RULE = Rule(id="W403-L202", kind="lockout", severity="error", check=check,
            summary="The key policy leaves no principal able to manage the key, or locks out its deployer or admins")

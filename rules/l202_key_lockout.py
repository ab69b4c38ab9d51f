"""A key policy leaves no principal able to manage the KMS key.

**What it finds.** Nobody who could administer the key may call `kms:PutKeyPolicy` on it: the
account root (the key policy must allow the account for IAM to count), the deployer, the
administrators the config names or the sources define (or, when none is known, any administrator
role of the account), and every principal the key policy names. `denial` is `explicit` when a Deny
statement does it (it binds the root user too), `implicit` when no statement allows them.

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
from why403.world.analysis import Analysis
from why403.world.lockout import key_lockout

ACTION = "kms:PutKeyPolicy"


def check(analysis: Analysis) -> Iterable[Finding]:
    for key in sorted(analysis.world.unique_keys(), key=lambda k: k.ref or k.arn):
        lockout = key_lockout(analysis, key, ACTION)
        if lockout is None:
            continue
        decision, explicit = lockout.decision, lockout.explicit
        stmt = decision.statement
        safety = ("" if key.bypass_lockout_check else
                  "; KMS's policy lockout safety check would also refuse to create the key with this policy")
        message = (f"no principal can manage KMS key {key.ref or symbols.render(key.arn)}: {ACTION} is "
                   f"{'explicitly denied' if explicit else 'allowed by no statement'} for "
                   f"{', '.join(info.label for info, _ in lockout.refused[:4])}"
                   + (f" ({stmt.name})" if stmt is not None and explicit else "") + safety)
        location = stmt.location if explicit and stmt is not None and stmt.location else \
            (key.policy.location or key.location)
        first = lockout.refused[0][0]
        yield RULE.finding(
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


RULE = Rule(id="W403-L202", kind="lockout", severity="error", check=check,
            summary="The key policy leaves no principal able to manage the key")

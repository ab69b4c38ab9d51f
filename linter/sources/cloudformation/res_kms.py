"""KMS keys, replica keys and aliases."""

from __future__ import annotations

from why403.model import symbols
from why403.model.facts import AliasFact, KeyFact
from why403.model.policy import PolicyKind
from why403.sources.cloudformation.context import Ctx, Resource


def key(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    # Without KeyPolicy, KMS applies the default key policy (the account-root statement).
    policy = ctx.optional_policy(res, "KeyPolicy", PolicyKind.KEY, res.lid)
    ctx.facts.append(KeyFact(
        res.lid, ctx.at(res), key_id=attrs["KeyId"], arn=attrs["Arn"], account=ctx.account, region=ctx.region,
        policy=policy, enabled=ctx.flag(res, "Enabled", True),
        bypass_lockout_check=ctx.flag(res, "BypassPolicyLockoutSafetyCheck", False) is True))


def alias(ctx: Ctx, res: Resource) -> None:
    name = ctx.text(res, "AliasName") or symbols.unknown(f"{res.lid}.AliasName")
    target = ctx.text(res, "TargetKeyId") or symbols.unknown(f"{res.lid}.TargetKeyId")
    ctx.facts.append(AliasFact(res.lid, ctx.at(res), name=name, target_key=target, account=ctx.account,
                               region=ctx.region))

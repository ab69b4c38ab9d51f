"""Drift between the live account and the code, layer by layer, for the resources of one request
(issue 18 item 5): so that the fix goes into the code, not the console.

Both sides are worlds: the one built from the dumps and the one the linter builds from the IaC. A
statement is the same on both sides when every element matches, where a value the code leaves open
(an ARN Terraform computes, a variable) may stand for any live value: drift is only reported where
the code definitely differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from why403.model import symbols
from why403.model.location import Location
from why403.model.policy import Condition, Policy, PrincipalEntry, Statement
from why403.world.model import World


@dataclass(frozen=True)
class Drift:
    layer: str
    message: str
    live: Location | None = None
    code: Location | None = None


def _same_values(code: Sequence[str] | None, live: Sequence[str] | None) -> bool:
    if code is None or live is None:
        return code is None and live is None
    if len(set(code)) != len(set(live)):
        return False
    remaining = list(dict.fromkeys(live))
    for value in dict.fromkeys(code):
        match = next((v for v in remaining if symbols.tri_equals(value, v) is not False), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def _principals(entries: tuple[PrincipalEntry, ...] | None) -> list[str] | None:
    return None if entries is None else [f"{e.type}={e.value}" for e in entries]


def _conditions(conds: tuple[Condition, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in conds:
        out.setdefault(f"{c.operator}|{c.key_lower}", []).extend(c.values)
    return out


def same_statement(code: Statement, live: Statement) -> bool:
    if code.effect != live.effect:
        return False
    for attr in ("actions", "not_actions", "resources", "not_resources"):
        if not _same_values(getattr(code, attr), getattr(live, attr)):
            return False
    if not _same_values(_principals(code.principals), _principals(live.principals)):
        return False
    if not _same_values(_principals(code.not_principals), _principals(live.not_principals)):
        return False
    a, b = _conditions(code.conditions), _conditions(live.conditions)
    return a.keys() == b.keys() and all(_same_values(a[k], b[k]) for k in a)


def compare_policies(layer: str, what: str, code: Sequence[Policy], live: Sequence[Policy],
                     code_where: Location | None, live_where: Location | None) -> list[Drift]:
    """Statements only live (added in the console) and only in the code (removed, or never applied)."""
    if any(p.unknown is not None for p in (*code, *live)):
        return []  # one side is not known as a whole: nothing definite to compare
    code_stmts = [s for p in code for s in p.statements]
    live_stmts = [s for p in live for s in p.statements]
    out: list[Drift] = []
    unmatched_code = list(code_stmts)
    for stmt in live_stmts:
        match = next((c for c in unmatched_code if same_statement(c, stmt)), None)
        if match is not None:
            unmatched_code.remove(match)
            continue
        out.append(Drift(layer, f"the live {what} has {stmt.name} ({stmt.effect}) that the code does not",
                         stmt.location or live_where, code_where))
    for stmt in unmatched_code:
        out.append(Drift(layer, f"the code's {what} has {stmt.name} ({stmt.effect}) that the live one does not",
                         live_where, stmt.location or code_where))
    return out


def drift(live: World, code: World, bucket: str, principal_arn: str | None, key_arn: str | None,
          vpce: str | None) -> list[Drift]:
    out: list[Drift] = []
    out += _bucket(live, code, bucket)
    if principal_arn:
        out += _principal(live, code, principal_arn)
    if key_arn:
        out += _key(live, code, bucket, key_arn)
    if vpce:
        out += _endpoint(live, code, vpce)
    return out


def _bucket(live: World, code: World, name: str) -> list[Drift]:
    lb, cb = live.buckets.get(name), code.buckets.get(name)
    if lb is None:
        return []
    if cb is None:
        return [Drift("bucket-policy", f"the bucket {name} is not defined in the code", lb.location, None)]
    ls, cs = lb.state, cb.state
    out = compare_policies("bucket-policy", "bucket policy", [cs.policy] if cs.policy else [],
                           [ls.policy] if ls.policy else [], cs.policy.location if cs.policy else cb.location,
                           ls.policy.location if ls.policy else lb.location)
    for layer, label, a, b in (("block-public-access", "Block Public Access", ls.bpa, cs.bpa),
                               ("object-ownership", "Object Ownership", ls.ownership, cs.ownership),
                               ("kms-key-policy", "default encryption", ls.default_encryption, cs.default_encryption)):
        if a != b and not _open(b):
            out.append(Drift(layer, f"{label}: live {_show(a)}, code {_show(b)}", lb.location, cb.location))
    return out


def _open(value: object) -> bool:
    text = repr(value)
    return symbols.has_token(text) or "None" in text


def _show(value: object) -> str:
    if hasattr(value, "__dataclass_fields__"):
        return ", ".join(f"{k}={getattr(value, k)}" for k in value.__dataclass_fields__)
    return str(value)


def _principal(live: World, code: World, arn: str) -> list[Drift]:
    info = live.principals.get(arn)
    if info is None or info.actor.identity_policies is None:
        return []
    role_arn = info.actor.role_arn or info.arn
    target = code.principals.get(role_arn) or next(
        (p for p in code.principals.values() if p.actor.name and p.actor.name == info.actor.name), None)
    if target is None:
        return [Drift("identity-policy", f"{role_arn} is not defined in the code", info.location, None)]
    out = compare_policies("identity-policy", "identity policies", target.actor.identity_policies or (),
                           info.actor.identity_policies, target.location, info.location)
    lb, cb = info.actor.permissions_boundary, target.actor.permissions_boundary
    if (lb is None) != (cb is None):
        out.append(Drift("permissions-boundary", "live " + ("has a permissions boundary" if lb else "has none") +
                         ", the code " + ("sets one" if cb else "sets none"), info.location, target.location))
    elif lb is not None and cb is not None:
        out += compare_policies("permissions-boundary", "permissions boundary", [cb], [lb], target.location,
                                info.location)
    return out


def _key(live: World, code: World, bucket: str, arn: str) -> list[Drift]:
    lk = live.keys.get(arn)
    if lk is None:
        return []
    cb = code.buckets.get(bucket)
    ck = cb.state.default_key if cb is not None else None
    if ck is None:
        return [Drift("kms-key-policy", f"the key {arn} is not the default key of {bucket} in the code", lk.location,
                      None)]
    return compare_policies("kms-key-policy", "key policy", [ck.policy], [lk.policy], ck.policy.location,
                            lk.policy.location)


def _endpoint(live: World, code: World, vpce: str) -> list[Drift]:
    le = live.endpoint(vpce)
    if le is None:
        return []
    candidates = [e for e in code.endpoints.values() if e.is_s3 and symbols.tri_equals(e.vpc_id, le.vpc_id) is True]
    if len(candidates) != 1:
        return []
    ce = candidates[0]
    return compare_policies("vpc-endpoint-policy", "endpoint policy", [ce.policy] if ce.policy else [],
                            [le.policy] if le.policy else [], ce.location, le.location)

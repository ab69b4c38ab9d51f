"""Whether a statement applies to a request: principal, action, resource and condition (6.2-6.5).

Everything answers in three values (:data:`~why403.model.tri.Tri`). Action matches are
cached per policy and action, so evaluating many requests against one compiled policy only
looks at the statements that can concern the action.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.arn import account_of_root, arn_in_key_slot, names_account, tri_resource_match
from why403.model.glob import tri_glob
from why403.model.policy import Policy, PolicyKind, PrincipalEntry, Statement
from why403.model.tri import Tri, tri_and, tri_any, tri_not, tri_or
from why403.model.values import Unknown
from why403.policy import variables
from why403.policy.conditions import eval_conditions
from why403.policy.context import RequestContext

# How a resource-policy Allow matched its caller (access-model 2.6 / 6.3).
USER_ARN = "user_arn"
ROLE_ARN = "role_arn"
SESSION_ARN = "session_arn"
ACCOUNT = "account"
STAR = "star"
STAR_WITH_PRINCIPALARN = "star_with_principalarn"
SERVICE = "service"
FEDERATING_USER_ARN = "federating_user_arn"
UNKNOWN_PRINCIPAL = "unknown"
# The kinds that name the caller itself (or everyone), and those that name the role or user its
# session stands for (which the permissions boundary and session policy still cap).
DIRECT_KINDS = (USER_ARN, SESSION_ARN, STAR, STAR_WITH_PRINCIPALARN)
ROLE_KINDS = (ROLE_ARN, FEDERATING_USER_ARN)


@dataclass(frozen=True)
class Target:
    """What a statement is matched against."""

    actor: Actor
    action: str
    resource: str
    context: RequestContext
    gateway_endpoint: bool = False


# -- actions ------------------------------------------------------------------------------------


def _action_hit(patterns: tuple[str, ...], action: str) -> Tri:
    results: list[Tri] = []
    for p in patterns:
        r = tri_glob(p, action, "glob", ignore_case=True)
        if r is True:
            return True
        results.append(r)
    return tri_or(*results)


def action_match(stmt: Statement, action: str) -> Tri:
    if stmt.actions is not None:
        return _action_hit(stmt.actions, action)
    if stmt.not_actions is not None:
        return tri_not(_action_hit(stmt.not_actions, action))
    return False


# -- resources ----------------------------------------------------------------------------------


def _resource_hit(patterns: tuple[str, ...], resource: str, ctx: RequestContext, substitute: bool) -> Tri:
    results: list[Tri] = []
    for p in patterns:
        r = resource_pattern_match(p, resource, ctx, substitute)
        if r is True:
            return True
        results.append(r)
    return tri_or(*results)


def resource_pattern_match(pattern: str, resource: str, ctx: RequestContext, substitute: bool) -> Tri:
    if substitute and variables.has_variables(pattern):
        resolved = variables.resolve(pattern, ctx)
        if isinstance(resolved, variables.Unresolved):
            return False  # an entry with an unresolved variable matches no resource
        if isinstance(resolved, Unknown):
            return None
        plain = variables.pieces_to_pattern(resolved)
        if plain is None:
            return variables.pieces_glob(resolved, "resource").matches(resource)
        pattern = plain
    if arn_in_key_slot(pattern) is not None:
        return False  # a key id never holds an ARN: the entry names no key, whatever its tokens stand for
    return tri_resource_match(pattern, resource)


def resource_match(stmt: Statement, resource: str, ctx: RequestContext, substitute: bool) -> Tri:
    if stmt.resources is not None:
        return _resource_hit(stmt.resources, resource, ctx, substitute)
    if stmt.not_resources is not None:
        return tri_not(_resource_hit(stmt.not_resources, resource, ctx, substitute))
    return False


# -- principals ---------------------------------------------------------------------------------


def entry_kind(entry: PrincipalEntry, actor: Actor, gateway_endpoint: bool = False) -> tuple[str, Tri]:
    """Classify how one Principal entry matches the actor: (kind, whether it matches)."""
    if entry.is_wildcard:
        return STAR, True
    value = entry.value
    if entry.type == "Service":
        if actor.kind != "service" or actor.service is None:
            return SERVICE, False
        return SERVICE, symbols.tri_equals(value, actor.service, ignore_case=True)
    if entry.type in ("Federated", "CanonicalUser"):
        return ACCOUNT, False
    # AWS principals
    if actor.kind in ("anonymous", "service"):
        return UNKNOWN_PRINCIPAL, False
    if symbols.is_entirely_unknown(value):
        return UNKNOWN_PRINCIPAL, None
    if actor.account is None:
        return UNKNOWN_PRINCIPAL, False
    if account_of_root(value) is not None:
        same = names_account(value, actor.account)
        if gateway_endpoint:
            # In a gateway endpoint policy an account principal means that account's root user only.
            return ACCOUNT, tri_and(same, actor.kind == "root")
        return ACCOUNT, same
    results: list[tuple[str, Tri]] = []
    if actor.kind == "iam_user" and actor.arn:
        results.append((USER_ARN, symbols.tri_equals(value, actor.arn)))
    if actor.kind == "role_session":
        if actor.role_arn:
            results.append((ROLE_ARN, symbols.tri_equals(value, actor.role_arn)))
        if actor.arn:
            results.append((SESSION_ARN, symbols.tri_equals(value, actor.arn)))
    if actor.kind == "federated_user":
        if actor.arn:
            results.append((SESSION_ARN, symbols.tri_equals(value, actor.arn)))
        if actor.federating_user_arn:
            results.append((FEDERATING_USER_ARN, symbols.tri_equals(value, actor.federating_user_arn)))
    if actor.kind == "root":
        results.append((ACCOUNT, names_account(value, actor.account)))
    if actor.unique_id and not value.startswith("arn:"):
        kind = ROLE_ARN if actor.kind == "role_session" else USER_ARN
        results.append((kind, symbols.tri_equals(value, actor.unique_id)))
    for kind, r in results:
        if r is True:
            return kind, True
    for kind, r in results:
        if r is None:
            return kind, None
    return (results[0][0] if results else UNKNOWN_PRINCIPAL), False


def principal_kinds(stmt: Statement, actor: Actor, gateway_endpoint: bool = False) -> dict[str, Tri]:
    """For a statement with a Principal: each way it could match the actor, and whether it does."""
    out: dict[str, Tri] = {}
    constrains_arn = any(c.key_lower == "aws:principalarn" for c in stmt.conditions)
    for entry in stmt.principals or ():
        kind, r = entry_kind(entry, actor, gateway_endpoint)
        if r is False:
            continue
        if kind == STAR and constrains_arn:
            kind = STAR_WITH_PRINCIPALARN
        out[kind] = tri_or(out.get(kind, False), r)
    return out


def not_principal_applies(stmt: Statement, actor: Actor) -> Tri:
    """Whether a NotPrincipal statement applies to the actor (i.e. the actor is not exempt).

    Every level of the caller's identity must be listed to be exempt (account, role and session
    for a role session), and a principal with a permissions boundary is never exempt
    (access-model 6.3).
    """
    listed = stmt.not_principals or ()
    if any(e.is_wildcard for e in listed):
        return False
    if actor.permissions_boundary is not None:
        return True
    if actor.kind in ("anonymous", "service"):
        if actor.kind == "service":
            return not any(e.type == "Service" and actor.service and e.value.lower() == actor.service.lower()
                           for e in listed)
        return True
    aws_values = [e.value for e in listed if e.type == "AWS"]
    if actor.account is None:
        return True
    if any(symbols.is_entirely_unknown(v) for v in aws_values):
        # A list the sources leave open (a split parameter) may hold every ARN the exemption needs.
        return None
    account = actor.account
    chain: list[str] = []
    if actor.kind == "iam_user" and actor.arn:
        chain.append(actor.arn)
    elif actor.kind == "role_session":
        chain += [a for a in (actor.role_arn, actor.arn) if a]
    elif actor.kind == "federated_user" and actor.arn:
        chain.append(actor.arn)
    exempt = tri_and(tri_any(names_account(v, account) for v in aws_values),
                     *(tri_any(symbols.tri_equals(v, level) for v in aws_values) for level in chain))
    return tri_not(exempt)


def principal_applies(stmt: Statement, actor: Actor, gateway_endpoint: bool = False) -> Tri:
    if stmt.principals is not None:
        return tri_or(*principal_kinds(stmt, actor, gateway_endpoint).values())
    if stmt.not_principals is not None:
        return not_principal_applies(stmt, actor)
    return True  # identity-based policies have no principal element


# -- statements ---------------------------------------------------------------------------------


def _candidates(policy: Policy, action: str) -> tuple[tuple[Statement, Tri], ...]:
    """Statements whose Action/NotAction can concern ``action``, cached per policy."""
    key = ("action", action.lower())
    cached = policy._cache.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    out = []
    for stmt in policy.statements:
        r = action_match(stmt, action)
        if r is not False:
            out.append((stmt, r))
    result = tuple(out)
    if len(policy._cache) < 4096:
        policy._cache[key] = result
    return result


def statement_match(stmt: Statement, action_hit: Tri, policy: Policy, target: Target,
                    check_principal: bool = True) -> Tri:
    """Whether the statement applies, short-circuiting on the first definite False."""
    if action_hit is False:
        return False
    resource_hit = resource_match(stmt, target.resource, target.context, policy.substitutes_variables)
    if resource_hit is False:
        return False
    principal_hit: Tri = True
    if check_principal and policy.kind.is_resource_policy:
        principal_hit = principal_applies(stmt, target.actor, target.gateway_endpoint)
        if principal_hit is False:
            return False
    cond_hit = eval_conditions(stmt.conditions, target.context, policy.substitutes_variables)
    result = tri_and(action_hit, resource_hit, principal_hit, cond_hit)
    if result is True and stmt.maybe is not None:
        return None
    return result


@dataclass(frozen=True)
class Hit:
    """A statement that matched (``matched`` True) or might have (None)."""

    policy: Policy
    statement: Statement
    matched: Tri


def find(policy: Policy, target: Target, effect: str) -> tuple[Tri, Hit | None]:
    """Does any ``effect`` statement of the policy apply? Returns the deciding statement."""
    if policy.unknown is not None:
        return None, None
    maybe: Hit | None = None
    for stmt, action_hit in _candidates(policy, target.action):
        if stmt.effect != effect:
            continue
        r = statement_match(stmt, action_hit, policy, target)
        if r is True:
            return True, Hit(policy, stmt, True)
        if r is None and maybe is None:
            maybe = Hit(policy, stmt, None)
    return (None, maybe) if maybe is not None else (False, None)


def find_any(policies: tuple[Policy, ...] | list[Policy] | None, target: Target, effect: str) -> tuple[Tri, Hit | None]:
    """``find`` over several policies (None = the policies themselves are unknown)."""
    if policies is None:
        return None, None
    maybe: Hit | None = None
    unknown = False
    for policy in policies:
        r, hit = find(policy, target, effect)
        if r is True:
            return True, hit
        if r is None:
            unknown = True
            if maybe is None:
                maybe = hit
    return (None, maybe) if unknown else (False, None)


def allow_kinds(policy: Policy | None, target: Target) -> dict[str, tuple[Tri, Hit | None]]:
    """For a resource policy: each principal-match kind of the Allow statements that apply."""
    if policy is None:
        return {}
    if policy.unknown is not None:
        return {UNKNOWN_PRINCIPAL: (None, None)}
    out: dict[str, tuple[Tri, Hit | None]] = {}
    for stmt, action_hit in _candidates(policy, target.action):
        if stmt.effect != "Allow" or stmt.principals is None:
            continue
        rest = statement_match(stmt, action_hit, policy, target, check_principal=False)
        if rest is False:
            continue
        for kind, p in principal_kinds(stmt, target.actor, target.gateway_endpoint).items():
            r = tri_and(rest, p)
            if r is False:
                continue
            prev = out.get(kind)
            if prev is None or (prev[0] is None and r is True):
                out[kind] = (r, Hit(policy, stmt, r))
    return out


__all__ = [
    "ACCOUNT",
    "DIRECT_KINDS",
    "FEDERATING_USER_ARN",
    "ROLE_ARN",
    "ROLE_KINDS",
    "SERVICE",
    "SESSION_ARN",
    "STAR",
    "STAR_WITH_PRINCIPALARN",
    "UNKNOWN_PRINCIPAL",
    "USER_ARN",
    "Hit",
    "PolicyKind",
    "Target",
    "action_match",
    "allow_kinds",
    "find",
    "find_any",
    "principal_applies",
    "resource_match",
    "statement_match",
]

"""Shared by the ``denied`` rules: turn simulated denials of intended accesses into findings.

Each denied rule selects the decisions its layer made; this module groups them so that one
statement never floods the report (a wildcard grant denied for ten actions is one finding), picks
the location a human should look at, writes the message (who cannot do what, and the layer that
says no; the statements that granted and denied are the finding's chain), and grades severity
as docs/severity.md defines it:

- ``error``: an access the sources themselves grant will be denied;
- ``warning``: the denial rests on something stated as a fact outside the sources (a must-allow or
  a network path of the configuration, the assumption that a literal account id is not the
  account the sources deploy to), or the grant names the action only through a wildcard that a
  Deny narrows; the message says which;
- a denial that hinges on a value the sources leave open is not a denial here: ``W403-U001``
  reports it as a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from why403.model import symbols
from why403.model.finding import Access, Finding, Severity, Step
from why403.model.location import Location
from why403.model.policy import PolicyKind, Statement
from why403.model.settings import Settings
from why403.rules import Rule
from why403.rules._chain import chain_of, statement_text, trace_of
from why403.simulate.decision import Decision
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis
from why403.world.suggest import suggest_fix

LAYER_NAMES = {
    "identity-policy": "identity-based policy",
    "bucket-policy": "bucket policy",
    "bucket-acl": "object ACL",
    "kms-key-policy": "key policy",
    "kms-grant": "KMS grant",
    "vpc-endpoint-policy": "VPC endpoint policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "permissions-boundary": "permissions boundary",
    "session-policy": "session policy",
    "access-point-policy": "access point policy",
    "block-public-access": "Block Public Access",
    "object-ownership": "Object Ownership",
    "request-validation": "S3 request validation",
    "kms-key-state": "KMS key state",
}


@dataclass(frozen=True)
class _Group:
    results: tuple[AccessResult, ...]

    @property
    def first(self) -> AccessResult:
        return self.results[0]

    @property
    def actions(self) -> tuple[str, ...]:
        seen: list[str] = []
        for r in self.results:
            if r.action not in seen:
                seen.append(r.action)
        return tuple(seen)


def _group_key(r: AccessResult) -> tuple[object, ...]:
    """One finding per denied access and deciding statement: intents from several grants that ask for
    the same request (a bucket-policy grant and the log delivery it serves) are one finding."""
    d = r.decision
    stmt = d.statement
    return (r.intent.principal.ref, r.request.bucket.name, r.intent.resource, d.outcome, d.layer, d.kms_action,
            id(stmt) if stmt is not None else None, r.path.endpoint_ref)


def denied_results(analysis: Analysis, predicate: Callable[[Decision], bool]) -> list[_Group]:
    groups: dict[tuple[object, ...], list[AccessResult]] = {}
    for r in analysis.results:
        d = r.decision
        if not r.intent.expect_allowed or not d.denied or not predicate(d):
            continue
        groups.setdefault(_group_key(r), []).append(r)
    return [_Group(tuple(v)) for v in groups.values()]


def _why_wanted(r: AccessResult) -> str:
    """Why the access is wanted, when no statement of the chain says it: an AWS service the sources
    configure to use the bucket, or the configuration's must-allow."""
    intent = r.intent
    if intent.source == "service":
        what = intent.delivery.profile.name if intent.delivery is not None else "an AWS service"
        return f" (the sources make {what} use this bucket)"
    if intent.source == "config":
        return " (a must-allow of the configuration)"
    return ""


def _statement_text(decision: Decision) -> str:
    if decision.statement is None or decision.policy is None:
        return ""
    return symbols.render(statement_text(decision.statement, decision.policy))


def _deny_text(r: AccessResult) -> str:
    """The layer that says no, in a clause: ``the bucket policy denies it (statement NoReads of
    aws_s3_bucket_policy.data)``, ``S3's kms:Decrypt call on its behalf is not allowed: ...``."""
    d = r.decision
    layer = LAYER_NAMES.get(d.layer or "", d.layer or "a layer")
    it = f"S3's {d.kms_action} call on its behalf" if d.kms_action else "it"
    if d.outcome == "explicit-deny":
        stmt = _statement_text(d)
        return f"the {layer} denies {it}" + (f" ({stmt})" if stmt else "")
    if d.outcome == "rejected":
        return f"{layer} rejects {it}" + (f": {d.detail}" if d.detail else "")
    detail = d.detail or f"no {layer} allows it"
    return f"{it[0].upper()}{it[1:]} is not allowed: {detail}" if d.kms_action else detail


_ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths", "aws:resourceorgid", "aws:resourceorgpaths"})


def severity_of(r: AccessResult, settings: Settings | None = None) -> tuple[Severity, str]:
    """The finding's severity and, when it is not ``error``, why (said in the message)."""
    intent, d = r.intent, r.decision
    org = settings.organization if settings is not None else None
    if org is not None and d.statement is not None and _ORG_KEYS & d.statement.condition_keys():
        return "warning", f"it rests on the configuration's organization ({org.id} and its accounts)"
    if intent.source == "config":
        return "warning", "it rests on the configuration's must-allow: no statement of the sources grants it"
    if r.path.reason == "config":
        return "warning", f"it rests on the configuration's network path ({r.path.endpoint_ref or 'internet'})"
    assumed = _assumed_other_account(r)
    if assumed:
        return "warning", (f"it assumes account {assumed} is not the account these sources deploy to; set "
                           "--account-id if it is")
    if d.outcome == "explicit-deny" and intent.from_wildcard and intent.statement is not None and \
            not _named(r.action, intent.statement):
        return "warning", (f"the grant names {r.action} only through a wildcard, which this Deny may narrow on "
                           "purpose")
    return "error", ""


def _named(action: str, stmt: Statement) -> bool:
    return any(a.lower() == action.lower() for a in stmt.actions or ())


def _location(r: AccessResult) -> Location | None:
    d = r.decision
    if d.outcome == "explicit-deny" and d.statement is not None and d.statement.location is not None:
        return d.statement.location
    layer = d.layer
    if layer == "kms-key-policy" or (layer == "kms-grant"):
        for step in reversed(d.trace):
            if step.policy is not None and step.policy.kind is PolicyKind.KEY and step.location is not None:
                return step.location
        key_loc = _key_location(r)
        if key_loc is not None:
            return key_loc
    if layer == "vpc-endpoint-policy" and d.policy is not None and d.policy.location is not None:
        return d.policy.location
    if layer in ("bucket-policy", "bucket-acl", "block-public-access", "object-ownership", "request-validation"):
        bucket = r.request.bucket
        if bucket.policy is not None and bucket.policy.location is not None and layer == "bucket-policy":
            return bucket.policy.location
        if bucket.location is not None:
            return bucket.location
    intent = r.intent
    if intent.statement is not None and intent.statement.location is not None:
        return intent.statement.location
    if intent.policy is not None and intent.policy.location is not None:
        return intent.policy.location
    return intent.principal.location


def _key_location(r: AccessResult) -> Location | None:
    bucket = r.request.bucket
    if bucket.default_key is not None:
        return bucket.default_key.policy.location or bucket.default_key.location
    return None


def _related(r: AccessResult, primary: Location | None) -> tuple[Location, ...]:
    out: list[Location] = []
    candidates: list[Location | None] = []
    if r.intent.statement is not None:
        candidates.append(r.intent.statement.location)
    candidates += [step.location for step in r.decision.trace]
    candidates += [h.statement.location for h in r.decision.related]
    for loc in candidates:
        if loc is not None and loc != primary and loc not in out:
            out.append(loc)
    return tuple(out)


def _assumed_other_account(r: AccessResult) -> str:
    """The literal account the finding assumes is not the home account, if it rests on that."""
    actor = r.intent.principal.actor
    account = actor.account or ""
    bucket_account = r.request.bucket.account
    if account and bucket_account and symbols.HOME_ACCOUNT in (account, bucket_account) and \
            account != bucket_account and \
            not symbols.has_uncertain_token(account + bucket_account):
        return symbols.render(account if account != symbols.HOME_ACCOUNT else bucket_account)
    return ""


def _as_written(action: str, written_as: tuple[tuple[str, str], ...]) -> str:
    names = [w for real, w in written_as if real == action]
    if not names:
        return action
    return f"{' and '.join(names)} (not IAM actions: S3 authorizes those calls with {action})"


def make_finding(rule_id: str, group: _Group, analysis: Analysis) -> Finding:
    r = group.first
    intent = r.intent
    principal = intent.principal
    actions = group.actions
    action_text = ", ".join(_as_written(a, intent.written_as) for a in actions)
    via = f" through {r.path.endpoint_ref}" if r.path.endpoint_ref else ""
    severity, why = severity_of(r, analysis.world.settings)
    why_dead = intent.unresolved_why or (intent.misshapen[1] if intent.misshapen else None)
    dead = f"; {why_dead}" if why_dead and r.decision.outcome != "explicit-deny" else ""
    message = (f"{principal.label} cannot {action_text} on {symbols.render(intent.resource)}{via}"
               f"{_why_wanted(r)}: {_deny_text(r)}{dead}" + (f" ({severity}: {why})" if why else ""))
    location = _location(r)
    d = r.decision
    denial = "explicit" if d.outcome in ("explicit-deny", "rejected") else "implicit"
    access = Access(
        principal=symbols.render(principal.actor.display),
        principal_ref=principal.ref,
        action=actions[0],
        resource=symbols.render(intent.resource),
        via=r.path.endpoint_ref,
        kms_action=d.kms_action,
        actions=actions if len(actions) > 1 else (),
    )
    suggestion = suggest_fix(r, analysis)
    identity = (principal.ref, ",".join(actions), symbols.render(intent.resource), d.layer or "",
                d.kms_action or "", d.statement.label if d.statement is not None else "")
    return Finding(
        rule=rule_id, kind="denied", severity=severity, message=message, location=location, layer=d.layer,
        denial=denial,  # type: ignore[arg-type]
        access=access, trace=trace_of(d.trace), suggestion=suggestion,
        related=_related(r, location), chain=_chain(r), identity=identity)


def _chain(r: AccessResult) -> tuple[Step, ...]:
    """The engine's steps, after the statement that grants the access when no step shows it (an
    Allow that never matched, such as one naming s3:ListObjectsV2, is where the grant was meant)."""
    steps = chain_of(r.decision.trace)
    stmt, policy = r.intent.statement, r.intent.policy
    if stmt is None or stmt.location is None or any(s.location == stmt.location for s in steps):
        return steps
    layer = "bucket-policy" if r.intent.source == "bucket-policy" else "identity-policy"
    return (Step(layer, "grants", symbols.render(statement_text(stmt, policy)), stmt.location), *steps)


def s3_layer(*layers: str) -> Callable[[Decision], bool]:
    """Denials of an S3 request (not of the KMS call S3 makes for it) by one of ``layers``."""
    def selects(d: Decision) -> bool:
        return d.layer in layers and d.kms_action is None

    return selects


def denied_rule(rule_id: str, summary: str, predicate: Callable[[Decision], bool]) -> Rule:
    """A rule that reports the intended accesses whose denial ``predicate`` selects (the layer it
    is about), one finding per denied access and deciding statement."""
    def check(analysis: Analysis) -> Iterable[Finding]:
        for group in denied_results(analysis, predicate):
            yield make_finding(rule_id, group, analysis)

    return Rule(id=rule_id, kind="denied", severity="error", summary=summary, check=check)

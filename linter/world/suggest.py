"""Draft fixes for denied intents, proven by re-simulation before they are printed.

A draft is one statement added to one policy (or one condition added to one Deny). It is shown
only if, with it, the denied access is no longer denied and no other request among everything
simulated becomes allowed that was denied before: it fixes this and grants nothing more. A
statement that completes a grant keeps that grant's conditions (its global ``aws:`` keys when it
goes to another service or policy), so it is no wider than what the sources meant. It is written
the way the policy it extends is written (:mod:`why403.world.drafts`: Terraform references,
CloudFormation intrinsics), and it is a draft for a human ("review before applying"); nothing is
ever written to the user's files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.arn import account_root
from why403.model.policy import Policy, PolicyKind, Statement
from why403.policy import catalogue
from why403.policy.parse import parse_policy
from why403.policy.render import policy_to_json, statement_to_json
from why403.simulate.engine import authorize
from why403.simulate.request import S3Request
from why403.simulate.state import Environment, KmsKey
from why403.world.accesses import AccessResult
from why403.world.drafts import Expressions, NotWritable, render_condition, render_statement, syntax_of, where_in
from why403.world.model import World

if TYPE_CHECKING:
    from why403.world.analysis import Analysis

_NEGATED_PRINCIPAL_KEYS = ("aws:principalorgid", "aws:principalaccount", "aws:principalorgpaths",
                           "aws:sourcevpce", "aws:sourcevpc")


def _with_statement(policy: Policy | None, stmt_doc: dict[str, Any], kind: PolicyKind) -> Policy:
    base: dict[str, Any] = policy_to_json(policy, raw=True) if policy is not None else \
        {"Version": "2012-10-17", "Statement": []}
    base["Statement"] = [*list(base["Statement"]), stmt_doc]
    return parse_policy(base, kind, origin=policy.origin if policy else "", location=policy.location if policy
                        else None, validate=False)


class _Trial:
    """Re-simulates every result touched by a change and checks it only fixes what it should."""

    def __init__(self, analysis: Analysis, target: AccessResult) -> None:
        self.analysis = analysis
        self.target = target

    def verify(self, rebuild: Any, env: Environment | None = None,
               affected: Iterable[AccessResult] | None = None) -> bool:
        """``rebuild(request) -> request | None`` applies the change to a request it affects. The draft
        must make the target no longer denied, and no other simulated request that was denied allowed."""
        env = env or self.analysis.world.env
        target = rebuild(self.target.request)
        if target is None or authorize(target, env).denied:
            return False
        for r in self.analysis.results if affected is None else affected:
            if not r.decision.denied or self._same_access(r):
                continue
            new_req = rebuild(r.request)
            if new_req is not None and authorize(new_req, env).allowed:
                return False  # the draft would grant an access that was denied before
        return True

    def _same_access(self, r: AccessResult) -> bool:
        """The target's own access: the same principal (any session of the same role), action, bucket and
        endpoint. Fixing it for another session of the role is the fix, not a new grant."""
        t = self.target
        same_principal = r.intent.principal.arn == t.intent.principal.arn or (
            r.request.actor.principal_arn is not None
            and r.request.actor.principal_arn == t.request.actor.principal_arn)
        return (same_principal and r.action == t.action and r.request.bucket.name == t.request.bucket.name
                and r.path.endpoint_ref == t.path.endpoint_ref)


HEADER = ("Draft fix (re-simulated: with it this access is allowed, and nothing else that was simulated "
          "changes; review before applying)")


NOTE = "Note: "


@dataclass(frozen=True)
class Draft:
    """A proven statement, before it is written in the source's language."""

    target: str  # "the key policy of aws_kms_key.data"
    statement: dict[str, Any]  # values as the engine holds them (tokens for what the sources leave open)
    policy: Policy | None  # the policy it extends: where it is written and how
    owner: str | None  # the resource holding that policy: the Terraform module the draft is written in
    note: str = ""
    # Where the draft is written when the policy is not (yet) in the sources: the resource's file.
    file: str | None = None
    # A condition added to a statement of the policy (``statement`` is then that Condition block),
    # rather than a statement added to it.
    condition_of: str = ""


def _module_of(ref: str | None) -> str:
    """``module.a.module.b`` of ``module.a.module.b.aws_kms_key.k``: where a Terraform draft's
    references are written from."""
    if not ref or not ref.startswith("module."):
        return ""
    parts = ref.split(".")
    out: list[str] = []
    while len(parts) >= 2 and parts[0] == "module":
        out += parts[:2]
        parts = parts[2:]
    return ".".join(out)


def written(draft: Draft, world: World) -> str | None:
    """The draft as the person pastes it, or None when a value cannot be written in the source's
    terms (never a hard-coded ARN the sources compute, never a placeholder)."""
    policy = draft.policy
    file = policy.location.file if policy is not None and policy.location is not None else draft.file
    syntax = syntax_of(file)
    ex = Expressions(world, syntax, _module_of(draft.owner))
    how = policy.written if policy is not None else ""
    try:
        body = render_condition(draft.statement, ex, how) if draft.condition_of else \
            render_statement(draft.statement, ex, how)
    except NotWritable:
        return None
    notes = [draft.note] if draft.note else []
    declared = ex.data_sources()
    if declared:
        notes.append("It uses " + " and ".join(declared) + ": declare them in the module if it has not.")
    if draft.condition_of:
        text = f"{HEADER}. Add this condition to {draft.condition_of} of {draft.target}:\n{body}"
    else:
        where = f"({where_in(syntax, how)})" if policy is not None else \
            "(there is none yet: create it with this statement)"
        text = f"{HEADER}. Add this statement to {draft.target} {where}:\n{body}"
    return text + "".join(f"\n{NOTE}{n}" for n in notes)


def _kept_conditions(stmt: Statement | None, same_service: bool) -> dict[str, Any]:
    """The Condition block of the grant a draft completes: all of it for the same service's
    actions, its global ``aws:`` keys for another service's (KMS for S3) or another policy."""
    if stmt is None or not stmt.conditions:
        return {}
    raw = statement_to_json(stmt, raw=True).get("Condition")
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, Any] = {}
    for operator, entries in raw.items():
        if not isinstance(entries, dict):
            continue
        chosen = {k: v for k, v in entries.items() if same_service or str(k).lower().startswith("aws:")}
        if chosen:
            kept[operator] = chosen
    return kept


def suggest_fix(r: AccessResult, analysis: Analysis) -> str | None:
    draft = proven_draft(r, analysis)
    return written(draft, analysis.world) if draft is not None else None


def proven_draft(r: AccessResult, analysis: Analysis) -> Draft | None:
    d = r.decision
    try:
        if d.outcome == "implicit-deny":
            if d.layer == "identity-policy":
                return _identity_fix(r, analysis)
            if d.layer == "kms-key-policy":
                return _key_policy_fix(r, analysis)
            if d.layer == "bucket-policy":
                return _bucket_policy_fix(r, analysis)
        if d.outcome == "explicit-deny" and d.layer == "bucket-policy" and r.intent.principal.actor.kind == "service":
            return _service_exception_fix(r, analysis)
    except (ValueError, KeyError, AttributeError):
        return None
    return None


def _identity_fix(r: AccessResult, analysis: Analysis) -> Draft | None:
    info = r.intent.principal
    actor = info.actor
    if not info.in_sources or actor.identity_policies is None:
        return None
    d = r.decision
    grant = r.intent.statement if r.intent.source == "identity-policy" else None
    if d.kms_action:
        key = _kms_key(r)
        if key is None or key.aws_managed:
            return None
        stmt: dict[str, Any] = {"Effect": "Allow", "Action": catalogue.display(d.kms_action), "Resource": key.arn}
        conditions = _kept_conditions(grant, same_service=False)
    else:
        stmt = {"Effect": "Allow", "Action": r.action, "Resource": r.intent.resource}
        conditions = _kept_conditions(grant, same_service=True)
    if conditions:
        stmt["Condition"] = conditions
    extra = parse_policy({"Version": "2012-10-17", "Statement": [stmt]}, PolicyKind.IDENTITY,
                         origin="draft", validate=False)
    new_actor = replace(actor, identity_policies=(*actor.identity_policies, extra))

    def rebuild(req: S3Request) -> S3Request | None:
        if req.actor is not actor:
            return None
        return replace(req, actor=new_actor)

    if not _Trial(analysis, r).verify(rebuild, affected=analysis.results_by_principal.get(info.arn, [])):
        return None
    policy = r.intent.policy if r.intent.source == "identity-policy" else next(
        (p for p in actor.identity_policies if p.location is not None and not p.arn), None)
    target = f"the identity policy {policy.origin}" if policy is not None and policy.origin else \
        f"an identity policy of {info.label}"
    note = f"It keeps the conditions of {grant.label}, the grant it completes." if conditions and grant else ""
    return Draft(target, stmt, policy, info.ref, note, file=info.location.file if info.location else None)


def _kms_key(r: AccessResult) -> KmsKey | None:
    """The key S3 used: the object's own when the request knows the object (a live dump), else the
    bucket's default."""
    obj = r.request.object
    if obj is not None and obj.kms_key is not None:
        return obj.kms_key
    return r.request.bucket.default_key


def _principal_for_policy(actor: Actor) -> str | None:
    if actor.kind == "role_session":
        return actor.role_arn
    if actor.kind in ("iam_user", "root"):
        return actor.arn
    return None


def _key_policy_fix(r: AccessResult, analysis: Analysis) -> Draft | None:
    key = _kms_key(r)
    actor = r.intent.principal.actor
    d = r.decision
    who = _principal_for_policy(actor)
    if key is None or key.aws_managed or who is None or d.kms_action is None:
        return None
    if r.intent.principal.ref.startswith("account:"):
        who = account_root(r.intent.principal.account, actor.partition)
    condition: dict[str, dict[str, Any]] = {
        "StringEquals": {"kms:ViaService": f"s3.{r.request.bucket.region}.amazonaws.com"}}
    kept = _kept_conditions(r.intent.statement, same_service=False)
    for operator, entries in kept.items():
        condition.setdefault(operator, {}).update(entries)
    stmt = {
        "Sid": "AllowUseThroughS3",
        "Effect": "Allow",
        "Principal": {"AWS": who},
        "Action": catalogue.display(d.kms_action),
        "Resource": "*",
        "Condition": condition,
    }
    new_key = replace(key, policy=_with_statement(key.policy, stmt, PolicyKind.KEY))

    def rebuild(req: S3Request) -> S3Request | None:
        obj = req.object
        if obj is not None and obj.kms_key is not None and obj.kms_key.arn == key.arn:
            obj = replace(obj, kms_key=new_key)
        elif req.bucket.default_key is None or req.bucket.default_key.arn != key.arn:
            return None
        default = new_key if req.bucket.default_key is not None and req.bucket.default_key.arn == key.arn \
            else req.bucket.default_key
        return replace(req, bucket=replace(req.bucket, default_key=default), object=obj,
                       keys={**req.keys, key.arn: new_key})

    env = analysis.world.env
    new_env = Environment(orgs=env.orgs, keys={k: (new_key if v.arn == key.arn else v) for k, v in env.keys.items()})
    affected = analysis.results_by_default_key.get(key.arn, [])
    if not _Trial(analysis, r).verify(rebuild, new_env, affected):
        return None
    notes = []
    if kept and r.intent.statement is not None:
        notes.append(f"It keeps the conditions of {r.intent.statement.label}, the grant it completes.")
    if symbols.tri_equals(actor.account or "", key.account) is False:
        notes.append("The other account must also allow this KMS action in the principal's IAM policies.")
    note = " ".join(notes)
    return Draft(f"the key policy of {key.ref or symbols.render(key.arn)}", stmt, key.policy, key.ref, note,
                 file=key.location.file if key.location is not None else None)


def _bucket_policy_fix(r: AccessResult, analysis: Analysis) -> Draft | None:
    bucket = r.request.bucket
    actor = r.intent.principal.actor
    if not bucket.policy_known:
        return None
    if actor.kind == "service":
        principal: dict[str, str] = {"Service": actor.service or ""}
    else:
        who = _principal_for_policy(actor)
        if who is None:
            return None
        principal = {"AWS": who}
    stmt: dict[str, Any] = {"Sid": "AllowIntendedAccess", "Effect": "Allow", "Principal": principal,
                            "Action": r.action, "Resource": r.intent.resource}
    if actor.kind == "service":
        ctx = dict(r.intent.context)
        conds: dict[str, dict[str, str]] = {}
        if isinstance(ctx.get("aws:SourceArn"), str):
            conds["ArnLike"] = {"aws:SourceArn": str(ctx["aws:SourceArn"])}
        if isinstance(ctx.get("aws:SourceAccount"), str):
            conds["StringEquals"] = {"aws:SourceAccount": str(ctx["aws:SourceAccount"])}
        if conds:
            stmt["Condition"] = conds
    else:
        kept = _kept_conditions(r.intent.statement if r.intent.source == "identity-policy" else None,
                                same_service=False)
        if kept:
            stmt["Condition"] = kept
    if not _works_with_bucket_policy(analysis, r, _with_statement(bucket.policy, stmt, PolicyKind.BUCKET)):
        return None
    binfo = analysis.world.buckets.get(bucket.name)
    return Draft(f"the bucket policy of {bucket.ref or bucket.name}", stmt, bucket.policy,
                 binfo.policy_ref if binfo is not None and binfo.policy_ref else bucket.ref,
                 file=bucket.location.file if bucket.location is not None else None)


def _works_with_bucket_policy(analysis: Analysis, r: AccessResult, new_policy: Policy) -> bool:
    """Whether the denied access works, and nothing else simulated changes, with this policy on its bucket."""
    name = r.request.bucket.name

    def rebuild(req: S3Request) -> S3Request | None:
        if req.bucket.name != name:
            return None
        return replace(req, bucket=replace(req.bucket, policy=new_policy))

    return _Trial(analysis, r).verify(rebuild, affected=analysis.results_by_bucket.get(name, []))


def _service_exception_fix(r: AccessResult, analysis: Analysis) -> Draft | None:
    """A perimeter Deny on a principal key that AWS services do not carry: exempt the services."""
    d = r.decision
    stmt, policy = d.statement, d.policy
    if stmt is None or policy is None or not any(c.key_lower in _NEGATED_PRINCIPAL_KEYS and c.negated
                                                 for c in stmt.conditions):
        return None
    doc = statement_to_json(stmt, raw=True)
    doc.setdefault("Condition", {})["BoolIfExists"] = {"aws:PrincipalIsAWSService": "false"}
    raw = policy_to_json(policy, raw=True)
    statements = raw["Statement"]
    index = next((i for i, s in enumerate(policy.statements) if s is stmt), None)
    if index is None:
        return None
    statements[index] = doc
    new_policy = parse_policy(raw, PolicyKind.BUCKET, origin=policy.origin, location=policy.location,
                              validate=False)
    if not _works_with_bucket_policy(analysis, r, new_policy):
        return None
    bucket = r.request.bucket
    binfo = analysis.world.buckets.get(bucket.name)
    return Draft(f"the bucket policy of {bucket.ref or bucket.name}",
                 {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}, policy,
                 binfo.policy_ref if binfo is not None and binfo.policy_ref else bucket.ref,
                 "It exempts AWS service principals from the Deny, which they cannot satisfy.", stmt.name)


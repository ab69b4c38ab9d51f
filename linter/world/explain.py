"""One access walked through every layer, for ``why403 explain`` (issue 5 item 6).

The request is built exactly as the linter builds intents (same headers, same context), so what
``explain`` shows is what ``check`` decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from why403.model import symbols
from why403.model.arn import split_s3_arn
from why403.model.policy import UNKNOWN_CONDITION_KEY
from why403.model.values import Unknown
from why403.policy import catalogue
from why403.policy.context import ABSENT, ContextValue, OneOf
from why403.simulate.decision import Decision, TraceStep
from why403.simulate.request import S3Request, build_context
from why403.simulate.samples import sample_key
from why403.simulate.state import Organizations
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis
from why403.world.intents import AccessIntent
from why403.world.model import NetworkPath, PrincipalInfo, endpoint_path, internet_path
from why403.world.outsiders import external_principal, service_principal
from why403.world.suggest import suggest_fix

LAYERS = (
    ("request-validation", "S3 request validation"),
    ("rcp", "resource control policies (RCP)"),
    ("scp", "service control policies (SCP)"),
    ("vpc-endpoint-policy", "VPC endpoint policy"),
    ("permissions-boundary", "permissions boundary"),
    ("session-policy", "session policy"),
    ("identity-policy", "identity-based policies"),
    ("access-point-policy", "access point policy"),
    ("bucket-policy", "bucket policy"),
    ("bucket-acl", "ACLs"),
    ("block-public-access", "Block Public Access"),
    ("object-ownership", "Object Ownership"),
    ("kms-key-policy", "KMS key policy"),
    ("kms-grant", "KMS grants"),
    ("kms-key-state", "KMS key state"),
)


class ExplainError(Exception):
    """The principal or resource given to explain does not resolve."""


@dataclass(frozen=True)
class Explanation:
    principal: PrincipalInfo
    action: str
    resource: str
    path: NetworkPath
    request: S3Request
    decision: Decision
    suggestion: str | None
    orgs: Organizations = field(default_factory=Organizations)


def _principal(analysis: Analysis, name: str) -> PrincipalInfo:
    world = analysis.world
    if name in ("anonymous", "*"):
        return analysis.anonymous
    if name.endswith(".amazonaws.com"):
        return service_principal(name)
    info = world.principal(name)
    if info is not None:
        return info
    if name.startswith("arn:"):
        return external_principal(world, name)
    known = sorted(i.ref for i in world.principals.values())
    hint = f"; principals in the sources: {', '.join(known[:8])}" if known else ""
    raise ExplainError(f"--principal {name}: not found in the sources and not an ARN{hint}")


def _resource(analysis: Analysis, name: str, action: str) -> tuple[str, str, str | None]:
    """(ARN as given/resolved, bucket name, object key)."""
    world = analysis.world
    arn = name
    if not name.startswith("arn:"):
        ref, _, key = name.partition("/")
        bucket = world.refs.get(ref)
        if bucket is None or bucket not in world.buckets:
            known = sorted(b.ref for b in world.buckets.values())
            hint = f"; buckets in the sources: {', '.join(known[:8])}" if known else ""
            raise ExplainError(f"--resource {name}: not a bucket in the sources and not an ARN{hint}")
        arn = world.bucket_arn(bucket, key or None)
    parsed = split_s3_arn(arn)
    if parsed is None:
        raise ExplainError(f"--resource {name}: expected an S3 bucket or object ARN")
    bucket, key_pattern = parsed
    types = set(catalogue.resource_types(action))
    if key_pattern is None and "object" in types and "bucket" not in types:
        key_pattern = "*"
    return arn, bucket, sample_key(key_pattern) if key_pattern is not None else None


def _paths(analysis: Analysis, info: PrincipalInfo, via: str | None) -> tuple[NetworkPath, ...]:

    if via is None:
        return info.paths
    if via == "internet":
        return (internet_path(reason="--via internet"),)
    world = analysis.world
    ep = world.endpoint(via)
    if ep is None:
        known = sorted(e.ref for e in world.endpoints.values())
        raise ExplainError(f"--via {via}: no such VPC endpoint in the sources" +
                           (f" (endpoints: {', '.join(known)})" if known else ""))
    return (endpoint_path(ep, "--via"),)


def explain_access(analysis: Analysis, principal: str, action: str, resource: str, via: str | None,
                   context: tuple[tuple[str, str], ...]) -> list[Explanation]:
    info = _principal(analysis, principal)
    if catalogue.action_exists(action) is False:
        hint = catalogue.API_TO_PERMISSION.get(action.lower())
        raise ExplainError(f"--action {action}: not an IAM action" +
                           (f" (S3 authorizes it with {' and '.join(hint)})" if hint else ""))
    action = catalogue.display(action)
    arn, bucket_name, key = _resource(analysis, resource, action)
    bucket = analysis.sim.bucket(bucket_name)
    extra: tuple[tuple[str, ContextValue], ...] = tuple((k, v) for k, v in context)
    out = []
    for path in _paths(analysis, info, via):
        req, decision = analysis.sim.decide(info.actor, action, bucket, key, path, extra)
        intent = AccessIntent(info, (action,), arn, bucket_name, key, "config")
        suggestion = suggest_fix(AccessResult(intent, action, path, req, decision), analysis) \
            if decision.denied else None
        out.append(Explanation(info, action, arn, path, req, decision, suggestion, analysis.world.env.orgs))
    return out


def _where(step: TraceStep) -> str:
    loc = step.location
    return f" [{loc.file}:{loc.line}]" if loc is not None and loc.line else (f" [{loc.file}]" if loc else "")


def _context_lines(exp: Explanation, analysis_keys: set[str]) -> list[str]:
    ctx = build_context(exp.request, exp.orgs)
    lines = []
    for key in sorted(analysis_keys):
        value = ctx.get(key)
        if value is ABSENT:
            shown = "(absent)"
        elif isinstance(value, Unknown):
            shown = f"(unknown: {value.reason})"
        elif isinstance(value, OneOf):
            shown = "one of " + ", ".join("(absent)" if c is ABSENT else symbols.render(str(c))
                                          for c in value.choices) + f" ({value.reason})"
        elif isinstance(value, tuple):
            shown = ", ".join(symbols.render(v) for v in value)
        else:
            shown = symbols.render(str(value))
        lines.append(f"    {key} = {shown}")
    return lines


def _condition_keys(exp: Explanation) -> set[str]:
    keys = {"aws:principalarn", "aws:securetransport", "aws:sourcevpce", "aws:sourcevpc", "aws:principalaccount"}
    for step in exp.decision.trace:
        if step.statement is not None:
            keys |= set(step.statement.condition_keys())
    return {k for k in keys if not k.startswith("kms:") and k != UNKNOWN_CONDITION_KEY}


def render_explanation(exp: Explanation) -> str:
    d = exp.decision
    actor = exp.principal.actor
    lines = ["Request"]
    who = symbols.render(actor.display)
    if actor.kind == "role_session":
        who += f" (a session of the role: {symbols.render(actor.arn or '')})"
    lines.append(f"  principal  {exp.principal.label}: {who}")
    lines.append(f"  action     {exp.action}")
    lines.append(f"  resource   {symbols.render(exp.request.resource)}")
    net = exp.path.network
    if net.through_endpoint:
        path = f"through {exp.path.endpoint_ref} ({net.path.replace('_', ' ')}, {symbols.render(net.vpce_id or '')})"
    elif not net.known:
        path = "not known from the sources (network condition keys are unknown)"
    else:
        path = net.path.replace("_", " ")
    lines.append(f"  path       {path}")
    if exp.request.headers:
        hdrs = ", ".join(f"{k}: {symbols.render(v)}" for k, v in exp.request.headers.items())
        lines.append(f"  headers    {hdrs}")
    lines.append("")
    lines.append("Evaluation, in AWS's order")
    by_layer: dict[str, list[TraceStep]] = {}
    for step in d.trace:
        by_layer.setdefault(step.layer, []).append(step)
    skipped = []
    for layer, title in LAYERS:
        steps = by_layer.get(layer)
        if not steps:
            skipped.append(title)
            continue
        for step in steps:
            text = step.render().split(": ", 1)[1] if ": " in step.render() else step.outcome
            lines.append(f"  {title:<34} {text}{_where(step)}")
    if skipped:
        lines.append(f"  not applicable or nothing to decide: {', '.join(skipped)}")
    lines.append("")
    if d.allowed:
        lines.append("Verdict: ALLOWED")
    elif d.outcome == "unknown":
        lines.append("Verdict: UNKNOWN: the answer depends on values the sources do not determine:")
        lines += [f"  - {symbols.render(u)}" for u in d.unknowns]
    else:
        kind = {"explicit-deny": "explicit deny", "implicit-deny": "implicit deny (no statement allows it)",
                "rejected": "rejected"}[d.outcome]
        layer = d.layer or "?"
        kms = f" in S3's {d.kms_action} call to KMS" if d.kms_action else ""
        stmt = f", {d.statement.name}" if d.statement is not None else ""
        loc = d.statement.location if d.statement is not None and d.statement.location else None
        where = f" at {loc.file}:{loc.line}" if loc is not None else ""
        lines.append(f"Verdict: DENIED (403){kms}: {kind} by the {layer}{stmt}{where}")
        if d.detail:
            lines.append(f"  {symbols.render(d.detail)}")
        lines.append("")
        lines.append("Counterexample: AWS would refuse this request")
        lines.append(f"  principal {symbols.render(actor.arn or actor.display)}")
        lines.append(f"  action    {exp.action}")
        lines.append(f"  resource  {symbols.render(exp.request.resource)}")
        lines.append(f"  path      {path}")
        lines.append("  context")
        lines += _context_lines(exp, _condition_keys(exp))
        if exp.suggestion:
            lines.append("")
            lines.append(exp.suggestion)
    return "\n".join(lines) + "\n"

"""One production request evaluated as AWS did, on the world built from live dumps (issue 18).

The request is the one that failed: its principal (a role session, a user), action, object, network
path and TLS, as flags or a CloudTrail event give them. It is evaluated by the same engine as
``check`` and ``explain``. What the dumps do not say is never filled in with a default: settings
the engine carries as unknowns are unknowns in the world already, and the few it cannot carry
(Object Ownership, an ACL, the object's encryption, a key's grants) are each tried with every value
they can take; the answer is only definite when all agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import product

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.arn import split_arn, split_s3_arn
from why403.model.coverage import Coverage, Gap
from why403.model.policy import Policy, PolicyKind
from why403.model.values import Unknown
from why403.policy import catalogue
from why403.policy.context import ContextValue
from why403.simulate.decision import Decision
from why403.simulate.engine import authorize
from why403.simulate.request import S3Request
from why403.simulate.state import (
    AccountOrg,
    BucketState,
    Environment,
    KmsGrant,
    KmsKey,
    Network,
    ObjectState,
    Organizations,
    OrgLevel,
)
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis
from why403.world.explain import Explanation
from why403.world.intents import AccessIntent
from why403.world.model import EndpointInfo, NetworkPath, PrincipalInfo, World, endpoint_path
from why403.world.outsiders import external_principal, service_principal
from why403.world.suggest import suggest_fix


class DiagnoseError(Exception):
    """The request does not make sense against the dumps (an unknown action, not an S3 resource)."""


@dataclass(frozen=True)
class Request:
    """The request that was denied, as AWS received it."""

    principal: str  # ARN (a session ARN for roles), "anonymous", or a service principal
    action: str
    resource: str  # arn:aws:s3:::bucket[/key]
    operation: str | None = None  # the API call (UploadPart needs kms:Decrypt too)
    vpce: str | None = None
    source_ip: str | None = None
    tls: bool | None = True
    headers: tuple[tuple[str, str], ...] = ()
    context: tuple[tuple[str, str], ...] = ()

    @property
    def bucket_and_key(self) -> tuple[str, str | None]:
        parsed = split_s3_arn(self.resource)
        if parsed is None:
            raise DiagnoseError(f"{self.resource}: expected an S3 bucket or object ARN (arn:aws:s3:::bucket/key)")
        return parsed


@dataclass(frozen=True)
class Diagnosis:
    explanation: Explanation
    decision: Decision  # over every value of what the dumps leave open
    gaps: tuple[Gap, ...]
    variants: int = 1
    disagreement: str = ""  # the variants that decide differently, when they do
    result: AccessResult | None = field(default=None, compare=False)


def prepare_world(world: World, coverage: Coverage) -> None:
    """Make the organization layers the dumps could not show unknown for the request's accounts."""
    accounts = dict(world.env.orgs.accounts)

    def unknown_level(kind: PolicyKind, account: str, why: str) -> tuple[OrgLevel, ...]:
        policy = Policy(kind=kind, origin=f"{kind.name}s of {account}", unknown=f"not in the dumps: {why}")
        return (OrgLevel("not collected", (policy,)),)

    for account, why in coverage.scp_unknown:
        org = accounts.get(account) or AccountOrg(org_id=coverage.organization)
        accounts[account] = replace(org, scp_levels=unknown_level(PolicyKind.SCP, account, why))
    for account, why in coverage.rcp_unknown:
        org = accounts.get(account) or AccountOrg(org_id=coverage.organization)
        accounts[account] = replace(org, rcp_levels=unknown_level(PolicyKind.RCP, account, why))
    world.env = Environment(orgs=Organizations(accounts), keys=world.env.keys)


def _principal(analysis: Analysis, name: str, coverage: Coverage) -> PrincipalInfo:
    world = analysis.world
    if name in ("anonymous", "*"):
        return analysis.anonymous
    if name.endswith(".amazonaws.com"):
        return service_principal(name)
    if not name.startswith("arn:"):
        raise DiagnoseError(f"--principal {name}: expected an ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, "
                            "arn:aws:iam::ACCOUNT:user/NAME), 'anonymous' or a service principal")
    info = world.principals.get(name)
    if info is None and ":assumed-role/" in name:
        info = _session_of_role(world, name, coverage)
    if info is None:
        info = external_principal(world, name)
    actor = info.actor
    if coverage.organization_known and actor.org_id is None:
        actor = replace(actor, org_id=coverage.organization, org_known=True)
    return replace(info, actor=actor)


def _session_of_role(world: World, arn: str, coverage: Coverage) -> PrincipalInfo | None:
    """A session whose AssumeRole event is not in the dumps: the role's policies, and session policies
    that are unknown (``coverage.session_unknown``) rather than assumed absent."""
    parts = split_arn(arn)
    pieces = parts[5].split("/") if parts is not None else []
    if parts is None or len(pieces) < 3:
        return None
    account, role_name, session = parts[4], pieces[1], pieces[-1]
    role = next((i for i in world.principals.values() if i.actor.kind == "role_session" and i.account == account
                 and i.actor.name == role_name and i.actor.arn != arn), None)
    if role is None:
        return None
    policies = None
    if coverage.session_unknown is not None:
        policies = (Policy(kind=PolicyKind.SESSION, origin=f"session policy of {session}",
                           unknown=f"whether a session policy was passed is not in the dumps: "
                                   f"{coverage.session_unknown}"),)
    actor = replace(role.actor, arn=arn, session_name=session, session_policies=policies, ref=arn)
    return replace(role, arn=arn, actor=actor)


def _path(analysis: Analysis, request: Request, bucket: BucketState, coverage: Coverage) -> NetworkPath:
    if request.vpce:
        ep = analysis.world.endpoint(request.vpce)
        if ep is None:
            why = coverage.endpoint_unknown or "the endpoint is not in the dumps"
            ep = EndpointInfo(request.vpce, request.vpce, symbols.unknown(f"VPC of {request.vpce}"), "Gateway",
                              bucket.region, symbols.unknown(f"account of {request.vpce}"),
                              Policy(kind=PolicyKind.ENDPOINT, origin=f"endpoint policy of {request.vpce}",
                                     unknown=f"not in the dumps: {why}"), None)
        return endpoint_path(ep, "the request")
    network = Network("internet", source_ip=request.source_ip, tls=request.tls is not False)
    return NetworkPath(network, None, "the request (no VPC endpoint)")


Variant = Callable[[S3Request], S3Request]


def _variants(req: S3Request, coverage: Coverage, bucket_key_known: bool) -> list[list[tuple[str, Variant]]]:
    """For each setting the dumps leave open that the engine cannot carry as unknown: its values."""
    axes: list[list[tuple[str, Variant]]] = []
    actor = req.actor
    if coverage.ownership_unknown and req.bucket.policy_known:
        axes.append([(f"Object Ownership {o}", _set_ownership(o))
                     for o in ("BucketOwnerEnforced", "ObjectWriter")])
    if coverage.acl_unknown and req.bucket.policy_known:
        grant = AclGrant("AllUsers", "FULL_CONTROL") if actor.kind == "anonymous" or not actor.account else \
            AclGrant("account", "FULL_CONTROL", actor.account)
        axes.append([("no ACL grant to the caller", lambda r: r),
                     ("an ACL grant to the caller", _add_acl(grant))])
    if coverage.object_unknown and req.object is None and req.key is not None and req.bucket.policy_known:
        owner = req.bucket.account
        axes.append([("the object is SSE-S3", _set_object(ObjectState(req.key, owner, encryption="SSE-S3"))),
                     ("the object is SSE-KMS", _set_object(ObjectState(req.key, owner, encryption="SSE-KMS"))),
                     ("the object does not exist", _set_object(ObjectState(req.key, owner, exists=False)))])
    if coverage.grants_unknown and bucket_key_known:
        who = actor.role_arn or actor.arn
        if who:
            grant_k = KmsGrant(who, ("Decrypt", "GenerateDataKey", "Encrypt"))
            axes.append([("no KMS grant to the caller", lambda r: r),
                         ("a KMS grant to the caller", _add_grant(grant_k))])
    return axes


def _set_ownership(ownership: str) -> Variant:
    return lambda r: replace(r, bucket=replace(r.bucket, ownership=ownership))  # type: ignore[arg-type]


def _add_acl(grant: AclGrant) -> Variant:
    def apply(r: S3Request) -> S3Request:
        obj = replace(r.object, acl=(*r.object.acl, grant)) if r.object is not None else None
        return replace(r, bucket=replace(r.bucket, acl=(*r.bucket.acl, grant)), object=obj)

    return apply


def _set_object(obj: ObjectState) -> Variant:
    return lambda r: replace(r, object=obj)


def _add_grant(grant: KmsGrant) -> Variant:
    def with_grant(key: KmsKey | None) -> KmsKey | None:
        return replace(key, grants=(*key.grants, grant)) if key is not None else None

    def apply(r: S3Request) -> S3Request:
        obj = replace(r.object, kms_key=with_grant(r.object.kms_key)) if r.object is not None else None
        bucket = replace(r.bucket, default_key=with_grant(r.bucket.default_key))
        return replace(r, bucket=bucket, object=obj)

    return apply


def _combine(decisions: list[tuple[str, Decision]]) -> tuple[Decision, str]:
    base = decisions[0][1]
    if len(decisions) == 1 or all(d.denied for _, d in decisions) or all(d.allowed for _, d in decisions):
        return base, ""
    verdicts = "; ".join(f"{label}: {d.summary()}" for label, d in decisions)
    unknowns = list(dict.fromkeys(u for _, d in decisions for u in d.unknowns))
    return Decision("unknown", None, None, None, base.trace, tuple(unknowns), 0, "", base.related), verdicts


def diagnose(analysis: Analysis, request: Request, coverage: Coverage) -> Diagnosis:
    info = _principal(analysis, request.principal, coverage)
    if catalogue.action_exists(request.action) is False:
        hint = catalogue.API_TO_PERMISSION.get(request.action.lower())
        raise DiagnoseError(f"--action {request.action}: not an IAM action" +
                            (f" (S3 authorizes that call with {' and '.join(hint)})" if hint else ""))
    action = catalogue.display(request.action)
    bucket_name, key = request.bucket_and_key
    types = set(catalogue.resource_types(action))
    if key is None and "object" in types and "bucket" not in types:
        raise DiagnoseError(f"{action} acts on objects: give the object's ARN (arn:aws:s3:::{bucket_name}/KEY)")
    bucket = analysis.sim.bucket(bucket_name)
    path = _path(analysis, request, bucket, coverage)
    extra: dict[str, ContextValue] = dict(request.context)
    if request.tls is None:
        extra["aws:SecureTransport"] = Unknown("whether the request used TLS is not in the event")
    # Only the headers the request carried: an SDK sends no SSE or ACL header unless asked to, and S3
    # then applies the bucket's default encryption (which decides the KMS call, not the condition keys).
    req = S3Request(actor=info.actor, action=action, bucket=bucket, key=key, operation=request.operation,
                    object=analysis.world.objects.get((bucket_name, key)) if key is not None else None,
                    network=path.network, headers=dict(request.headers), context=extra, open_world=True,
                    keys=analysis.world.env.keys)
    key_in_play = (req.object.kms_key if req.object is not None else None) or bucket.default_key
    axes = _variants(req, coverage, key_in_play is not None)
    decisions: list[tuple[str, Decision]] = []
    requests: list[S3Request] = []
    for combo in product(*axes) if axes else [()]:
        variant = req
        for _, change in combo:
            variant = change(variant)
        requests.append(variant)
        decisions.append((", ".join(label for label, _ in combo) or "as collected",
                          authorize(variant, analysis.world.env)))
    decision, disagreement = _combine(decisions)
    intent = AccessIntent(info, (action,), request.resource, bucket_name, key, "config")
    result = AccessResult(intent, action, path, requests[0], decision)
    suggestion = suggest_fix(result, analysis) if decision.denied and not axes else None
    explanation = Explanation(info, action, request.resource, path, requests[0], decision, suggestion,
                              analysis.world.env.orgs)
    return Diagnosis(explanation, decision, coverage.gaps, len(decisions), disagreement, result)

"""AWS's decision for one S3 request, layer by layer (access-model.md section 2.2).

``authorize`` is a pure function of the request and the :class:`Environment`. It follows the
documented order: request prechecks; an explicit Deny in any applicable policy; Block Public
Access at request time; the guardrails that need an Allow at every level (RCP, SCP, VPC endpoint
policy); the grant logic (same-account union, cross-account intersection, S3's bucket and object
contexts, ACLs, access points); and finally the KMS calls S3 makes on the caller's behalf.

Every question is three-valued. A definite answer is returned as soon as one is certain
whatever the unknowns are (an explicit Deny that matches, a layer no statement could allow);
otherwise the unknowns that stand between the request and a definite Allow are collected and
the decision is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.actor import Actor
from why403.model.policy import Policy
from why403.model.symbols import Tri, tri_and, tri_equals, tri_or
from why403.policy.context import RequestContext
from why403.policy.match import (
    ACCOUNT,
    FEDERATING_USER_ARN,
    ROLE_ARN,
    SERVICE,
    SESSION_ARN,
    STAR,
    STAR_WITH_PRINCIPALARN,
    UNKNOWN_PRINCIPAL,
    USER_ARN,
    Hit,
    Target,
    allow_kinds,
    find,
    find_any,
)
from why403.simulate import public
from why403.simulate.decision import Decision, Outcome, TraceStep
from why403.simulate.kms import KmsCall, authorize_kms, kms_calls
from why403.simulate.request import S3Request, build_context
from why403.simulate.state import KmsKey, Organizations

BUCKET_POLICY_APIS = frozenset({"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"})

ACL_BUCKET_ACTIONS = {
    "READ": {"s3:listbucket", "s3:listbucketversions", "s3:listbucketmultipartuploads"},
    "WRITE": {"s3:putobject"},
    "READ_ACP": {"s3:getbucketacl"},
    "WRITE_ACP": {"s3:putbucketacl"},
}
ACL_OBJECT_ACTIONS = {
    "READ": {"s3:getobject", "s3:getobjectversion"},
    "READ_ACP": {"s3:getobjectacl", "s3:getobjectversionacl"},
    "WRITE_ACP": {"s3:putobjectacl", "s3:putobjectversionacl"},
}

DIRECT_KINDS = (USER_ARN, SESSION_ARN, STAR, STAR_WITH_PRINCIPALARN)
ROLE_KINDS = (ROLE_ARN, FEDERATING_USER_ARN)


@dataclass(frozen=True)
class Environment:
    """What the engine needs beyond the request: the organizations and the KMS keys by ARN."""

    orgs: Organizations = field(default_factory=Organizations)
    keys: Mapping[str, KmsKey] = field(default_factory=dict)


Kinds = dict[str, tuple[Tri, Hit | None]]


def _kind(kinds: Kinds, *names: str) -> Tri:
    return tri_or(*(kinds[n][0] for n in names if n in kinds))


def _first_hit(kinds: Kinds, *names: str) -> Hit | None:
    for n in names:
        if n in kinds and kinds[n][0] is True and kinds[n][1] is not None:
            return kinds[n][1]
    for n in names:
        if n in kinds and kinds[n][1] is not None:
            return kinds[n][1]
    return None


class _Verdict(Exception):
    """Raised inside the evaluation to return a definite decision from any depth."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision


class _Evaluation:
    def __init__(self, req: S3Request, env: Environment) -> None:
        self.req = req
        self.env = env
        self.actor: Actor = req.actor
        self.ctx: RequestContext = build_context(req, env.orgs)
        self.trace: list[TraceStep] = []
        self.unknowns: list[str] = []
        self.related: list[Hit] = []
        # RestrictPublicBuckets refused the caller's policy grants but left its ACL grants (A4).
        self.policy_grants_blocked = False
        self.target = Target(self.actor, req.action, req.resource, self.ctx,
                             gateway_endpoint=req.network.path == "gateway_endpoint")
        # Policies and statements are matched against the bucket/object ARN, except the access
        # point policy and (through an access point) identity policies (access-model 2.6, A24).
        self.bucket_target = Target(self.actor, req.action, req.bucket_resource, self.ctx,
                                    gateway_endpoint=self.target.gateway_endpoint)

    # -- helpers ------------------------------------------------------------------------------

    def step(self, layer: str, outcome: str, hit: Hit | None = None, detail: str = "",
             policy: Policy | None = None) -> None:
        self.trace.append(TraceStep(layer, outcome, detail, hit.policy if hit else policy,
                                    hit.statement if hit else None))

    def unknown(self, layer: str, hit: Hit | None, why: str) -> None:
        detail = why
        if hit is not None:
            detail = f"{why} ({hit.policy.origin or layer}, {hit.statement.label})"
        self.unknowns.append(f"{layer}: {detail}")
        self.step(layer, "unknown", hit, why)

    def deny(self, layer: str, explicit: bool, hit: Hit | None = None, detail: str = "",
             kms_action: str | None = None, http: int = 403) -> _Verdict:
        outcome: Outcome = "explicit-deny" if explicit else "implicit-deny"
        self.step(layer, "explicit deny" if explicit else "no allow", hit, detail)
        return _Verdict(Decision(outcome, layer, hit, kms_action, tuple(self.trace), tuple(self.unknowns),
                                 http, detail, tuple(self.related)))

    def reject(self, layer: str, detail: str, http: int = 403) -> _Verdict:
        self.step(layer, "rejected", detail=detail)
        return _Verdict(Decision("rejected", layer, None, None, tuple(self.trace), (), http, detail))

    # -- applicability --------------------------------------------------------------------------

    @property
    def is_iam_principal(self) -> bool:
        return self.actor.kind in ("iam_user", "role_session", "federated_user", "root")

    def scp_levels(self) -> tuple[tuple[str, tuple[Policy, ...]], ...]:
        actor = self.actor
        if not self.is_iam_principal or actor.is_service_linked_role:
            return ()
        org = self.env.orgs.of(actor.account)
        if org is None or org.management or actor.is_management_account:
            return ()
        return tuple((lvl.name, lvl.policies) for lvl in org.scp_levels)

    def rcp_levels(self, resource_account: str) -> tuple[tuple[str, tuple[Policy, ...]], ...]:
        if self.actor.is_service_linked_role:
            return ()
        org = self.env.orgs.of(resource_account)
        if org is None or org.management:
            return ()
        return tuple((lvl.name, lvl.policies) for lvl in org.rcp_levels)

    # -- the algorithm ----------------------------------------------------------------------------

    def run(self) -> Decision:
        try:
            self.prechecks()
            self.explicit_denies()
            self.block_public_access()
            self.guardrails()
            self.grant()
            self.bucket_policy_api_of_another_account()
            self.missing_object()
            self.kms()
        except _Verdict as verdict:
            return verdict.decision
        if self.unknowns:
            return Decision("unknown", None, None, None, tuple(self.trace), tuple(self.unknowns), 0, "",
                            tuple(self.related))
        return Decision("allowed", None, None, None, tuple(self.trace), (), 200, "", tuple(self.related))

    def prechecks(self) -> None:
        req, bucket = self.req, self.req.bucket
        acl = req.headers.get("x-amz-acl")
        if (self.actor.kind == "service" and (self.actor.service or "").lower() == "logging.s3.amazonaws.com"
                and bucket.policy_known and bucket.default_encryption in ("SSE-KMS", "DSSE-KMS")):
            # S3 server access logs can only be delivered to buckets whose default encryption is SSE-S3.
            raise self.reject("request-validation",
                              "server access logs cannot be delivered to a bucket whose default encryption is "
                              "SSE-KMS; use SSE-S3 (AES256) on the log bucket")
        if bucket.requester_pays and self.actor.kind != "root":
            if self.actor.kind == "anonymous":
                raise self.reject("request-validation", "Requester Pays buckets refuse anonymous requests")
            if not tri_equals(self.actor.account or "", bucket.account) and \
                    req.headers.get("x-amz-request-payer") != "requester":
                raise self.reject("request-validation",
                                  "Requester Pays bucket: the request lacks x-amz-request-payer: requester")
        if acl is not None and bucket.ownership == "BucketOwnerEnforced" \
                and acl != "bucket-owner-full-control":
            raise self.reject("object-ownership",
                              f"ACLs are disabled (BucketOwnerEnforced); x-amz-acl: {acl} is refused "
                              "with AccessControlListNotSupported", http=400)
        if acl is not None and public.canned_acl_is_public(acl) and req.bpa.block_public_acls is True:
            raise self.reject("block-public-access", f"BlockPublicAcls refuses the public ACL {acl}")
        if req.action.lower() in ("s3:putbucketpolicy", "s3:putaccesspointpolicy") \
                and req.new_policy is not None:
            new_policy = req.new_policy
            assert isinstance(new_policy, Policy)
            if bucket.bpa.block_public_policy is True and public.policy_is_public(new_policy) is True:
                raise self.reject("block-public-access", "BlockPublicPolicy refuses a public policy")
        ap = req.access_point
        if ap is not None and ap.vpc_origin is not None:
            net = req.network
            if not (net.through_endpoint and net.vpc_id == ap.vpc_origin):
                raise self.reject("request-validation",
                                  f"access point {ap.name} accepts only requests from {ap.vpc_origin}")
        net = req.network
        if net.through_endpoint and net.endpoint_region and \
                tri_equals(net.endpoint_region, bucket.region) is False:
            raise self.reject("request-validation",
                              f"the VPC endpoint is in {net.endpoint_region}, the bucket in {bucket.region}: "
                              "endpoints do not carry requests to another Region")
        if (not req.signed or not req.network.tls) and self.kms_calls:
            raise self.reject("request-validation",
                              "SSE-KMS objects can only be read or written with signed requests over TLS")

    @cached_property
    def kms_calls(self) -> list[KmsCall]:
        """The KMS calls S3 makes for this request (asked by the prechecks and by the KMS step)."""
        return kms_calls(self.req, self.env)

    def explicit_denies(self) -> None:
        req, actor = self.req, self.actor
        layers: list[tuple[str, tuple[Policy, ...] | None, Target]] = []
        for _name, level in self.rcp_levels(req.bucket.account):
            layers.append(("rcp", level, self.bucket_target))
        for _name, level in self.scp_levels():
            layers.append(("scp", level, self.bucket_target))
        if req.network.through_endpoint and req.network.endpoint_policy is not None:
            layers.append(("vpc-endpoint-policy", (req.network.endpoint_policy,), self.target))
        if self.is_iam_principal and actor.kind != "root":
            if actor.permissions_boundary is not None:
                layers.append(("permissions-boundary", (actor.permissions_boundary,), self.target))
            if actor.session_policies:
                layers.append(("session-policy", actor.session_policies, self.target))
            layers.append(("identity-policy", actor.identity_policies, self.target))
        if req.access_point is not None and req.access_point.policy is not None:
            layers.append(("access-point-policy", (req.access_point.policy,), self.target))
        exempt_root = (actor.kind == "root" and tri_equals(actor.account or "", req.bucket.account) is True
                       and req.action.lower() in BUCKET_POLICY_APIS)
        if not exempt_root:
            if req.bucket.policy is not None:
                layers.append(("bucket-policy", (req.bucket.policy,), self.bucket_target))
            elif not req.bucket.policy_known:
                layers.append(("bucket-policy", None, self.bucket_target))
        for layer, pols, target in layers:
            r, hit = find_any(pols, target, "Deny")
            if r is True:
                raise self.deny(layer, True, hit)
            if r is None:
                self.unknown(layer, hit, "a Deny may apply" if hit else "its policies are not in the sources")

    def block_public_access(self) -> None:
        req = self.req
        bpa = req.bpa
        if bpa.restrict_public_buckets is False:
            return
        is_public = public.policy_is_public(req.bucket.policy)
        if req.access_point is not None:
            is_public = tri_or(is_public, public.policy_is_public(req.access_point.policy))
        if is_public is False:
            return
        actor = self.actor
        owners = [req.bucket.account] + ([req.access_point.account] if req.access_point else [])
        if actor.kind == "service":
            return
        inside: Tri = False
        if actor.kind != "anonymous" and actor.account:
            inside = tri_or(*(tri_equals(actor.account, o) for o in owners))
        blocked = tri_and(bpa.restrict_public_buckets, is_public, symbols.tri_not(inside))
        if blocked is True:
            # Access-model A4: the block is on access derived from the public policy; a grant in a
            # (non-public) ACL to the caller's account still counts. Policy grants are dropped below.
            by_acl = self.acl_grants_caller()
            if by_acl is False:
                raise self.deny("block-public-access", True,
                                detail="RestrictPublicBuckets: the bucket policy is public, so only the bucket "
                                       "owner's account and AWS services may use it")
            self.policy_grants_blocked = True
            self.step("block-public-access", "restricts",
                      detail="RestrictPublicBuckets: the public bucket policy grants this caller nothing; "
                             "only an ACL grant to its account can")
            if by_acl is None:
                self.unknown("block-public-access", None, "RestrictPublicBuckets refuses this caller unless "
                             "an ACL grants its account")
        if blocked is None:
            self.unknown("block-public-access", None, "RestrictPublicBuckets may refuse this caller")

    def acl_grants_caller(self) -> Tri:
        """Whether a non-public ACL grant to the caller's account allows the request."""
        req = self.req
        if self.actor.kind == "anonymous" or req.bucket.ownership == "BucketOwnerEnforced":
            return False
        if req.is_bucket_operation or req.creates_object:
            acl, bucket_level = req.bucket.acl, True
        elif req.object is not None:
            acl, bucket_level = req.object.acl, False
        else:
            return False
        got = self.acl_kinds(acl, bucket_level).get("acl_account")
        return got[0] if got is not None else False

    def guardrails(self) -> None:
        req = self.req
        for layer, levels in (("rcp", self.rcp_levels(req.bucket.account)), ("scp", self.scp_levels())):
            for name, pols in levels:
                r, hit = find_any(pols, self.bucket_target, "Allow")
                if r is False:
                    raise self.deny(layer, False, detail=f"no {layer.upper()} attached at {name} allows "
                                                         f"{req.action}")
                if r is None:
                    self.unknown(layer, hit, f"an Allow at {name} may not apply")
            if levels:
                self.step(layer, "allow")
        if req.network.through_endpoint:
            ep = req.network.endpoint_policy
            if ep is None:
                self.step("vpc-endpoint-policy", "allow", detail="default full-access endpoint policy")
                return
            r, hit = find(ep, self.target, "Allow")
            if r is False:
                raise self._endpoint_implicit(ep)
            if r is None:
                self.unknown("vpc-endpoint-policy", hit, "its Allow may not apply")
            else:
                self.step("vpc-endpoint-policy", "allow", hit)
                if hit is not None:
                    self.related.append(hit)

    def _endpoint_implicit(self, ep: Policy) -> _Verdict:
        self.trace.append(TraceStep("vpc-endpoint-policy", "no allow",
                                    f"no statement allows {self.req.action}", ep, None))
        hit = Hit(ep, ep.statements[0], False) if ep.statements else None
        return _Verdict(Decision("implicit-deny", "vpc-endpoint-policy", hit, None, tuple(self.trace),
                                 tuple(self.unknowns), 403,
                                 f"no statement of the endpoint policy allows {self.req.action}",
                                 tuple(self.related)))

    # -- grants -----------------------------------------------------------------------------------

    def owning_account(self) -> str:
        req = self.req
        if req.is_bucket_operation or req.creates_object:
            return req.bucket.account
        action = req.action.lower()
        if action in ("s3:deleteobject", "s3:deleteobjectversion") and \
                tri_equals(self.actor.account or "", req.bucket.account) is True:
            return req.bucket.account
        if req.bucket.ownership == "BucketOwnerEnforced" or req.object is None:
            return req.bucket.account
        return req.object.owner_account

    def acl_kinds(self, acl: tuple[AclGrant, ...], bucket_level: bool) -> Kinds:
        action = self.req.action.lower()
        table = ACL_BUCKET_ACTIONS if bucket_level else ACL_OBJECT_ACTIONS
        out: Kinds = {}
        for grant in acl:
            perms = ("READ", "WRITE", "READ_ACP", "WRITE_ACP") if grant.permission == "FULL_CONTROL" \
                else (grant.permission,)
            if not any(action in table.get(p, set()) for p in perms):
                continue
            if grant.grantee == "LogDelivery":
                # The S3 log delivery group is how server access logs were granted before bucket
                # policies naming logging.s3.amazonaws.com.
                if self.actor.kind == "service" and (self.actor.service or "").lower() == "logging.s3.amazonaws.com":
                    out["service"] = (True, None)
            elif grant.grantee == "AllUsers":
                out["acl_allusers"] = (True, None)
            elif grant.grantee == "AuthenticatedUsers":
                if self.actor.kind != "anonymous":
                    out["acl_authusers"] = (True, None)
            elif grant.grantee == "account" and self.actor.account:
                r = tri_equals(grant.value, self.actor.account)
                if r is not False:
                    out["acl_account"] = (r, None)
        return out

    def resource_grants(self) -> Kinds:
        req, bucket = self.req, self.req.bucket
        owner = self.owning_account()
        acls_on = bucket.ownership != "BucketOwnerEnforced"
        kinds: Kinds = {}

        def merge(more: Kinds) -> None:
            for k, (r, hit) in more.items():
                prev = kinds.get(k)
                if prev is None or (prev[0] is not True and r is not False):
                    kinds[k] = (r if prev is None else tri_or(prev[0], r), hit or (prev[1] if prev else None))

        bucket_policy_kinds: Kinds = allow_kinds(bucket.policy, self.bucket_target) if bucket.policy_known \
            else {UNKNOWN_PRINCIPAL: (None, None)}
        if self.policy_grants_blocked:
            bucket_policy_kinds = {}
        if req.is_bucket_operation or req.creates_object:
            merge(bucket_policy_kinds)
            if acls_on:
                merge(self.acl_kinds(bucket.acl, True))
        elif owner == bucket.account:
            merge(bucket_policy_kinds)
            if acls_on and req.object is not None:
                merge(self.acl_kinds(req.object.acl, False))
        elif acls_on and req.object is not None:
            merge(self.acl_kinds(req.object.acl, False))
        if req.bpa.ignore_public_acls is True:
            kinds.pop("acl_allusers", None)
            kinds.pop("acl_authusers", None)
        return kinds

    def identity_allow(self, target: Target) -> tuple[Tri, Hit | None]:
        if self.actor.identity_policies is None:
            return None, None
        return find_any(self.actor.identity_policies, target, "Allow")

    def boundary_ok(self, target: Target) -> tuple[Tri, Hit | None]:
        b = self.actor.permissions_boundary
        if b is None:
            return True, None
        return find(b, target, "Allow")

    def session_ok(self, target: Target) -> Tri:
        actor = self.actor
        if not actor.is_session:
            return True
        if actor.session_policies is None:
            return actor.kind != "federated_user"
        return find_any(actor.session_policies, target, "Allow")[0]

    def grant(self) -> None:
        if self.req.access_point is not None:
            self.access_point_grant()
            return
        actor = self.actor
        kinds = self.resource_grants()
        if actor.kind in ("anonymous", "service"):
            self.resource_side(kinds)
            return
        same = tri_equals(actor.account or "", self.owning_account())
        if same is True:
            self.same_account(kinds)
        elif same is False:
            self.cross_account(kinds)
        else:
            # The caller's account is not determined: both readings must agree to be definite.
            first = self._try(lambda: self.same_account(kinds))
            second = self._try(lambda: self.cross_account(kinds))
            if first is not None and second is not None \
                    and first.outcome == second.outcome == "implicit-deny":
                raise _Verdict(second)
            self.unknown("identity-policy", None, f"whether {symbols.render(actor.account or '?')} is the "
                         "bucket owner's account is not determined")

    def _try(self, fn: object) -> Decision | None:
        saved = (list(self.trace), list(self.unknowns))
        try:
            fn()  # type: ignore[operator]
        except _Verdict as v:
            self.trace, self.unknowns = saved
            return v.decision
        self.trace, self.unknowns = saved
        return None

    def limits(self, target: Target) -> None:
        """The permissions boundary and session policy that cap identity and role-ARN grants."""
        bnd, bhit = self.boundary_ok(target)
        if bnd is False:
            boundary = self.actor.permissions_boundary
            raise self.deny("permissions-boundary", False,
                            Hit(boundary, boundary.statements[0], False)
                            if boundary and boundary.statements else None,
                            detail=f"no statement of the permissions boundary allows {self.req.action}")
        if bnd is None:
            self.unknown("permissions-boundary", bhit, "its Allow may not apply")
        ses = self.session_ok(target)
        if ses is False:
            raise self.deny("session-policy", False,
                            detail=f"the session policy does not allow {self.req.action}")
        if ses is None:
            self.unknown("session-policy", None, "its Allow may not apply")

    def same_account(self, kinds: Kinds) -> None:
        actor = self.actor
        if actor.kind == "root":
            self.step("identity-policy", "allow", detail="the root user has full access in its own account")
            return
        direct = _kind(kinds, *DIRECT_KINDS)
        if direct is True:
            hit = _first_hit(kinds, *DIRECT_KINDS)
            self.step("bucket-policy", "allow", hit, "names the caller directly")
            if hit:
                self.related.append(hit)
            return
        role = _kind(kinds, *ROLE_KINDS)
        unknown_principal = _kind(kinds, UNKNOWN_PRINCIPAL)
        ident, ihit = self.identity_allow(self.target)
        via = tri_or(role, ident)
        if via is False:
            if direct is None or unknown_principal is None:
                self.unknown("bucket-policy", _first_hit(kinds, *DIRECT_KINDS, UNKNOWN_PRINCIPAL),
                             "a grant may name the caller")
                return
            raise self.deny("identity-policy", False,
                            detail=f"no identity-based policy allows {self.req.action}"
                                   + (" and the bucket policy does not name the caller" if kinds or
                                      self.req.bucket.policy else ""))
        if role is True:
            hit = _first_hit(kinds, *ROLE_KINDS)
            self.step("bucket-policy", "allow", hit,
                      "names the role; still capped by boundary and session policy")
            if hit:
                self.related.append(hit)
        elif ident is True:
            self.step("identity-policy", "allow", ihit)
            if ihit:
                self.related.append(ihit)
        else:
            self.unknown("identity-policy", ihit or _first_hit(kinds, *ROLE_KINDS),
                         "its Allow may not apply" if self.actor.identity_policies is not None
                         else "the caller's identity policies are not in the sources")
        self.limits(self.target)
        if direct is None and via is not True:
            self.unknown("bucket-policy", _first_hit(kinds, *DIRECT_KINDS), "a grant may name the caller")

    def principal_side(self) -> None:
        actor = self.actor
        if actor.kind == "root":
            self.step("identity-policy", "allow", detail="the root user has full access in its own account")
            return
        ident, ihit = self.identity_allow(self.target)
        if ident is False:
            raise self.deny("identity-policy", False,
                            detail="no identity-based policy in the caller's account allows "
                                   f"{self.req.action}")
        if ident is None:
            if actor.identity_policies is None:
                self.unknown("identity-policy", None, "the caller's account is not in the sources, so its "
                             "identity policies are unknown")
            else:
                self.unknown("identity-policy", ihit, "its Allow may not apply")
        else:
            self.step("identity-policy", "allow", ihit)
            if ihit:
                self.related.append(ihit)
        self.limits(self.target)

    def cross_account(self, kinds: Kinds) -> None:
        self.principal_side()
        self.resource_side(kinds)

    def resource_side(self, kinds: Kinds) -> None:
        actor = self.actor
        wanted: list[str] = [STAR, STAR_WITH_PRINCIPALARN, "acl_allusers", UNKNOWN_PRINCIPAL]
        if actor.kind != "anonymous":
            wanted.append("acl_authusers")
        if actor.kind == "service":
            wanted.append(SERVICE)
        if actor.kind not in ("anonymous", "service"):
            wanted += [USER_ARN, ROLE_ARN, SESSION_ARN, ACCOUNT, "acl_account", FEDERATING_USER_ARN]
        ok = _kind(kinds, *wanted)
        hit = _first_hit(kinds, *wanted)
        layer = "bucket-policy"
        if ok is False:
            owner = self.owning_account()
            detail = f"no statement of the bucket policy grants {self.req.action} to the caller"
            if owner != self.req.bucket.account:
                detail = f"the object is owned by account {symbols.render(owner)}, whose ACL grants nothing"
                layer = "bucket-acl"
            elif self.req.bucket.policy is None:
                detail = "the bucket has no policy, so callers from other accounts are not granted anything"
            raise self.deny(layer, False, detail=detail)
        if ok is None:
            self.unknown(layer, hit,
                         "its grant may not apply" if hit else "the bucket policy is not in the sources")
        else:
            self.step(layer, "allow", hit)
            if hit:
                self.related.append(hit)

    def access_point_grant(self) -> None:
        """Through an access point both the access point and the bucket must permit (2.6)."""
        req, actor = self.req, self.actor
        ap = req.access_point
        assert ap is not None
        ap_kinds = {} if self.policy_grants_blocked else allow_kinds(ap.policy, self.target)
        ident: Tri = False
        if actor.kind not in ("anonymous", "service"):
            ident = self.identity_allow(self.target)[0]
        in_ap_account = tri_equals(actor.account or "", ap.account) if actor.account else False
        ap_ok = tri_or(_kind(ap_kinds, *DIRECT_KINDS, *ROLE_KINDS, ACCOUNT, UNKNOWN_PRINCIPAL),
                       tri_and(in_ap_account, ident))
        if actor.kind not in ("anonymous", "service", "root") and in_ap_account is not True \
                and ident is False:
            raise self.deny("identity-policy", False,
                            detail=f"no identity-based policy allows {req.action} on the access point")
        if ap_ok is False:
            raise self.deny("access-point-policy", False,
                            detail=f"the access point policy of {ap.name} does not grant {req.action}")
        bucket_kinds = self.resource_grants()
        in_bucket_account = tri_equals(actor.account or "", req.bucket.account) if actor.account else False
        bucket_ident, _ = self.identity_allow(self.bucket_target)
        bucket_ok = tri_or(_kind(bucket_kinds, *DIRECT_KINDS, *ROLE_KINDS, ACCOUNT, UNKNOWN_PRINCIPAL),
                           tri_and(in_bucket_account, bucket_ident))
        if bucket_ok is False:
            raise self.deny("bucket-policy", False,
                            detail=f"the bucket does not permit requests through access point {ap.name}")
        if tri_and(ap_ok, bucket_ok) is None:
            self.unknown("access-point-policy", None, "a grant may not apply")
        else:
            self.step("access-point-policy", "allow")
            self.step("bucket-policy", "allow")
        if actor.kind not in ("anonymous", "service", "root"):
            self.limits(self.target)

    def bucket_policy_api_of_another_account(self) -> None:
        """Get/Put/DeleteBucketPolicy by an identity of another account that has the permission:
        405 Method Not Allowed rather than 403 (access-model 2.7, [S3-API-BP])."""
        req, actor = self.req, self.actor
        if req.action.lower() not in BUCKET_POLICY_APIS or actor.kind in ("anonymous", "service"):
            return
        if tri_equals(actor.account or "", req.bucket.account) is False:
            raise self.reject("request-validation", "only the bucket owner's account can use the bucket policy "
                              "APIs; S3 answers 405 Method Not Allowed", http=405)

    # -- missing objects --------------------------------------------------------------------------

    def missing_object(self) -> None:
        """GetObject/HeadObject of a key that does not exist (access-model 2.7, [S3-API-GET]).

        S3 answers 404 NoSuchKey only when the caller may also list the bucket (``s3:ListBucket``);
        otherwise it answers 403 AccessDenied, so as not to reveal whether the key exists. The
        GetObject itself was authorized by the layers above; the answer is the ListBucket decision.
        A 404 is reported as ``allowed`` with ``http_status`` 404: access works, the key is absent.
        """
        req = self.req
        if req.object is None or req.object.exists or \
                req.action.lower() not in ("s3:getobject", "s3:getobjectversion"):
            return
        listing = authorize(replace(req, action="s3:ListBucket", key=None, operation="ListObjectsV2",
                                    object=None), self.env)
        if listing.outcome == "unknown":
            self.unknowns.extend(listing.unknowns)
            self.step(listing.layer or "identity-policy", "unknown", listing.hit,
                      "the key does not exist; whether S3 answers 404 or 403 depends on s3:ListBucket")
            return
        if listing.allowed:
            if self.unknowns:
                return
            self.step("request-validation", "not found",
                      detail="the key does not exist and the caller may list the bucket, so S3 answers "
                             "404 NoSuchKey")
            raise _Verdict(Decision("allowed", None, None, None, tuple(self.trace), (), 404,
                                    "NoSuchKey: the object does not exist", tuple(self.related)))
        explicit = listing.outcome == "explicit-deny"
        raise self.deny(listing.layer or "identity-policy", explicit, listing.hit,
                        detail=f"the key does not exist and the caller may not s3:ListBucket "
                               f"({listing.summary()}), so S3 answers 403 AccessDenied instead of 404")

    # -- KMS --------------------------------------------------------------------------------------

    def kms(self) -> None:
        for call in self.kms_calls:
            self.kms_call(call)

    def kms_call(self, call: KmsCall) -> None:
        if call.key is None:
            self.unknown("kms-key-policy", None, f"{call.action} on a key that is not in the sources "
                         f"({symbols.render(call.key_ref or '?')})")
            return
        d = authorize_kms(self.req, call, self.env)
        for step in d.trace:
            self.trace.append(step)
        if d.outcome in ("explicit-deny", "implicit-deny"):
            raise _Verdict(Decision(d.outcome, d.layer, d.hit, call.action, tuple(self.trace),
                                    tuple(self.unknowns), 403, d.detail, tuple(self.related) + d.related))
        if d.outcome == "rejected":
            raise _Verdict(Decision("rejected", d.layer, d.hit, call.action, tuple(self.trace), (), 403,
                                    d.detail))
        if d.outcome == "unknown":
            self.unknowns.extend(d.unknowns)
        self.related.extend(d.related)


def authorize(req: S3Request, env: Environment | None = None) -> Decision:
    """AWS's answer to one S3 request."""
    return _Evaluation(req, env or Environment()).run()

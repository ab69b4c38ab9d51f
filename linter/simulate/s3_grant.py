"""How S3 grants a request once no layer has denied it (access-model 2.4-2.6).

Same account: the union of the resource policy and the caller's identity policies (with the
"which ARN was named" nuance of 2.5). Another account: both sides must allow. Through an access
point: both the access point and the bucket. The permissions boundary and session policy cap
identity grants and grants to the role. :class:`S3Evaluation` holds what every step of the
algorithm records; :mod:`why403.simulate.engine` runs the layers before and after the grant.
"""

from __future__ import annotations

from collections.abc import Callable

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.symbols import tri_equals
from why403.model.tri import Tri, tri_and, tri_or
from why403.policy.context import RequestContext
from why403.policy.match import (
    ACCOUNT,
    DIRECT_KINDS,
    FEDERATING_USER_ARN,
    ROLE_ARN,
    ROLE_KINDS,
    SERVICE,
    SESSION_ARN,
    STAR,
    STAR_WITH_PRINCIPALARN,
    UNKNOWN_PRINCIPAL,
    USER_ARN,
    Hit,
    Target,
    allow_kinds,
)
from why403.simulate.decision import Decision, Outcome
from why403.simulate.layers import (
    Kinds,
    Levels,
    Recorder,
    boundary_allows,
    identity_allows,
    kinds_hit,
    kinds_match,
    rcp_levels,
    scp_levels,
    session_allows,
)
from why403.simulate.request import S3Request, build_context
from why403.simulate.s3_kinds import owning_account, resource_grants
from why403.simulate.state import Environment


class Verdict(Exception):
    """Raised inside the evaluation to return a definite decision from any depth."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision


class S3Evaluation(Recorder):
    """One S3 request on its way to a decision: its targets, and the grant step of the algorithm."""

    def __init__(self, req: S3Request, env: Environment) -> None:
        super().__init__()
        self.req = req
        self.env = env
        self.actor: Actor = req.actor
        self.ctx: RequestContext = build_context(req, env.orgs)
        # RestrictPublicBuckets refused the caller's policy grants but left its ACL grants (A4).
        self.policy_grants_blocked = False
        self.target = Target(self.actor, req.action, req.resource, self.ctx,
                             gateway_endpoint=req.network.path == "gateway_endpoint")
        # Policies and statements are matched against the bucket/object ARN, except the access
        # point policy and (through an access point) identity policies (access-model 2.6, A24).
        self.bucket_target = Target(self.actor, req.action, req.bucket_resource, self.ctx,
                                    gateway_endpoint=self.target.gateway_endpoint)

    # -- helpers ------------------------------------------------------------------------------

    def deny(self, layer: str, explicit: bool, hit: Hit | None = None, detail: str = "") -> Verdict:
        outcome: Outcome = "explicit-deny" if explicit else "implicit-deny"
        self.step(layer, "explicit deny" if explicit else "no allow", hit, detail)
        return Verdict(self.decision(outcome, layer, hit, detail))

    def reject(self, layer: str, detail: str, http: int = 403) -> Verdict:
        self.step(layer, "rejected", detail=detail)
        return Verdict(Decision("rejected", layer, None, None, tuple(self.trace), (), http, detail))

    def scp_levels(self) -> Levels:
        return scp_levels(self.actor, self.env.orgs)

    def rcp_levels(self) -> Levels:
        return rcp_levels(self.actor, self.req.bucket.account, self.env.orgs)

    # -- grants -----------------------------------------------------------------------------------

    def grant(self) -> None:
        if self.req.access_point is not None:
            self.access_point_grant()
            return
        actor = self.actor
        kinds = resource_grants(self.req, self.bucket_target, self.policy_grants_blocked)
        if actor.kind in ("anonymous", "service"):
            self.resource_side(kinds)
            return
        same = tri_equals(actor.account or "", owning_account(self.req))
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
                raise Verdict(second)
            self.unknown("identity-policy", None, f"whether {symbols.render(actor.account or '?')} is the "
                         "bucket owner's account is not determined")

    def _try(self, fn: Callable[[], None]) -> Decision | None:
        saved = (list(self.trace), list(self.unknowns))
        try:
            fn()
        except Verdict as v:
            self.trace, self.unknowns = saved
            return v.decision
        self.trace, self.unknowns = saved
        return None

    def limits(self, target: Target) -> None:
        """The permissions boundary and session policy that cap identity and role-ARN grants."""
        bnd, bhit = boundary_allows(self.actor, target)
        if bnd is False:
            boundary = self.actor.permissions_boundary
            raise self.deny("permissions-boundary", False,
                            Hit(boundary, boundary.statements[0], False)
                            if boundary and boundary.statements else None,
                            detail=f"no statement of the permissions boundary allows {self.req.action}")
        if bnd is None:
            self.unknown("permissions-boundary", bhit, "its Allow may not apply")
        ses = session_allows(self.actor, target)
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
        direct = kinds_match(kinds, *DIRECT_KINDS)
        if direct is True:
            hit = kinds_hit(kinds, *DIRECT_KINDS)
            self.step("bucket-policy", "allow", hit, "names the caller directly")
            if hit:
                self.related.append(hit)
            return
        role = kinds_match(kinds, *ROLE_KINDS)
        unknown_principal = kinds_match(kinds, UNKNOWN_PRINCIPAL)
        ident, ihit = identity_allows(self.actor, self.target)
        via = tri_or(role, ident)
        if via is False:
            if direct is None or unknown_principal is None:
                self.unknown("bucket-policy", kinds_hit(kinds, *DIRECT_KINDS, UNKNOWN_PRINCIPAL),
                             "a grant may name the caller")
                return
            raise self.deny("identity-policy", False,
                            detail=f"no identity-based policy allows {self.req.action}"
                                   + (" and the bucket policy does not name the caller" if kinds or
                                      self.req.bucket.policy else ""))
        if role is True:
            hit = kinds_hit(kinds, *ROLE_KINDS)
            self.step("bucket-policy", "allow", hit,
                      "names the role; still capped by boundary and session policy")
            if hit:
                self.related.append(hit)
        elif ident is True:
            self.step("identity-policy", "allow", ihit)
            if ihit:
                self.related.append(ihit)
        else:
            self.unknown("identity-policy", ihit or kinds_hit(kinds, *ROLE_KINDS),
                         "its Allow may not apply" if self.actor.identity_policies is not None
                         else "the caller's identity policies are not in the sources")
        self.limits(self.target)
        if direct is None and via is not True:
            self.unknown("bucket-policy", kinds_hit(kinds, *DIRECT_KINDS), "a grant may name the caller")

    def principal_side(self) -> None:
        actor = self.actor
        if actor.kind == "root":
            self.step("identity-policy", "allow", detail="the root user has full access in its own account")
            return
        ident, ihit = identity_allows(self.actor, self.target)
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
        ok = kinds_match(kinds, *wanted)
        hit = kinds_hit(kinds, *wanted)
        layer = "bucket-policy"
        if ok is False:
            owner = owning_account(self.req)
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
            ident = identity_allows(self.actor, self.target)[0]
        in_ap_account = tri_equals(actor.account or "", ap.account) if actor.account else False
        ap_ok = tri_or(kinds_match(ap_kinds, *DIRECT_KINDS, *ROLE_KINDS, ACCOUNT, UNKNOWN_PRINCIPAL),
                       tri_and(in_ap_account, ident))
        if actor.kind not in ("anonymous", "service", "root") and in_ap_account is not True \
                and ident is False:
            raise self.deny("identity-policy", False,
                            detail=f"no identity-based policy allows {req.action} on the access point")
        if ap_ok is False:
            raise self.deny("access-point-policy", False,
                            detail=f"the access point policy of {ap.name} does not grant {req.action}")
        bucket_kinds = resource_grants(self.req, self.bucket_target, self.policy_grants_blocked)
        in_bucket_account = tri_equals(actor.account or "", req.bucket.account) if actor.account else False
        bucket_ident, _ = identity_allows(self.actor, self.bucket_target)
        bucket_ok = tri_or(kinds_match(bucket_kinds, *DIRECT_KINDS, *ROLE_KINDS, ACCOUNT, UNKNOWN_PRINCIPAL),
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

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

from dataclasses import replace
from functools import cached_property

from why403.model import symbols
from why403.model.symbols import tri_equals
from why403.model.tri import Tri, tri_and, tri_not, tri_or
from why403.policy.match import Hit, find
from why403.simulate import public
from why403.simulate.decision import Decision
from why403.simulate.kms import KmsCall, authorize_kms, kms_calls
from why403.simulate.layers import Layer, is_iam_principal
from why403.simulate.prechecks import doubts, rejection
from why403.simulate.request import S3Request
from why403.simulate.s3_grant import S3Evaluation, Verdict
from why403.simulate.s3_kinds import acl_grants_caller
from why403.simulate.state import Environment

BUCKET_POLICY_APIS = frozenset({"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"})


class _Evaluation(S3Evaluation):
    """The layers around the grant: prechecks, explicit denies, Block Public Access, guardrails,
    then the answers that depend on the grant (405 for the bucket policy APIs, 404, KMS)."""

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
        except Verdict as verdict:
            return verdict.decision
        if self.unknowns:
            return Decision("unknown", None, None, None, tuple(self.trace), tuple(self.unknowns), 0, "",
                            tuple(self.related))
        return Decision("allowed", None, None, None, tuple(self.trace), (), 200, "", tuple(self.related))

    def prechecks(self) -> None:
        refused = rejection(self.req, lambda: bool(self.kms_calls))
        if refused is not None:
            raise self.reject(refused.layer, refused.detail, refused.http)
        for why in doubts(self.req):
            self.unknown("request-validation", None, why)

    @cached_property
    def kms_calls(self) -> list[KmsCall]:
        """The KMS calls S3 makes for this request (asked by the prechecks and by the KMS step)."""
        return kms_calls(self.req, self.env)

    def explicit_denies(self) -> None:
        req, actor = self.req, self.actor
        layers: list[Layer] = []
        for _name, level in self.rcp_levels():
            layers.append(("rcp", level, self.bucket_target))
        for _name, level in self.scp_levels():
            layers.append(("scp", level, self.bucket_target))
        if req.network.through_endpoint and req.network.endpoint_policy is not None:
            layers.append(("vpc-endpoint-policy", (req.network.endpoint_policy,), self.target))
        if is_iam_principal(actor) and actor.kind != "root":
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
        denied = self.explicit_deny(layers)
        if denied is not None:
            raise self.deny(denied[0], True, denied[1])

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
        blocked = tri_and(bpa.restrict_public_buckets, is_public, tri_not(inside))
        if blocked is True:
            # Access-model A4: the block is on access derived from the public policy; a grant in a
            # (non-public) ACL to the caller's account still counts. Policy grants are dropped below.
            by_acl = acl_grants_caller(self.req)
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

    def guardrails(self) -> None:
        req = self.req
        for layer, levels in (("rcp", self.rcp_levels()), ("scp", self.scp_levels())):
            missing = self.level_without_allow(layer, levels, self.bucket_target)
            if missing is not None:
                raise self.deny(layer, False, detail=f"no {layer.upper()} attached at {missing} allows {req.action}")
            if levels:
                self.step(layer, "allow")
        if req.network.through_endpoint:
            ep = req.network.endpoint_policy
            if ep is None:
                self.step("vpc-endpoint-policy", "allow", detail="default full-access endpoint policy")
                return
            r, hit = find(ep, self.target, "Allow")
            if r is False:
                self.step("vpc-endpoint-policy", "no allow", detail=f"no statement allows {req.action}", policy=ep)
                first = Hit(ep, ep.statements[0], False) if ep.statements else None
                raise Verdict(self.decision("implicit-deny", "vpc-endpoint-policy", first,
                                             f"no statement of the endpoint policy allows {req.action}"))
            if r is None:
                self.unknown("vpc-endpoint-policy", hit, "its Allow may not apply")
            else:
                self.step("vpc-endpoint-policy", "allow", hit)
                if hit is not None:
                    self.related.append(hit)

    # -- grants -----------------------------------------------------------------------------------

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
            raise Verdict(Decision("allowed", None, None, None, tuple(self.trace), (), 404,
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
            raise Verdict(Decision(d.outcome, d.layer, d.hit, call.action, tuple(self.trace),
                                    tuple(self.unknowns), 403, d.detail, tuple(self.related) + d.related))
        if d.outcome == "rejected":
            raise Verdict(Decision("rejected", d.layer, d.hit, call.action, tuple(self.trace), (), 403,
                                    d.detail))
        if d.outcome == "unknown":
            self.unknowns.extend(d.unknowns)
        self.related.extend(d.related)


def authorize(req: S3Request, env: Environment | None = None) -> Decision:
    """AWS's answer to one S3 request."""
    return _Evaluation(req, env or Environment()).run()

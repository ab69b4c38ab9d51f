"""Requests S3 refuses before it reads a single policy (access-model 2.9).

Each is a property of the request and the configuration it meets: a header the bucket's settings
forbid, a network origin an access point refuses, an unsigned request for an SSE-KMS object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from why403.model.policy import Policy
from why403.model.symbols import tri_equals
from why403.simulate import public
from why403.simulate.request import S3Request


@dataclass(frozen=True)
class Rejection:
    layer: str
    detail: str
    http: int = 403


def rejection(req: S3Request, uses_kms: Callable[[], bool]) -> Rejection | None:
    """Why S3 refuses the request outright, or None. ``uses_kms`` says (when asked, last) whether
    S3 will call KMS for it."""
    actor, bucket, net = req.actor, req.bucket, req.network
    acl = req.headers.get("x-amz-acl")
    if bucket.requester_pays and actor.kind != "root":
        if actor.kind == "anonymous":
            return Rejection("request-validation", "Requester Pays buckets refuse anonymous requests")
        if not tri_equals(actor.account or "", bucket.account) and \
                req.headers.get("x-amz-request-payer") != "requester":
            return Rejection("request-validation",
                             "Requester Pays bucket: the request lacks x-amz-request-payer: requester")
    if acl is not None and bucket.ownership == "BucketOwnerEnforced" and acl != "bucket-owner-full-control":
        return Rejection("object-ownership", f"ACLs are disabled (BucketOwnerEnforced); x-amz-acl: {acl} is refused "
                         "with AccessControlListNotSupported", http=400)
    if acl is not None and public.canned_acl_is_public(acl) and req.bpa.block_public_acls is True:
        return Rejection("block-public-access", f"BlockPublicAcls refuses the public ACL {acl}")
    if req.action.lower() in ("s3:putbucketpolicy", "s3:putaccesspointpolicy") and req.new_policy is not None:
        new_policy = req.new_policy
        assert isinstance(new_policy, Policy)
        if bucket.bpa.block_public_policy is True and public.policy_is_public(new_policy) is True:
            return Rejection("block-public-access", "BlockPublicPolicy refuses a public policy")
    ap = req.access_point
    if ap is not None and ap.vpc_origin is not None and net.known and \
            not (net.through_endpoint and tri_equals(net.vpc_id or "", ap.vpc_origin) is True):
        return Rejection("request-validation", f"access point {ap.name} accepts only requests from {ap.vpc_origin}")
    if net.through_endpoint and net.endpoint_region and tri_equals(net.endpoint_region, bucket.region) is False:
        return Rejection("request-validation",
                         f"the VPC endpoint is in {net.endpoint_region}, the bucket in {bucket.region}: "
                         "endpoints do not carry requests to another Region")
    if req.kms_refused is not None and uses_kms():
        return Rejection("request-validation", req.kms_refused)
    if (not req.signed or not net.tls) and uses_kms():
        return Rejection("request-validation", "SSE-KMS objects can only be read or written with signed requests "
                         "over TLS")
    return None


def doubts(req: S3Request) -> list[str]:
    """Refusals S3 may make, depending on what the sources leave open."""
    ap, net = req.access_point, req.network
    if ap is not None and ap.vpc_origin is not None and net.known and net.through_endpoint and \
            tri_equals(net.vpc_id or "", ap.vpc_origin) is None:
        return [f"access point {ap.name} accepts only requests from {ap.vpc_origin}; whether the endpoint is in "
                "that VPC is not determined"]
    if ap is not None and ap.vpc_origin is not None and not net.known:
        return [f"access point {ap.name} accepts only requests from {ap.vpc_origin}; where this principal's "
                "requests come from is not in the sources (config: paths)"]
    return []

"""What S3's resource side grants a caller: the bucket policy and the ACLs, in the bucket or object
context that owns the request (access-model 2.6).

The answer is a table of *kinds* (policy.match): how each Allow, or ACL grant, matches the caller
(by user ARN, role ARN, account, ``"*"`` ...), because the same-account and cross-account rules
accept different kinds.
"""

from __future__ import annotations

from why403.model.acl import AclGrant
from why403.model.symbols import tri_equals
from why403.model.tri import Tri, tri_or
from why403.policy.match import UNKNOWN_PRINCIPAL, Target, allow_kinds
from why403.simulate.layers import Kinds
from why403.simulate.request import S3Request

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


def owning_account(req: S3Request) -> str:
    """The account whose context decides: the bucket owner's, or an object's other owner."""
    if req.is_bucket_operation or req.creates_object:
        return req.bucket.account
    action = req.action.lower()
    if action in ("s3:deleteobject", "s3:deleteobjectversion") and \
            tri_equals(req.actor.account or "", req.bucket.account) is True:
        return req.bucket.account
    if req.bucket.ownership == "BucketOwnerEnforced" or req.object is None:
        return req.bucket.account
    return req.object.owner_account


def acl_kinds(req: S3Request, acl: tuple[AclGrant, ...], bucket_level: bool) -> Kinds:
    """How the grants of one ACL match the caller for this action."""
    actor = req.actor
    action = req.action.lower()
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
            if actor.kind == "service" and (actor.service or "").lower() == "logging.s3.amazonaws.com":
                out["service"] = (True, None)
        elif grant.grantee == "AllUsers":
            out["acl_allusers"] = (True, None)
        elif grant.grantee == "AuthenticatedUsers":
            if actor.kind != "anonymous":
                out["acl_authusers"] = (True, None)
        elif grant.grantee == "account" and actor.account:
            r = tri_equals(grant.value, actor.account)
            if r is not False:
                out["acl_account"] = (r, None)
    return out


def acl_grants_caller(req: S3Request) -> Tri:
    """Whether a non-public ACL grant to the caller's account allows the request."""
    if req.actor.kind == "anonymous" or req.bucket.ownership == "BucketOwnerEnforced":
        return False
    if req.is_bucket_operation or req.creates_object:
        acl, bucket_level = req.bucket.acl, True
    elif req.object is not None:
        acl, bucket_level = req.object.acl, False
    else:
        return False
    got = acl_kinds(req, acl, bucket_level).get("acl_account")
    return got[0] if got is not None else False


def resource_grants(req: S3Request, bucket_target: Target, policy_grants_blocked: bool) -> Kinds:
    """Every way the bucket policy and the ACLs in force grant the caller this request.

    ``policy_grants_blocked``: RestrictPublicBuckets refused the public policy to this caller, so
    only its ACL grants count (access-model A4)."""
    bucket = req.bucket
    owner = owning_account(req)
    acls_on = bucket.ownership != "BucketOwnerEnforced"
    kinds: Kinds = {}

    def merge(more: Kinds) -> None:
        for k, (r, hit) in more.items():
            prev = kinds.get(k)
            if prev is None or (prev[0] is not True and r is not False):
                kinds[k] = (r if prev is None else tri_or(prev[0], r), hit or (prev[1] if prev else None))

    bucket_policy_kinds: Kinds = allow_kinds(bucket.policy, bucket_target) if bucket.policy_known \
        else {UNKNOWN_PRINCIPAL: (None, None)}
    if policy_grants_blocked:
        bucket_policy_kinds = {}
    if req.is_bucket_operation or req.creates_object:
        merge(bucket_policy_kinds)
        if acls_on:
            merge(acl_kinds(req, bucket.acl, True))
    elif owner == bucket.account:
        merge(bucket_policy_kinds)
        if acls_on and req.object is not None:
            merge(acl_kinds(req, req.object.acl, False))
    elif acls_on and req.object is not None:
        merge(acl_kinds(req, req.object.acl, False))
    if req.bpa.ignore_public_acls is True:
        kinds.pop("acl_allusers", None)
        kinds.pop("acl_authusers", None)
    return kinds

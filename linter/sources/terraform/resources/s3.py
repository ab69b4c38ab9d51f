"""S3 resources: buckets and their policies, ACLs, encryption, Block Public Access, ownership,
logging, requester pays, and access points."""

from __future__ import annotations

from typing import Any

from why403.model.acl import GROUP_GRANTEES, AclGrant, acl_permission
from why403.model.facts import (
    AccessPointFact,
    AccessPointPolicyFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RequesterPaysFact,
)
from why403.model.policy import PolicyKind
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader, policy_attachment
from why403.sources.terraform.tfvalues import Unk


def s3_bucket_policy(r: Reader, out: Emitter) -> None:
    named = read.text(r, out, "bucket")
    policy = read.policy(r, out, "policy", PolicyKind.BUCKET)
    if named is not None and policy is not None:
        out.fact(BucketPolicyFact(r.ref, r.location, named, policy, account=r.account))


def s3_bucket(r: Reader, out: Emitter) -> None:
    name = read.computed(r, out, "bucket")
    out.fact(BucketFact(r.ref, r.location, name, r.account, r.region))
    policy = read.optional_policy(r, out, "policy", PolicyKind.BUCKET)
    if policy is not None:
        out.fact(BucketPolicyFact(r.ref, read.loc(r, "policy"), name, policy))
    acl = read.text(r, out, "acl")
    grants = _acl_grants(r, out, r.blocks("grant"))
    if acl is not None or grants:
        out.fact(BucketAclFact(r.ref, read.loc(r, "acl") if acl else r.location, name, acl, tuple(grants)))
    sse = read.first_block(r, "server_side_encryption_configuration")
    if sse is not None:
        _encryption_rules(r, out, sse, name)
    logging = read.first_block(r, "logging")
    if logging is not None:
        target = read.text(logging, out, "target_bucket")
        if target is not None:
            prefix = read.text(logging, out, "target_prefix") or ""
            out.fact(BucketLoggingFact(r.ref, logging.location, name, target, prefix))
    payer = r.arg("request_payer")
    if isinstance(payer, str):
        out.fact(RequesterPaysFact(r.ref, read.loc(r, "request_payer"), name, payer == "Requester"))


def _encryption_rules(r: Reader, out: Emitter, config: Any, bucket: str) -> None:
    for rule in config.blocks("rule"):
        if isinstance(rule, Unk):
            continue
        default = read.first_block(rule, "apply_server_side_encryption_by_default")
        if default is None:
            continue
        algorithm = read.text(default, out, "sse_algorithm") or "AES256"
        key = read.text(default, out, "kms_master_key_id")
        bucket_key = read.flag(rule, "bucket_key_enabled", False)
        out.fact(BucketEncryptionFact(r.ref, rule.location, bucket, algorithm, key, bucket_key))
        return


def _acl_grants(r: Reader, out: Emitter, blocks: list[Any]) -> list[AclGrant]:
    grants: list[AclGrant] = []
    for g in blocks:
        if isinstance(g, Unk):
            continue
        perms = g.arg("permissions")
        perm_list = perms if isinstance(perms, list) else [g.arg("permission")]
        gtype = g.text("type")
        grantee = _grantee(g, gtype)
        if grantee is None:
            continue
        for perm in perm_list:
            permission = acl_permission(perm)
            if permission is not None:
                grants.append(AclGrant(grantee[0], permission, grantee[1]))
    return grants


def _grantee(g: Any, gtype: str | None) -> tuple[Any, str] | None:
    if gtype == "Group":
        uri = g.text("uri")
        group = GROUP_GRANTEES.get(uri or "")
        return (group, "") if group else None
    if gtype == "CanonicalUser":
        return ("canonical", g.text("id") or "")
    if gtype == "AmazonCustomerByEmail":
        return ("canonical", g.text("email_address") or g.text("email") or "")
    return None


def s3_bucket_acl(r: Reader, out: Emitter) -> None:
    bucket = read.text(r, out, "bucket")
    if bucket is None:
        return
    acl = read.text(r, out, "acl")
    grants: list[AclGrant] = []
    acp = read.first_block(r, "access_control_policy")
    if acp is not None:
        for grant in acp.blocks("grant"):
            if isinstance(grant, Unk):
                continue
            grantee_block = read.first_block(grant, "grantee")
            perm = grant.text("permission")
            if grantee_block is None or perm is None:
                continue
            grantee = _grantee(grantee_block, grantee_block.text("type"))
            permission = acl_permission(perm)
            if grantee is not None and permission is not None:
                grants.append(AclGrant(grantee[0], permission, grantee[1]))
    out.fact(BucketAclFact(r.ref, r.location, bucket, acl, tuple(grants)))


def s3_encryption(r: Reader, out: Emitter) -> None:
    bucket = read.text(r, out, "bucket")
    if bucket is not None:
        _encryption_rules(r, out, r, bucket)


def s3_public_access_block(r: Reader, out: Emitter) -> None:
    bucket = read.text(r, out, "bucket")
    if bucket is None:
        return
    out.fact(PublicAccessBlockFact(r.ref, r.location, bucket, r.account, *_bpa(r, False)))


def _bpa(r: Any, default: bool) -> tuple[bool | None, bool | None, bool | None, bool | None]:
    return (read.flag(r, "block_public_acls", default), read.flag(r, "ignore_public_acls", default),
            read.flag(r, "block_public_policy", default), read.flag(r, "restrict_public_buckets", default))


def s3_account_public_access_block(r: Reader, out: Emitter) -> None:
    account = read.text(r, out, "account_id") or r.account
    out.fact(PublicAccessBlockFact(r.ref, r.location, None, account, *_bpa(r, False)))


def s3_ownership(r: Reader, out: Emitter) -> None:
    bucket = read.text(r, out, "bucket")
    rule = read.first_block(r, "rule")
    if bucket is None or rule is None:
        return
    ownership = read.text(rule, out, "object_ownership")
    if ownership is not None:
        out.fact(OwnershipFact(r.ref, r.location, bucket, ownership))


def s3_logging(r: Reader, out: Emitter) -> None:
    bucket, target = read.text(r, out, "bucket"), read.text(r, out, "target_bucket")
    if bucket is not None and target is not None:
        out.fact(BucketLoggingFact(r.ref, r.location, bucket, target, read.text(r, out, "target_prefix") or ""))


def s3_request_payment(r: Reader, out: Emitter) -> None:
    bucket, payer = read.text(r, out, "bucket"), read.text(r, out, "payer")
    if bucket is not None and payer is not None:
        out.fact(RequesterPaysFact(r.ref, r.location, bucket, payer == "Requester"))


def s3_access_point(r: Reader, out: Emitter) -> None:
    name = read.text(r, out, "name")
    bucket = read.text(r, out, "bucket")
    if name is None or bucket is None:
        return
    account = read.text(r, out, "account_id") or r.account
    vpc = read.first_block(r, "vpc_configuration")
    bpa_block = read.first_block(r, "public_access_block_configuration")
    flags = _bpa(bpa_block, True) if bpa_block is not None else (True, True, True, True)
    out.fact(AccessPointFact(r.ref, r.location, name, bucket, account, r.region,
                             read.optional_policy(r, out, "policy", PolicyKind.ACCESS_POINT),
                             read.text(vpc, out, "vpc_id") if vpc is not None else None, *flags))


S3_HANDLERS: dict[str, Handler] = {
    "aws_s3_bucket": s3_bucket,
    "aws_s3_bucket_policy": s3_bucket_policy,
    "aws_s3_bucket_server_side_encryption_configuration": s3_encryption,
    "aws_s3_bucket_public_access_block": s3_public_access_block,
    "aws_s3_account_public_access_block": s3_account_public_access_block,
    "aws_s3_bucket_ownership_controls": s3_ownership,
    "aws_s3_bucket_acl": s3_bucket_acl,
    "aws_s3_bucket_logging": s3_logging,
    "aws_s3_bucket_request_payment_configuration": s3_request_payment,
    "aws_s3_access_point": s3_access_point,
    "aws_s3control_access_point_policy": policy_attachment("access_point_arn", PolicyKind.ACCESS_POINT,
                                                           AccessPointPolicyFact),
}

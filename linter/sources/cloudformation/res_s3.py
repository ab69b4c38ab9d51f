"""S3 resources. A bucket's nested settings become the same separate facts Terraform's resources give."""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.model.facts import (
    AccessPointFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
)
from why403.model.policy import PolicyKind
from why403.model.values import MaybePresent, Unknown
from why403.sources.cloudformation.context import Ctx, Resource, as_bool
from why403.sources.cloudformation.nodes import NOVALUE, text

# CloudFormation's AccessControl values and the canned ACL names S3 uses for them.
CANNED_ACLS = {
    "Private": "private",
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
    "LogDeliveryWrite": "log-delivery-write",
    "BucketOwnerRead": "bucket-owner-read",
    "BucketOwnerFullControl": "bucket-owner-full-control",
    "AwsExecRead": "aws-exec-read",
}
_BPA_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _first(v: Any) -> Any:
    """The first element of a resolved list; Unknown when it is conditional or unknown."""
    if isinstance(v, list) and v:
        head = v[0]
        return Unknown(head.reason) if isinstance(head, MaybePresent) else head
    if isinstance(v, Unknown):
        return v
    return NOVALUE


def _bpa(v: Any, default_missing: bool) -> tuple[bool | None, ...]:
    """The four flags of a PublicAccessBlockConfiguration (a flag left out is false)."""
    if isinstance(v, dict):
        return tuple(as_bool(v.get(k, NOVALUE), False) for k in _BPA_KEYS)
    if v is NOVALUE:
        return (default_missing,) * 4
    return (None,) * 4


def bucket(ctx: Ctx, res: Resource) -> None:
    name = ctx.r.naming.ref(res.lid)
    ctx.facts.append(BucketFact(res.lid, ctx.at(res), name=name, account=ctx.account, region=ctx.region))
    _encryption(ctx, res, name)
    pab = ctx.value(res, "PublicAccessBlockConfiguration")
    if pab is not NOVALUE:
        flags = _bpa(pab, False)
        ctx.facts.append(PublicAccessBlockFact(
            res.lid, ctx.key_loc(res, "PublicAccessBlockConfiguration"), bucket=name, account=ctx.account,
            block_public_acls=flags[0], ignore_public_acls=flags[1], block_public_policy=flags[2],
            restrict_public_buckets=flags[3]))
    own = ctx.value(res, "OwnershipControls")
    if own is not NOVALUE:
        rule = _first(own.get("Rules", NOVALUE)) if isinstance(own, dict) else own
        value = rule.get("ObjectOwnership", NOVALUE) if isinstance(rule, dict) else rule
        if value is not NOVALUE:
            ctx.facts.append(OwnershipFact(res.lid, ctx.key_loc(res, "OwnershipControls"), bucket=name,
                                           ownership=text(value, f"{res.lid}.ObjectOwnership")))
    acl = ctx.value(res, "AccessControl")
    if acl is not NOVALUE:
        canned = CANNED_ACLS.get(acl) if isinstance(acl, str) else None
        ctx.facts.append(BucketAclFact(res.lid, ctx.key_loc(res, "AccessControl"), bucket=name,
                                       canned=canned or text(acl, f"{res.lid}.AccessControl")))
    log = ctx.value(res, "LoggingConfiguration")
    if isinstance(log, dict):
        # Without DestinationBucketName, S3 delivers the logs into the bucket itself.
        target = log.get("DestinationBucketName", NOVALUE)
        prefix = log.get("LogFilePrefix", NOVALUE)
        ctx.facts.append(BucketLoggingFact(
            res.lid, ctx.key_loc(res, "LoggingConfiguration"), bucket=name,
            target_bucket=name if target is NOVALUE else text(target, f"{res.lid}.DestinationBucketName"),
            target_prefix="" if prefix is NOVALUE else text(prefix, f"{res.lid}.LogFilePrefix")))
    elif isinstance(log, Unknown):
        ctx.facts.append(BucketLoggingFact(res.lid, ctx.key_loc(res, "LoggingConfiguration"), bucket=name,
                                           target_bucket=symbols.unknown(f"{res.lid}.LoggingConfiguration"),
                                           target_prefix=symbols.unknown(f"{res.lid}.LogFilePrefix")))


def _encryption(ctx: Ctx, res: Resource, name: str) -> None:
    enc = ctx.value(res, "BucketEncryption")
    if enc is NOVALUE:
        return
    where = ctx.key_loc(res, "BucketEncryption")
    rule = _first(enc.get("ServerSideEncryptionConfiguration", NOVALUE)) if isinstance(enc, dict) else enc
    if not isinstance(rule, dict):
        if rule is not NOVALUE:
            ctx.facts.append(BucketEncryptionFact(res.lid, where, bucket=name,
                                                  algorithm=symbols.unknown(f"{res.lid}.SSEAlgorithm"),
                                                  key=None, bucket_key=None))
        return
    default = rule.get("ServerSideEncryptionByDefault", NOVALUE)
    if isinstance(default, dict):
        alg = default.get("SSEAlgorithm", NOVALUE)
        key = default.get("KMSMasterKeyID", NOVALUE)
        algorithm = "AES256" if alg is NOVALUE else text(alg, f"{res.lid}.SSEAlgorithm")
        key_text = None if key is NOVALUE else text(key, f"{res.lid}.KMSMasterKeyID")
    elif default is NOVALUE:
        return
    else:
        algorithm, key_text = symbols.unknown(f"{res.lid}.SSEAlgorithm"), None
    ctx.facts.append(BucketEncryptionFact(res.lid, where, bucket=name, algorithm=algorithm, key=key_text,
                                          bucket_key=as_bool(rule.get("BucketKeyEnabled", NOVALUE), False)))


def bucket_policy(ctx: Ctx, res: Resource) -> None:
    bucket_name = ctx.text(res, "Bucket") or symbols.unknown(f"{res.lid}.Bucket")
    policy = ctx.policy(res, res.props.get("PolicyDocument"), PolicyKind.BUCKET, res.lid,
                        res.props.key_line("PolicyDocument"))
    ctx.facts.append(BucketPolicyFact(res.lid, ctx.at(res), bucket=bucket_name, policy=policy, account=ctx.account))


def access_point(ctx: Ctx, res: Resource) -> None:
    name = ctx.r.naming.ref(res.lid)
    bucket_name = ctx.text(res, "Bucket") or symbols.unknown(f"{res.lid}.Bucket")
    policy = ctx.optional_policy(res, "Policy", PolicyKind.ACCESS_POINT, res.lid)
    vpc = ctx.value(res, "VpcConfiguration")
    vpc_id = None
    if isinstance(vpc, dict) and vpc.get("VpcId", NOVALUE) is not NOVALUE:
        vpc_id = text(vpc["VpcId"], f"{res.lid}.VpcId")
    elif isinstance(vpc, Unknown):
        vpc_id = symbols.unknown(f"{res.lid}.VpcId")
    # An access point without the block gets all four settings on, as S3 does.
    flags = _bpa(ctx.value(res, "PublicAccessBlockConfiguration"), True)
    ctx.facts.append(AccessPointFact(
        res.lid, ctx.at(res), name=name, bucket=bucket_name, account=ctx.account, region=ctx.region,
        policy=policy, vpc_id=vpc_id, block_public_acls=flags[0], ignore_public_acls=flags[1],
        block_public_policy=flags[2], restrict_public_buckets=flags[3]))

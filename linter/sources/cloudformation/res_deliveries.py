"""Resources that make an AWS service act on a bucket (trails, flow logs, load balancer access logs,
Config delivery channels, CloudFront origins with an origin access control, Firehose streams): the
same :class:`ServiceDeliveryFact` the Terraform frontend gives for them."""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.model.arn import bucket_of_s3_domain, split_s3_arn
from why403.model.facts import ServiceDeliveryFact, ServiceRoleFact
from why403.sources.cloudformation.context import Ctx, Resource, as_bool
from why403.sources.cloudformation.nodes import NOVALUE, text
from why403.sources.deliveries import delivered_prefix


def _emit(ctx: Ctx, res: Resource, where: str, service: str, bucket: str | None, prefix: str | None,
          source_arn: str, key: str | None = None, role: str | None = None) -> None:
    if bucket:
        ctx.facts.append(ServiceDeliveryFact(res.lid, ctx.key_loc(res, where), service, bucket,
                                             delivered_prefix(service, ctx.account, prefix), source_arn, ctx.account,
                                             key, role))


def _named_delivery(ctx: Ctx, res: Resource, service: str, name_prop: str, arn_format: str, key_prop: str) -> None:
    """A trail or a delivery channel: named by ``name_prop`` (a generated name when unset), writing
    to ``S3BucketName`` under ``S3KeyPrefix``; ``arn_format`` places the name in its ARN."""
    name = ctx.text(res, name_prop) or symbols.opaque(f"{res.lid}.{name_prop}")
    arn = arn_format.format(partition=ctx.r.partition, region=ctx.region, account=ctx.account, name=name)
    _emit(ctx, res, "S3BucketName", service, ctx.text(res, "S3BucketName"), ctx.text(res, "S3KeyPrefix"), arn,
          ctx.text(res, key_prop))


def _sub(value: Any, label: str) -> str | None:
    return None if value is NOVALUE or value is None else text(value, label)


def trail(ctx: Ctx, res: Resource) -> None:
    _named_delivery(ctx, res, "cloudtrail", "TrailName", "arn:{partition}:cloudtrail:{region}:{account}:trail/{name}",
                    "KMSKeyId")


def flow_log(ctx: Ctx, res: Resource) -> None:
    if (ctx.text(res, "LogDestinationType") or "cloud-watch-logs") != "s3":
        return
    destination = ctx.text(res, "LogDestination")
    parsed = split_s3_arn(destination or "")
    if parsed is None:
        return
    prefix = (parsed[1] or "").lstrip("/")
    source = f"arn:{ctx.r.partition}:logs:{ctx.region}:{ctx.account}:*"
    _emit(ctx, res, "LogDestination", "log-delivery", parsed[0], prefix, source)


def load_balancer(ctx: Ctx, res: Resource) -> None:
    attributes = ctx.value(res, "LoadBalancerAttributes")
    if not isinstance(attributes, list):
        return
    settings: dict[str, Any] = {}
    for item in attributes:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            settings[item["Key"]] = item.get("Value", NOVALUE)
    if as_bool(settings.get("access_logs.s3.enabled", NOVALUE), False) is not True:
        return
    bucket = _sub(settings.get("access_logs.s3.bucket", NOVALUE), f"{res.lid}.access_logs.s3.bucket")
    prefix = _sub(settings.get("access_logs.s3.prefix", NOVALUE), f"{res.lid}.access_logs.s3.prefix")
    arn = symbols.opaque(f"{res.lid}.LoadBalancerArn")
    _emit(ctx, res, "LoadBalancerAttributes", "elb-access-logs", bucket, prefix, arn)


def config_delivery_channel(ctx: Ctx, res: Resource) -> None:
    _named_delivery(ctx, res, "config", "Name", "arn:{partition}:config:{region}:{account}:delivery-channel/{name}",
                    "S3KmsKeyArn")


def config_recorder(ctx: Ctx, res: Resource) -> None:
    role = ctx.text(res, "RoleARN")
    if role is not None:
        ctx.facts.append(ServiceRoleFact(res.lid, ctx.key_loc(res, "RoleARN"), "config", role, ctx.account))


def distribution(ctx: Ctx, res: Resource) -> None:
    config = ctx.value(res, "DistributionConfig")
    origins = config.get("Origins") if isinstance(config, dict) else None
    if not isinstance(origins, list):
        return
    arn = f"arn:{ctx.r.partition}:cloudfront::{ctx.account}:distribution/{symbols.opaque(f'{res.lid}.Id')}"
    for origin in origins:
        if not isinstance(origin, dict) or origin.get("OriginAccessControlId", NOVALUE) is NOVALUE:
            continue
        domain = _sub(origin.get("DomainName", NOVALUE), f"{res.lid}.DomainName")
        target = bucket_of_s3_domain(domain or "")
        if target is not None:
            path = _sub(origin.get("OriginPath", NOVALUE), f"{res.lid}.OriginPath") or ""
            _emit(ctx, res, "DistributionConfig", "cloudfront-oac", target, path, arn)


def firehose(ctx: Ctx, res: Resource) -> None:
    for prop in ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration"):
        config = ctx.value(res, prop)
        if not isinstance(config, dict):
            continue
        destination = _sub(config.get("BucketARN", NOVALUE), f"{res.lid}.BucketARN")
        role = _sub(config.get("RoleARN", NOVALUE), f"{res.lid}.RoleARN")
        parsed = split_s3_arn(destination or "")
        if parsed is None or role is None:
            continue
        encryption = config.get("EncryptionConfiguration")
        kms = encryption.get("KMSEncryptionConfig") if isinstance(encryption, dict) else None
        key = _sub(kms.get("AWSKMSKeyARN", NOVALUE), f"{res.lid}.AWSKMSKeyARN") if isinstance(kms, dict) else None
        prefix = _sub(config.get("Prefix", NOVALUE), f"{res.lid}.Prefix") or ""
        stream = symbols.opaque(f"{res.lid}.Name")
        arn = f"arn:{ctx.r.partition}:firehose:{ctx.region}:{ctx.account}:deliverystream/{stream}"
        _emit(ctx, res, "DeliveryStreamType", "firehose", parsed[0], prefix, arn, key, role)
        return


HANDLERS = {
    "AWS::CloudTrail::Trail": trail,
    "AWS::EC2::FlowLog": flow_log,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": load_balancer,
    "AWS::Config::DeliveryChannel": config_delivery_channel,
    "AWS::Config::ConfigurationRecorder": config_recorder,
    "AWS::CloudFront::Distribution": distribution,
    "AWS::KinesisFirehose::DeliveryStream": firehose,
}

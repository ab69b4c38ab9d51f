"""Resources that make an AWS service act on a bucket: trails, flow logs, load balancer access logs,
GuardDuty publishing destinations, Config delivery channels, CloudFront origins with an origin
access control, Firehose streams. Each becomes a :class:`ServiceDeliveryFact` naming the service
(its entry in ``data/services.json``), the bucket and prefix, and the resource's ARN and account
(the ``aws:SourceArn`` and ``aws:SourceAccount`` the service sends)."""

from __future__ import annotations

from typing import Any

from why403.model.arn import bucket_of_s3_domain, partition_of, regional, split_s3_arn
from why403.model.facts import ServiceDeliveryFact, ServiceRoleFact
from why403.sources.deliveries import delivered_prefix
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader


def _bucket_and_prefix(arn_or_name: str) -> tuple[str, str]:
    parsed = split_s3_arn(arn_or_name)
    if parsed is None:
        return arn_or_name, ""
    bucket, key = parsed
    return bucket, (key or "").lstrip("/")


def _s3_destination(r: Reader, out: Emitter, type_attr: str, default_type: str, s3_type: str,
                    attr: str) -> tuple[str, str] | None:
    """The bucket and prefix of a resource whose ``type_attr`` chooses S3 among destinations
    (``attr`` holds the bucket's ARN, with a prefix); None when it sends elsewhere or says not where."""
    if (read.text(r, out, type_attr) or default_type) != s3_type:
        return None
    destination = read.text(r, out, attr)
    return None if destination is None else _bucket_and_prefix(destination)


def _emit(r: Reader, out: Emitter, service: str, bucket: str | None, prefix: str | None, source_arn: str,
          key: str | None = None, role: str | None = None, where: str | None = None) -> None:
    if bucket:
        out.fact(ServiceDeliveryFact(r.ref, read.loc(r, where), service, bucket,
                                     delivered_prefix(service, r.account, prefix), source_arn, r.account, key, role))


def cloudtrail(r: Reader, out: Emitter) -> None:
    name = read.text(r, out, "name") or read.computed(r, out, "name")
    arn = regional("cloudtrail", r.region, r.account, f"trail/{name}", partition_of(r.region))
    prefix = read.text(r, out, "s3_key_prefix")
    key = read.text(r, out, "kms_key_id")
    bucket = read.text(r, out, "s3_bucket_name")
    _emit(r, out, "cloudtrail", bucket, prefix, arn, key, where="s3_bucket_name")


def flow_log(r: Reader, out: Emitter) -> None:
    destination = _s3_destination(r, out, "log_destination_type", "cloud-watch-logs", "s3", "log_destination")
    if destination is not None:
        arn = regional("logs", r.region, r.account, "*", partition_of(r.region))
        _emit(r, out, "log-delivery", *destination, arn, where="log_destination")


def load_balancer(r: Reader, out: Emitter) -> None:
    logs = read.first_block(r, "access_logs")
    if logs is None or read.flag(logs, "enabled", True) is False:
        return
    bucket = read.text(logs, out, "bucket")
    prefix = read.text(logs, out, "prefix")
    arn = read.computed(r, out, "arn")
    _emit(r, out, "elb-access-logs", bucket, prefix, arn, where="access_logs")


def guardduty_destination(r: Reader, out: Emitter) -> None:
    destination = _s3_destination(r, out, "destination_type", "S3", "S3", "destination_arn")
    if destination is None:
        return
    bucket, prefix = destination
    detector = read.text(r, out, "detector_id") or read.computed(r, out, "detector_id")
    arn = regional("guardduty", r.region, r.account, f"detector/{detector}", partition_of(r.region))
    _emit(r, out, "guardduty", bucket, prefix, arn, read.text(r, out, "kms_key_arn"), where="destination_arn")


def config_delivery_channel(r: Reader, out: Emitter) -> None:
    bucket = read.text(r, out, "s3_bucket_name")
    prefix = read.text(r, out, "s3_key_prefix")
    channel = read.text(r, out, "name") or "default"
    arn = regional("config", r.region, r.account, f"delivery-channel/{channel}", partition_of(r.region))
    _emit(r, out, "config", bucket, prefix, arn, read.text(r, out, "s3_kms_key_arn"), where="s3_bucket_name")


def config_recorder(r: Reader, out: Emitter) -> None:
    role = read.text(r, out, "role_arn")
    if role is not None:
        out.fact(ServiceRoleFact(r.ref, read.loc(r, "role_arn"), "config", role, r.account))


def cloudfront_distribution(r: Reader, out: Emitter) -> None:
    arn = read.computed(r, out, "arn")
    for origin in r.blocks("origin"):
        if not hasattr(origin, "arg") or read.text(origin, out, "origin_access_control_id") is None:
            continue
        domain = read.text(origin, out, "domain_name")
        target = bucket_of_s3_domain(domain or "")
        if target is not None:
            _emit(r, out, "cloudfront-oac", target, read.text(origin, out, "origin_path") or "", arn)


def firehose(r: Reader, out: Emitter) -> None:
    config: Any = read.first_block(r, "extended_s3_configuration") or read.first_block(r, "s3_configuration")
    if config is None:
        return
    destination = read.text(config, out, "bucket_arn")
    role = read.text(config, out, "role_arn")
    if destination is None or role is None:
        return
    bucket, _ = _bucket_and_prefix(destination)
    _emit(r, out, "firehose", bucket, read.text(config, out, "prefix") or "", read.computed(r, out, "arn"),
          read.text(config, out, "kms_key_arn"), role)


DELIVERY_HANDLERS: dict[str, Handler] = {
    "aws_cloudtrail": cloudtrail,
    "aws_flow_log": flow_log,
    "aws_lb": load_balancer,
    "aws_alb": load_balancer,
    "aws_guardduty_publishing_destination": guardduty_destination,
    "aws_config_delivery_channel": config_delivery_channel,
    "aws_config_configuration_recorder": config_recorder,
    "aws_cloudfront_distribution": cloudfront_distribution,
    "aws_kinesis_firehose_delivery_stream": firehose,
}

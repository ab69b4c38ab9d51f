"""Attributes AWS computes (``arn``, ``id``, ``unique_id``, ``key_id``...) as linked values.

A reference such as ``aws_s3_bucket.data.arn`` must give the same string wherever it is written,
even when the bucket's name is generated, so that the bucket policy, the role policy and the
bucket itself agree. These are the token conventions shared with the CloudFormation frontend
(see the facts module docstring): names the user sets are literal, generated names and ids are
``opaque(f"{ref}.<attr>")``, and ARNs are assembled the way AWS formats them from the provider's
account and region. The same functions serve plan JSON, for values unknown until apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from why403.model import arn, symbols
from why403.model.arn import partition_of
from why403.sources.terraform.tfvalues import ABSENT, ObjVal, Unk


class Instance(Protocol):
    ref: str
    rtype: str

    @property
    def account(self) -> str: ...

    @property
    def region(self) -> str: ...

    def arg(self, name: str) -> Any: ...

    def text(self, name: str) -> str | None: ...


Computer = Callable[[Instance], Any]


def generated_name(inst: Instance, attr: str = "name", prefix_attr: str = "name_prefix") -> str:
    """A name the user sets, or prefix + opaque, or opaque (Terraform generates a unique one).

    ``""`` is no name: the provider generates one when the configured name is empty (its name
    generator takes the name only if it is not ""), as modules rely on with ``default = ""``."""
    name = inst.text(attr)
    if name:
        return name
    prefix = inst.text(prefix_attr)
    token = symbols.opaque(f"{inst.ref}.{attr}")
    return (prefix or "") + token


def _path(inst: Instance) -> str:
    path = inst.text("path")
    return path if path else "/"


def _iam_arn(kind: str, name_attr: str = "name") -> Callable[[Instance], str]:
    def build(inst: Instance) -> str:
        name = generated_name(inst, name_attr)
        return arn.iam_entity(inst.account, kind, name, _path(inst), partition_of(inst.region))

    return build


def bucket_name(inst: Instance) -> str:
    return generated_name(inst, "bucket", "bucket_prefix")


def key_id(inst: Instance) -> str:
    return symbols.opaque(f"{inst.ref}.key_id")


def regional_arn(inst: Instance, service: str, resource: str) -> str:
    """The ARN of a resource of ``service`` in the instance's region and account."""
    return arn.regional(service, inst.region, inst.account, resource, partition_of(inst.region))


def kms_arn(inst: Instance) -> str:
    return arn.kms_key(inst.region, inst.account, key_id(inst), partition_of(inst.region))


def opaque_id(inst: Instance) -> str:
    return symbols.opaque(f"{inst.ref}.id")


def _regional_arn(service: str, resource: Callable[[Instance], str]) -> Callable[[Instance], str]:
    def build(inst: Instance) -> str:
        return regional_arn(inst, service, resource(inst))

    return build


def _ec2_arn(kind: str) -> Callable[[Instance], str]:
    return _regional_arn("ec2", lambda i: f"{kind}/{opaque_id(i)}")


def _task_revision(inst: Instance) -> str:
    return symbols.opaque(f"{inst.ref}.revision")


def _alias_target_arn(inst: Instance) -> str | None:
    target = inst.text("target_key_id")
    if target is None:
        return None
    return target if target.startswith("arn:") else arn.kms_key(inst.region, inst.account, target,
                                                                 partition_of(inst.region))


def _access_point_arn(inst: Instance) -> str:
    name = inst.text("name") or symbols.opaque(f"{inst.ref}.name")
    return arn.s3_access_point(inst.region, inst.text("account_id") or inst.account, name, partition_of(inst.region))


def _org_roots(inst: Instance) -> list[Any]:
    rid = symbols.opaque(f"{inst.ref}.roots[0].id")
    return [ObjVal({"id": rid, "name": "Root",
                    "arn": symbols.opaque(f"{inst.ref}.roots[0].arn"), "policy_types": []})]


def _iam_entity(kind: str) -> dict[str, Computer]:
    """Roles, users, groups and instance profiles: a name (set or generated) that is also the
    id, an ARN under their path, and a unique id AWS assigns."""
    return {
        "name": generated_name,
        "id": generated_name,
        "arn": _iam_arn(kind),
        "unique_id": lambda i: symbols.opaque(f"{i.ref}.unique_id"),
        "path": _path,
    }


def _role_policy_id(kind: str) -> Callable[[Instance], str]:
    def run(inst: Instance) -> str:
        return f"{inst.text(kind) or symbols.opaque(inst.ref + '.' + kind)}:{generated_name(inst)}"

    return run


_S3_BUCKET: dict[str, Computer] = {
    "bucket": bucket_name,
    "id": bucket_name,
    "arn": lambda i: arn.s3_bucket(bucket_name(i), partition_of(i.region)),
    "bucket_domain_name": lambda i: f"{bucket_name(i)}.s3.amazonaws.com",
    "bucket_regional_domain_name": lambda i: f"{bucket_name(i)}.s3.{i.region}.amazonaws.com",
    "region": lambda i: i.region,
}

_BUCKET_CHILD: dict[str, Computer] = {"id": lambda i: i.text("bucket") or opaque_id(i)}

COMPUTED: dict[str, dict[str, Computer]] = {
    "aws_s3_bucket": _S3_BUCKET,
    "aws_s3_bucket_policy": _BUCKET_CHILD,
    "aws_s3_bucket_public_access_block": _BUCKET_CHILD,
    "aws_s3_bucket_ownership_controls": _BUCKET_CHILD,
    "aws_s3_bucket_server_side_encryption_configuration": _BUCKET_CHILD,
    "aws_s3_bucket_versioning": _BUCKET_CHILD,
    "aws_s3_bucket_logging": _BUCKET_CHILD,
    "aws_s3_access_point": {
        "arn": _access_point_arn,
        "id": lambda i: f"{i.text('account_id') or i.account}:{i.text('name')}",
        "alias": lambda i: symbols.opaque(f"{i.ref}.alias"),
    },
    "aws_kms_key": {"key_id": key_id, "id": key_id, "arn": kms_arn},
    "aws_kms_replica_key": {"key_id": key_id, "id": key_id, "arn": kms_arn},
    "aws_kms_alias": {
        "id": lambda i: i.text("name") or symbols.opaque(f"{i.ref}.name"),
        "name": lambda i: generated_name(i),
        "arn": _regional_arn("kms", generated_name),
        "target_key_arn": _alias_target_arn,
    },
    "aws_kms_grant": {"grant_id": lambda i: symbols.opaque(f"{i.ref}.grant_id")},
    "aws_iam_role": _iam_entity("role"),
    "aws_iam_user": _iam_entity("user"),
    "aws_iam_group": _iam_entity("group"),
    "aws_iam_policy": {
        "name": generated_name,
        "arn": _iam_arn("policy"),
        "id": _iam_arn("policy"),
        "policy_id": lambda i: symbols.opaque(f"{i.ref}.policy_id"),
        "path": _path,
    },
    "aws_iam_instance_profile": _iam_entity("instance-profile"),
    "aws_iam_role_policy": {"name": generated_name, "id": _role_policy_id("role")},
    "aws_iam_user_policy": {"name": generated_name, "id": _role_policy_id("user")},
    "aws_iam_group_policy": {"name": generated_name, "id": _role_policy_id("group")},
    "aws_vpc_endpoint": {"id": opaque_id, "arn": _ec2_arn("vpc-endpoint")},
    "aws_vpc": {
        "id": opaque_id,
        "arn": _ec2_arn("vpc"),
        "default_route_table_id": lambda i: symbols.opaque(f"{i.ref}.default_route_table_id"),
        "main_route_table_id": lambda i: symbols.opaque(f"{i.ref}.main_route_table_id"),
        "default_security_group_id": lambda i: symbols.opaque(f"{i.ref}.default_security_group_id"),
        "owner_id": lambda i: i.account,
    },
    "aws_subnet": {"id": opaque_id, "arn": _ec2_arn("subnet"), "owner_id": lambda i: i.account},
    "aws_route_table": {"id": opaque_id, "arn": _ec2_arn("route-table"), "owner_id": lambda i: i.account},
    "aws_security_group": {"id": opaque_id, "arn": _ec2_arn("security-group"), "owner_id": lambda i: i.account},
    "aws_instance": {"id": opaque_id, "arn": _ec2_arn("instance")},
    "aws_launch_template": {"id": opaque_id, "arn": _ec2_arn("launch-template")},
    "aws_lambda_function": {
        "id": lambda i: i.text("function_name") or opaque_id(i),
        "arn": _regional_arn("lambda", lambda i: f"function:{i.text('function_name')}"),
    },
    "aws_ecs_cluster": {
        "arn": _regional_arn("ecs", lambda i: f"cluster/{i.text('name')}"),
        "id": _regional_arn("ecs", lambda i: f"cluster/{i.text('name')}"),
    },
    "aws_ecs_task_definition": {
        "revision": _task_revision,
        "id": lambda i: i.text("family") or opaque_id(i),
        "arn": _regional_arn("ecs", lambda i: f"task-definition/{i.text('family')}:{_task_revision(i)}"),
        "arn_without_revision": _regional_arn("ecs", lambda i: f"task-definition/{i.text('family')}"),
    },
    "aws_sns_topic": {
        "arn": _regional_arn("sns", lambda i: generated_name(i)),
        "id": _regional_arn("sns", lambda i: generated_name(i)),
        "name": generated_name,
    },
    "aws_sqs_queue": {
        "arn": _regional_arn("sqs", lambda i: generated_name(i)),
        "name": generated_name,
        "url": lambda i: f"https://sqs.{i.region}.amazonaws.com/{i.account}/{generated_name(i)}",
        "id": lambda i: f"https://sqs.{i.region}.amazonaws.com/{i.account}/{generated_name(i)}",
    },
    "aws_cloudtrail": {"arn": _regional_arn("cloudtrail", lambda i: f"trail/{i.text('name')}")},
    # The detector's ARN is built from its id, as GuardDuty's aws:SourceArn is: a bucket policy that
    # says aws_guardduty_detector.main.arn names the detector its publishing destination acts for.
    "aws_guardduty_detector": {
        "id": opaque_id,
        "arn": _regional_arn("guardduty", lambda i: f"detector/{opaque_id(i)}"),
    },
    "aws_cloudfront_distribution": {
        "id": opaque_id,
        # CloudFront is global: no Region in the ARN (the aws:SourceArn of origin access control).
        "arn": lambda i: f"arn:{partition_of(i.region)}:cloudfront::{i.account}:distribution/{opaque_id(i)}",
    },
    "aws_organizations_organization": {
        "id": opaque_id,
        "roots": _org_roots,
        "master_account_id": lambda i: i.account,
    },
    "aws_organizations_policy": {"id": opaque_id},
    "aws_organizations_organizational_unit": {"id": opaque_id},
    "aws_organizations_account": {"id": opaque_id},
}

# Attributes that, for any resource type, AWS generates uniquely for the resource.
_GENERIC_OPAQUE = {"id", "arn"}


def computed(inst: Instance, attr: str) -> Any:
    """The value AWS computes for ``attr`` of the instance, or ``ABSENT`` when it is not one of
    the conventions (the caller then uses the configuration, else unknown)."""
    table = COMPUTED.get(inst.rtype)
    if table is not None and attr in table:
        value = table[attr](inst)
        return ABSENT if value is None else value
    return ABSENT


def fallback(inst: Instance, attr: str) -> Any:
    """An attribute neither configured nor computed by the conventions."""
    if attr in _GENERIC_OPAQUE:
        return symbols.opaque(f"{inst.ref}.{attr}")
    return Unk(f"{inst.ref}.{attr}", f"{inst.ref}.{attr} is known only after apply",
               type="string" if attr.endswith(("_id", "_arn", "name")) else None)

"""What ``Ref`` and ``Fn::GetAtt`` return for each resource type.

Names and ARNs follow the conventions shared with the Terraform frontend, so that an ARN built
from a CloudFormation bucket and one written in Terraform compare equal: a name the template sets
is used as is, a name AWS generates is an opaque token unique to the resource, and the account
and region are the home ones. Types not listed here give unknown tokens (the frontend does not
guess the shape of ARNs it does not know).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.model import arn, symbols
from why403.sources.cloudformation.nodes import NOVALUE, text

if TYPE_CHECKING:
    from why403.sources.cloudformation.intrinsics import Resolver

Attrs = dict[str, str]


class Naming:
    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver
        self._memo: dict[str, tuple[Attrs, frozenset[str]]] = {}
        self._active: set[str] = set()

    def attrs(self, lid: str) -> Attrs:
        memo = self._memo.get(lid)
        if memo is not None:
            self.r.touched |= memo[1]
            return memo[0]
        if lid in self._active:
            return {}
        res = self.r.resources.get(lid)
        rtype = res.get("Type") if isinstance(res, dict) else None
        builder = _TYPES.get(rtype) if isinstance(rtype, str) else None
        if builder is None:
            attrs: Attrs = {}
            seen: set[str] = set()
        else:
            self._active.add(lid)
            try:
                with self.r.tracking() as seen:
                    assert isinstance(res, dict)
                    props = res.get("Properties")
                    attrs = builder(_Ctx(self.r, lid, props if isinstance(props, dict) else {}))
            finally:
                self._active.discard(lid)
        self._memo[lid] = (attrs, frozenset(seen))
        return attrs

    def ref(self, lid: str) -> str:
        return self.attrs(lid).get("Ref") or symbols.unknown(f"Ref {lid}")

    def getatt(self, lid: str, attr: str) -> str:
        return self.attrs(lid).get(attr) or symbols.unknown(f"{lid}.{attr}")


class _Ctx:
    """One resource being named: its properties, resolved on demand."""

    def __init__(self, r: Resolver, lid: str, props: dict[str, Any]) -> None:
        self.r, self.lid, self.props = r, lid, props
        self.account, self.region = r.account, r.region
        self.partition = r.partition

    def arn(self, service: str, resource: str) -> str:
        """The ARN of a resource of ``service`` in the stack's region and account."""
        return arn.regional(service, self.region, self.account, resource, self.partition)

    def iam_arn(self, kind: str, name: str) -> str:
        """The ARN of an IAM entity of this resource's ``Path``."""
        return arn.iam_entity(self.account, kind, name, self.path(), self.partition)

    def prop(self, key: str) -> str | None:
        """A string property, None when absent; an unknown token when the template leaves it open."""
        if key not in self.props:
            return None
        v = self.r.value(self.props[key])
        if v is NOVALUE:
            return None
        return text(v, f"{self.lid}.{key}")

    def name(self, key: str, suffix: str = "name") -> str:
        return self.prop(key) or symbols.opaque(f"{self.lid}.{suffix}")

    def path(self) -> str:
        return self.prop("Path") or "/"

    def id(self) -> str:
        return symbols.opaque(f"{self.lid}.id")


def _bucket(c: _Ctx) -> Attrs:
    name = c.name("BucketName", "bucket")
    return {
        "Ref": name,
        "Arn": arn.s3_bucket(name, c.partition),
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{c.region}.amazonaws.com",
        "DualStackDomainName": f"{name}.s3.dualstack.{c.region}.amazonaws.com",
    }


def _access_point(c: _Ctx) -> Attrs:
    name = c.name("Name")
    return {"Ref": name, "Name": name, "Arn": arn.s3_access_point(c.region, c.account, name, c.partition),
            "Alias": symbols.opaque(f"{c.lid}.alias")}


def _key(c: _Ctx) -> Attrs:
    key_id = symbols.opaque(f"{c.lid}.key_id")
    return {"Ref": key_id, "KeyId": key_id, "Arn": arn.kms_key(c.region, c.account, key_id, c.partition)}


def _alias(c: _Ctx) -> Attrs:
    name = c.prop("AliasName")
    return {"Ref": name} if name else {}


def _iam(kind: str) -> Callable[[_Ctx], Attrs]:
    key = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]

    def build(c: _Ctx) -> Attrs:
        name = c.name(key)
        out = {"Ref": name, "Arn": c.iam_arn(kind, name)}
        if kind == "role":
            out["RoleId"] = symbols.opaque(f"{c.lid}.unique_id")
        if kind == "group":
            out["GroupId"] = symbols.opaque(f"{c.lid}.unique_id")
        return out

    return build


def _managed_policy(c: _Ctx) -> Attrs:
    name = c.name("ManagedPolicyName")
    policy = c.iam_arn("policy", name)
    return {"Ref": policy, "PolicyArn": policy, "PolicyId": symbols.opaque(f"{c.lid}.policy_id")}


def _instance_profile(c: _Ctx) -> Attrs:
    name = c.name("InstanceProfileName", "id")
    return {"Ref": name, "Arn": c.iam_arn("instance-profile", name)}


def _opaque_id(*aliases: str) -> Callable[[_Ctx], Attrs]:
    def build(c: _Ctx) -> Attrs:
        ident = c.id()
        return {"Ref": ident, **dict.fromkeys(aliases, ident)}

    return build


def _in_vpc(id_attr: str) -> Callable[[_Ctx], Attrs]:
    """A subnet or security group: an id AWS generates, and the VPC it is in."""

    def build(c: _Ctx) -> Attrs:
        out = {"Ref": c.id(), id_attr: c.id()}
        vpc = c.prop("VpcId")
        if vpc:
            out["VpcId"] = vpc
        return out

    return build


def _named_arn(prop: str, service: str, resource: str) -> Callable[[_Ctx], Attrs]:
    """A resource whose Ref is its name (set in ``prop``, or generated) and whose ARN is regional:
    ``resource`` is the ARN's resource part, ``{}`` standing for the name."""

    def build(c: _Ctx) -> Attrs:
        name = c.name(prop)
        return {"Ref": name, "Arn": c.arn(service, resource.format(name))}

    return build


_function = _named_arn("FunctionName", "lambda", "function:{}")
_cluster = _named_arn("ClusterName", "ecs", "cluster/{}")
_log_group = _named_arn("LogGroupName", "logs", "log-group:{}:*")
_stream = _named_arn("Name", "kinesis", "stream/{}")


def _ecs_service(c: _Ctx) -> Attrs:
    return {"Ref": c.id(), "ServiceArn": c.id(), "Name": c.name("ServiceName")}


def _org_policy(c: _Ctx) -> Attrs:
    return {"Ref": c.id(), "Id": c.id(), "Arn": symbols.opaque(f"{c.lid}.arn")}


def _queue(c: _Ctx) -> Attrs:
    name = c.name("QueueName")
    return {"Ref": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{name}",
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{name}",
            "Arn": c.arn("sqs", name), "QueueName": name}


def _topic(c: _Ctx) -> Attrs:
    name = c.name("TopicName")
    topic = c.arn("sns", name)
    return {"Ref": topic, "TopicArn": topic, "TopicName": name}


def _table(c: _Ctx) -> Attrs:
    name = c.name("TableName")
    table = c.arn("dynamodb", f"table/{name}")
    return {"Ref": name, "Arn": table, "StreamArn": f"{table}/stream/" + symbols.opaque(f"{c.lid}.stream")}


def _state_machine(c: _Ctx) -> Attrs:
    name = c.name("StateMachineName")
    machine = c.arn("states", f"stateMachine:{name}")
    return {"Ref": machine, "Arn": machine, "Name": name}


_TYPES: dict[str, Callable[[_Ctx], Attrs]] = {
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::AccessPoint": _access_point,
    "AWS::KMS::Key": _key,
    "AWS::KMS::ReplicaKey": _key,
    "AWS::KMS::Alias": _alias,
    "AWS::IAM::Role": _iam("role"),
    "AWS::IAM::User": _iam("user"),
    "AWS::IAM::Group": _iam("group"),
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::InstanceProfile": _instance_profile,
    "AWS::IAM::Policy": _opaque_id(),
    "AWS::EC2::VPCEndpoint": _opaque_id("Id"),
    "AWS::EC2::VPC": _opaque_id("VpcId"),
    "AWS::EC2::Subnet": _in_vpc("SubnetId"),
    "AWS::EC2::RouteTable": _opaque_id("RouteTableId"),
    "AWS::EC2::SecurityGroup": _in_vpc("GroupId"),
    "AWS::EC2::Instance": _opaque_id("InstanceId"),
    "AWS::EC2::LaunchTemplate": _opaque_id("LaunchTemplateId"),
    "AWS::EC2::InternetGateway": _opaque_id("InternetGatewayId"),
    "AWS::EC2::NatGateway": _opaque_id("NatGatewayId"),
    "AWS::Lambda::Function": _function,
    "AWS::Serverless::Function": _function,
    "AWS::ECS::TaskDefinition": _opaque_id("TaskDefinitionArn"),
    "AWS::ECS::Cluster": _cluster,
    "AWS::ECS::Service": _ecs_service,
    "AWS::Organizations::Policy": _org_policy,
    "AWS::Organizations::OrganizationalUnit": _opaque_id("Id"),
    "AWS::Organizations::Account": _opaque_id("AccountId"),
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::DynamoDB::Table": _table,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Kinesis::Stream": _stream,
    "AWS::StepFunctions::StateMachine": _state_machine,
}

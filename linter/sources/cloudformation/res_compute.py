"""Network and compute: endpoints, subnets, route tables, and what runs with a role where."""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.model.facts import (
    ComputeFact,
    EndpointFact,
    InstanceProfileFact,
    RouteTableAssociationFact,
    SubnetFact,
    TaskDefinitionFact,
)
from why403.model.policy import PolicyKind
from why403.model.values import Unknown
from why403.sources.cloudformation.context import Ctx, Resource, strings
from why403.sources.cloudformation.nodes import NOVALUE, text


def _get(v: Any, key: str) -> Any:
    if isinstance(v, dict):
        return v.get(key, NOVALUE)
    return Unknown("unknown") if isinstance(v, Unknown) else NOVALUE


def endpoint(ctx: Ctx, res: Resource) -> None:
    policy = ctx.optional_policy(res, "PolicyDocument", PolicyKind.ENDPOINT, res.lid)
    ctx.facts.append(EndpointFact(
        res.lid, ctx.at(res), endpoint_id=ctx.r.naming.ref(res.lid),
        service_name=ctx.text(res, "ServiceName") or symbols.unknown(f"{res.lid}.ServiceName"),
        endpoint_type=ctx.text(res, "VpcEndpointType") or "Gateway",
        vpc_id=ctx.text(res, "VpcId") or symbols.unknown(f"{res.lid}.VpcId"),
        account=ctx.account, region=ctx.region, policy=policy,
        route_table_ids=ctx.texts(res, "RouteTableIds")[0], subnet_ids=ctx.texts(res, "SubnetIds")[0]))


def subnet(ctx: Ctx, res: Resource) -> None:
    ctx.facts.append(SubnetFact(res.lid, ctx.at(res), subnet_id=ctx.r.naming.ref(res.lid),
                                vpc_id=ctx.text(res, "VpcId") or symbols.unknown(f"{res.lid}.VpcId")))


def route_table_association(ctx: Ctx, res: Resource) -> None:
    ctx.facts.append(RouteTableAssociationFact(
        res.lid, ctx.at(res), subnet_id=ctx.text(res, "SubnetId") or symbols.unknown(f"{res.lid}.SubnetId"),
        route_table_id=ctx.text(res, "RouteTableId") or symbols.unknown(f"{res.lid}.RouteTableId")))


def instance_profile(ctx: Ctx, res: Resource) -> None:
    attrs = ctx.r.naming.attrs(res.lid)
    ctx.facts.append(InstanceProfileFact(res.lid, ctx.at(res), name=attrs["Ref"], arn=attrs["Arn"],
                                         roles=ctx.texts(res, "Roles")[0]))


def _default_subnet(res: Resource) -> tuple[str, ...]:
    # No subnet named: EC2 picks a default-VPC subnet at launch.
    return (symbols.unknown(f"{res.lid} default subnet"),)


def instance(ctx: Ctx, res: Resource) -> None:
    subnets = _instance_subnets(ctx, res.lid, ctx.value(res, "SubnetId"), ctx.value(res, "NetworkInterfaces"))
    ctx.facts.append(ComputeFact(res.lid, ctx.at(res), kind="ec2", subnet_ids=subnets or _default_subnet(res),
                                 instance_profile=ctx.text(res, "IamInstanceProfile"), in_vpc=True))


def _instance_subnets(ctx: Ctx, lid: str, subnet: Any, interfaces: Any) -> tuple[str, ...]:
    out: list[str] = []
    if subnet is not NOVALUE:
        out.append(text(subnet, f"{lid}.SubnetId"))
    if isinstance(interfaces, list):
        for nic in interfaces:
            sid = _get(nic, "SubnetId")
            if sid is not NOVALUE:
                out.append(text(sid, f"{lid}.SubnetId"))
    elif isinstance(interfaces, Unknown):
        out.append(symbols.unknown(f"{lid}.NetworkInterfaces"))
    return tuple(out)


def _profile_of(v: Any, lid: str) -> str | None:
    """IamInstanceProfile of a launch template: {Arn} or {Name}."""
    if isinstance(v, dict):
        for key in ("Arn", "Name"):
            if key in v:
                return text(v[key], f"{lid}.IamInstanceProfile")
        return None
    if v is NOVALUE or v is None:
        return None
    return text(v, f"{lid}.IamInstanceProfile")


def _launched_by_group(ctx: Ctx, lid: str) -> bool:
    for other in ctx.r.resources.values():
        if isinstance(other, dict) and other.get("Type") == "AWS::AutoScaling::AutoScalingGroup" and \
                _mentions(other.get("Properties"), lid):
            return True
    return False


def _mentions(node: Any, lid: str) -> bool:
    if isinstance(node, dict):
        if node.get("Ref") == lid:
            return True
        ga = node.get("Fn::GetAtt")
        if isinstance(ga, list) and ga and ga[0] == lid:
            return True
        return any(_mentions(v, lid) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, lid) for v in node)
    return False


def launch_template(ctx: Ctx, res: Resource) -> None:
    if _launched_by_group(ctx, res.lid):
        return  # the Auto Scaling group says where its instances run
    data = ctx.value(res, "LaunchTemplateData")
    profile = _profile_of(_get(data, "IamInstanceProfile"), res.lid)
    subnets = _instance_subnets(ctx, res.lid, NOVALUE, _get(data, "NetworkInterfaces"))
    ctx.facts.append(ComputeFact(res.lid, ctx.at(res), kind="ec2", subnet_ids=subnets or _default_subnet(res),
                                 instance_profile=profile, in_vpc=True))


def auto_scaling_group(ctx: Ctx, res: Resource) -> None:
    subnets, _ = ctx.texts(res, "VPCZoneIdentifier")
    profile = None
    spec = res.props.get("LaunchTemplate")
    mixed = res.props.get("MixedInstancesPolicy")
    if spec is None and isinstance(mixed, dict):
        lt = mixed.get("LaunchTemplate")
        spec = lt.get("LaunchTemplateSpecification") if isinstance(lt, dict) else None
    target = None
    if isinstance(spec, dict):
        target = _referenced(spec.get("LaunchTemplateId")) or _referenced(spec.get("LaunchTemplateName"))
    lc = _referenced(res.props.get("LaunchConfigurationName"))
    if lc is not None:
        target = lc
    node = ctx.r.resources.get(target) if target else None
    if isinstance(node, dict) and isinstance(node.get("Properties"), dict):
        props = node["Properties"]
        if node.get("Type") == "AWS::EC2::LaunchTemplate":
            data = ctx.r.value(props.get("LaunchTemplateData", {}))
            profile = _profile_of(_get(data, "IamInstanceProfile"), str(target))
        elif "IamInstanceProfile" in props:
            profile = text(ctx.r.value(props["IamInstanceProfile"]), f"{target}.IamInstanceProfile")
    elif spec is not None or lc is not None or "InstanceId" in res.props:
        profile = symbols.unknown(f"{res.lid} launch template")
    ctx.facts.append(ComputeFact(res.lid, ctx.at(res), kind="ec2", subnet_ids=subnets or _default_subnet(res),
                                 instance_profile=profile, in_vpc=True))


def _referenced(node: Any) -> str | None:
    if isinstance(node, dict):
        if isinstance(node.get("Ref"), str):
            return str(node["Ref"])
        ga = node.get("Fn::GetAtt")
        if isinstance(ga, list) and ga and isinstance(ga[0], str):
            return ga[0]
    return None


def function(ctx: Ctx, res: Resource) -> None:
    vpc = ctx.value(res, "VpcConfig")
    subnets: tuple[str, ...] = ()
    in_vpc = False
    if isinstance(vpc, dict):
        subnets, _ = strings(vpc.get("SubnetIds", NOVALUE), f"{res.lid}.SubnetIds")
        in_vpc = bool(subnets)
    elif isinstance(vpc, Unknown):
        subnets, in_vpc = (symbols.unknown(f"{res.lid}.VpcConfig"),), True
    role = ctx.text(res, "Role")
    ctx.facts.append(ComputeFact(res.lid, ctx.at(res), kind="lambda", subnet_ids=subnets,
                                 role=role or symbols.unknown(f"{res.lid}.Role"), in_vpc=in_vpc))


def task_definition(ctx: Ctx, res: Resource) -> None:
    ctx.facts.append(TaskDefinitionFact(res.lid, ctx.at(res), arn=ctx.r.naming.ref(res.lid),
                                        task_role=ctx.text(res, "TaskRoleArn"),
                                        network_mode=ctx.text(res, "NetworkMode")))


def ecs_service(ctx: Ctx, res: Resource) -> None:
    net = _get(_get(ctx.value(res, "NetworkConfiguration"), "AwsvpcConfiguration"), "Subnets")
    subnets, _ = strings(net, f"{res.lid}.Subnets")
    if isinstance(net, Unknown):
        subnets = (symbols.unknown(f"{res.lid}.Subnets"),)
    ctx.facts.append(ComputeFact(res.lid, ctx.at(res), kind="ecs", subnet_ids=subnets,
                                 task_definition=ctx.text(res, "TaskDefinition") or
                                 symbols.unknown(f"{res.lid}.TaskDefinition"),
                                 in_vpc=True if subnets else None))

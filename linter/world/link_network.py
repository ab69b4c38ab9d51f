"""VPC endpoints and the network path each principal's requests take (access-model 1.4).

A compute resource runs its role in subnets; a subnet whose route table routes to an S3 gateway
endpoint sends that role's requests through it. What the sources do not say is an unknown path,
never the internet by default.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from why403.model import symbols
from why403.model.facts import (
    ComputeFact,
    EndpointFact,
    EndpointPolicyFact,
    EndpointRouteTableFact,
    InstanceProfileFact,
    RouteTableAssociationFact,
    TaskDefinitionFact,
)
from why403.world.linker import Linker
from why403.world.model import EndpointInfo, NetworkPath, endpoint_path, internet_path


def endpoints(b: Linker) -> None:
    overrides = b.by(EndpointPolicyFact, "endpoint_id")
    extra_rts: dict[str, list[str]] = defaultdict(list)
    for f in b.of(EndpointRouteTableFact):
        assert isinstance(f, EndpointRouteTableFact)
        extra_rts[f.endpoint_id].append(f.route_table_id)
    for f in b.of(EndpointFact):
        assert isinstance(f, EndpointFact)
        override = overrides.get(f.endpoint_id)
        policy = override.policy if override else f.policy
        service = f.service_name
        is_s3 = service.endswith(".s3") or service.endswith(".s3-global.accesspoint") or \
            (symbols.has_uncertain_token(service) and "s3" in service)
        info = EndpointInfo(f.ref, f.endpoint_id, f.vpc_id, f.endpoint_type or "Gateway", f.region, f.account,
                            policy, f.location, tuple(f.route_table_ids) + tuple(extra_rts[f.endpoint_id]),
                            is_s3)
        b.world.endpoints[f.endpoint_id] = info
        b.ref(f.ref, f.endpoint_id)


def paths(b: Linker) -> None:
    """Which network paths each principal's requests take (access-model 1.4, issue 5 item 3)."""
    world = b.world
    subnet_rts: dict[str, set[str]] = defaultdict(set)
    for f in b.of(RouteTableAssociationFact):
        assert isinstance(f, RouteTableAssociationFact)
        subnet_rts[f.subnet_id].add(f.route_table_id)
    gateways_by_rt: dict[str, list[EndpointInfo]] = defaultdict(list)
    for ep in world.endpoints.values():
        if ep.is_s3 and ep.endpoint_type.lower() == "gateway":
            for rt in ep.route_table_ids:
                gateways_by_rt[rt].append(ep)
    profiles = b.by(InstanceProfileFact, "name", "arn")
    tasks = b.by(TaskDefinitionFact, "arn", "ref")
    by_name = {info.actor.name: info for info in world.principals.values() if info.actor.name}
    found: dict[str, list[NetworkPath]] = defaultdict(list)
    for f in b.of(ComputeFact):
        assert isinstance(f, ComputeFact)
        roles: list[str] = []
        if f.role:
            roles.append(f.role)
        if f.instance_profile and f.instance_profile in profiles:
            roles += list(profiles[f.instance_profile].roles)
        if f.task_definition and f.task_definition in tasks and tasks[f.task_definition].task_role:
            roles.append(tasks[f.task_definition].task_role)  # type: ignore[arg-type]
        targets = [world.principals.get(r) or by_name.get(r) for r in roles]
        path = compute_path(b, f, subnet_rts, gateways_by_rt)
        for info in targets:
            if info is not None and path is not None:
                found[info.arn].append(path)
    for principal, endpoint in b.settings.paths:
        info = world.principal(principal)
        if info is None:
            continue
        if endpoint == "internet":
            found[info.arn].append(internet_path(reason="config"))
            continue
        chosen = world.endpoint(endpoint)
        if chosen is not None:
            found[info.arn].append(endpoint_path(chosen, "config"))
    for arn, info in list(world.principals.items()):
        unique: dict[tuple[str, str | None], NetworkPath] = {}
        for p in found.get(arn, []):
            unique.setdefault((p.network.path, p.endpoint_ref), p)
        paths = tuple(unique.values()) or (internet_path("no compute in the sources uses it", known=False),)
        world.principals[arn] = replace(info, paths=paths)


def compute_path(b: Linker, f: ComputeFact, subnet_rts: dict[str, set[str]],
                 gateways_by_rt: dict[str, list[EndpointInfo]]) -> NetworkPath | None:
    if not f.subnet_ids:
        if f.kind == "lambda" and f.in_vpc is not True:
            return internet_path(reason=f"{f.ref} runs outside a VPC")
        return internet_path(known=False, reason=f"the subnets of {f.ref} are not in the sources")
    endpoints: dict[str, EndpointInfo] = {}
    unknown = False
    for subnet in f.subnet_ids:
        rts = subnet_rts.get(subnet)
        if not rts:
            unknown = True
            continue
        routed = [ep for rt in rts for ep in gateways_by_rt.get(rt, [])]
        if not routed:
            continue
        for ep in routed:
            endpoints[ep.endpoint_id] = ep
    if len(endpoints) == 1 and not unknown:
        return endpoint_path(next(iter(endpoints.values())), f"{f.ref} runs in its subnets")
    if endpoints and not unknown:
        ep = sorted(endpoints.values(), key=lambda e: e.ref)[0]
        return endpoint_path(ep, f"{f.ref} runs in its subnets")
    if unknown:
        return internet_path(known=False, reason=f"the route tables of {f.ref}'s subnets are not in the sources")
    return internet_path(reason=f"{f.ref}'s subnets are not routed to an S3 gateway endpoint")

"""Network resources: VPC endpoints (with their policies and route tables), subnets, route tables."""

from __future__ import annotations

from why403.model.facts import (
    EndpointFact,
    EndpointPolicyFact,
    EndpointRouteTableFact,
    RouteTableAssociationFact,
    SubnetFact,
)
from why403.model.policy import PolicyKind
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader, link, policy_attachment


def vpc_endpoint(r: Reader, out: Emitter) -> None:
    endpoint_type = read.text(r, out, "vpc_endpoint_type") or "Gateway"
    route_tables, _ = read.texts(r, out, "route_table_ids")
    subnets, _ = read.texts(r, out, "subnet_ids")
    out.fact(EndpointFact(r.ref, r.location, read.computed(r, out, "id"), read.text(r, out, "service_name") or "",
                          endpoint_type, read.text(r, out, "vpc_id") or "", r.account, r.region,
                          read.optional_policy(r, out, "policy", PolicyKind.ENDPOINT), route_tables, subnets))


def subnet(r: Reader, out: Emitter) -> None:
    out.fact(SubnetFact(r.ref, r.location, read.computed(r, out, "id"), read.text(r, out, "vpc_id") or ""))


NETWORK_HANDLERS: dict[str, Handler] = {
    "aws_vpc_endpoint": vpc_endpoint,
    "aws_vpc_endpoint_policy": policy_attachment("vpc_endpoint_id", PolicyKind.ENDPOINT, EndpointPolicyFact),
    "aws_vpc_endpoint_route_table_association": link("vpc_endpoint_id", "route_table_id", EndpointRouteTableFact),
    "aws_subnet": subnet,
    "aws_route_table_association": link("subnet_id", "route_table_id", RouteTableAssociationFact),
}

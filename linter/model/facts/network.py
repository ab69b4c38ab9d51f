"""Network and compute: VPC endpoints and the routes to them, and what runs with a role
(functions, instances, tasks) from which subnets.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.facts.base import Fact
from why403.model.policy import Policy

__all__ = [
    "ComputeFact",
    "EndpointFact",
    "EndpointPolicyFact",
    "EndpointRouteTableFact",
    "InstanceProfileFact",
    "RouteTableAssociationFact",
    "SubnetFact",
    "TaskDefinitionFact",
]


@dataclass(frozen=True)
class EndpointFact(Fact):
    endpoint_id: str
    service_name: str  # com.amazonaws.us-east-1.s3
    endpoint_type: str  # Gateway | Interface (Gateway when unset, as AWS defaults)
    vpc_id: str
    account: str
    region: str
    policy: Policy | None = None  # None = AWS's default full-access policy
    route_table_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndpointPolicyFact(Fact):
    """``aws_vpc_endpoint_policy``: replaces the endpoint's policy."""

    endpoint_id: str
    policy: Policy


@dataclass(frozen=True)
class EndpointRouteTableFact(Fact):
    endpoint_id: str
    route_table_id: str


@dataclass(frozen=True)
class SubnetFact(Fact):
    subnet_id: str
    vpc_id: str


@dataclass(frozen=True)
class RouteTableAssociationFact(Fact):
    subnet_id: str
    route_table_id: str


@dataclass(frozen=True)
class InstanceProfileFact(Fact):
    name: str
    arn: str
    roles: tuple[str, ...]  # role names


@dataclass(frozen=True)
class TaskDefinitionFact(Fact):
    arn: str  # token for the task definition (what services reference)
    task_role: str | None  # role ARN or name
    network_mode: str | None = None


@dataclass(frozen=True)
class ComputeFact(Fact):
    """Something that runs with a role: ``lambda``, ``ec2`` (instance or launch template), ``ecs``.

    Exactly one of ``role`` (ARN or name), ``instance_profile`` (name or ARN) or
    ``task_definition`` (what an ECS service references) says which role it uses.
    """

    kind: str
    subnet_ids: tuple[str, ...] = ()
    role: str | None = None
    instance_profile: str | None = None
    task_definition: str | None = None
    in_vpc: bool | None = None

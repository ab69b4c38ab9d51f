"""Endpoints, subnets, route tables and the compute that runs in them."""

from __future__ import annotations

import pytest

from why403.model import symbols
from why403.model.facts import (
    ComputeFact,
    EndpointFact,
    InstanceProfileFact,
    RoleFact,
    RouteTableAssociationFact,
    SourceResult,
    SubnetFact,
    TaskDefinitionFact,
)
from why403.model.policy import PolicyKind

from .helpers import FIXTURES, facts, load_paths, one, opaque

SUBNET_A = SUBNET_B = ROUTES = VPC = ""

A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION



@pytest.fixture(scope="module")
def net() -> SourceResult:
    global SUBNET_A, SUBNET_B, ROUTES, VPC
    (result,) = load_paths(FIXTURES / "network_and_compute.yaml")
    SUBNET_A, SUBNET_B = opaque(result, "PrivateSubnetA.id"), opaque(result, "PrivateSubnetB.id")
    ROUTES, VPC = opaque(result, "PrivateRoutes.id"), opaque(result, "Vpc.id")
    return result


def test_gateway_endpoint_with_json_text_policy(net: SourceResult) -> None:
    ep = one(net, EndpointFact, "S3Endpoint")
    assert ep.endpoint_id == opaque(net, "S3Endpoint.id")
    assert ep.service_name == f"com.amazonaws.{R}.s3"
    assert ep.endpoint_type == "Gateway" and ep.vpc_id == VPC
    assert ep.route_table_ids == (ROUTES,)
    assert ep.policy is not None and ep.policy.kind is PolicyKind.ENDPOINT
    allow, deny = ep.policy.statements
    assert (allow.effect, deny.effect) == ("Allow", "Deny")
    assert allow.location is not None and deny.location is not None
    assert deny.location.line == allow.location.line + 1


def test_interface_endpoint_without_policy(net: SourceResult) -> None:
    ep = one(net, EndpointFact, "KmsEndpoint")
    assert ep.endpoint_type == "Interface" and ep.policy is None
    assert ep.subnet_ids == (SUBNET_A, SUBNET_B)


def test_subnets_and_associations(net: SourceResult) -> None:
    subnets = {f.ref: f for f in facts(net, SubnetFact)}
    assert subnets["PrivateSubnetA"].subnet_id == SUBNET_A and subnets["PrivateSubnetA"].vpc_id == VPC
    assoc = one(net, RouteTableAssociationFact)
    assert (assoc.subnet_id, assoc.route_table_id) == (SUBNET_A, ROUTES)


def test_instance_profile_and_instances(net: SourceResult) -> None:
    profile = one(net, InstanceProfileFact)
    role = one(net, RoleFact)
    assert profile.name == "worker" and profile.arn == f"arn:aws:iam::{A}:instance-profile/compute/worker"
    assert profile.roles == (role.name,)
    bastion = one(net, ComputeFact, "Bastion")
    assert (bastion.kind, bastion.subnet_ids, bastion.instance_profile) == ("ec2", (SUBNET_A,), "worker")
    scratch = one(net, ComputeFact, "Scratch")
    (default_subnet,) = scratch.subnet_ids
    assert symbols.is_entirely_unknown(default_subnet)


def test_auto_scaling_group_uses_its_launch_template(net: SourceResult) -> None:
    fleet = one(net, ComputeFact, "Fleet")
    assert fleet.subnet_ids == (SUBNET_A, SUBNET_B)
    assert fleet.instance_profile == one(net, InstanceProfileFact).arn
    assert not [f for f in facts(net, ComputeFact) if f.ref == "FleetTemplate"]
    standalone = one(net, ComputeFact, "StandaloneTemplate")
    assert standalone.subnet_ids == (SUBNET_B,) and standalone.instance_profile == "worker"


def test_lambda_functions(net: SourceResult) -> None:
    role = one(net, RoleFact)
    scorer = one(net, ComputeFact, "Scorer")
    assert (scorer.kind, scorer.role, scorer.subnet_ids, scorer.in_vpc) == ("lambda", role.arn, (SUBNET_A,), True)
    notifier = one(net, ComputeFact, "Notifier")
    assert notifier.in_vpc is False and notifier.subnet_ids == ()


def test_ecs_task_definition_and_service(net: SourceResult) -> None:
    role = one(net, RoleFact)
    task = one(net, TaskDefinitionFact)
    assert task.arn == opaque(net, "ExportTask.id")
    assert (task.task_role, task.network_mode) == (role.arn, "awsvpc")
    service = one(net, ComputeFact, "ExportService")
    assert (service.kind, service.task_definition, service.subnet_ids, service.in_vpc) == (
        "ecs", task.arn, (SUBNET_A, SUBNET_B), True)

"""Compute resources: where code runs and with which role (EC2 instances and launch templates,
instance profiles, Lambda functions, ECS task definitions and services)."""

from __future__ import annotations

from why403.model.facts import ComputeFact, InstanceProfileFact, TaskDefinitionFact
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader
from why403.sources.terraform.tfvalues import Unk


def instance(r: Reader, out: Emitter) -> None:
    profile = read.text(r, out, "iam_instance_profile")
    sub = read.text(r, out, "subnet_id")
    out.fact(ComputeFact(r.ref, r.location, "ec2", (sub,) if sub else (), instance_profile=profile,
                         in_vpc=True if sub else None))


def launch_template(r: Reader, out: Emitter) -> None:
    profile_block = read.first_block(r, "iam_instance_profile")
    profile = None
    if profile_block is not None:
        profile = read.text(profile_block, out, "arn") or read.text(profile_block, out, "name")
    subnets: list[str] = []
    for ni in r.blocks("network_interfaces"):
        if not isinstance(ni, Unk):
            s = read.text(ni, out, "subnet_id")
            if s:
                subnets.append(s)
    out.fact(ComputeFact(r.ref, r.location, "ec2", tuple(subnets), instance_profile=profile,
                         in_vpc=True if subnets else None))


def iam_instance_profile(r: Reader, out: Emitter) -> None:
    role = read.text(r, out, "role")
    out.fact(InstanceProfileFact(r.ref, r.location, read.computed(r, out, "name"), read.computed(r, out, "arn"),
                                 (role,) if role else ()))


def _subnets(r: Reader, out: Emitter, block: str, name: str) -> tuple[tuple[str, ...], bool, bool]:
    """The subnets the nested ``block`` names in ``name``, whether part of them is unknown, and
    whether the block is there at all."""
    found = read.first_block(r, block)
    if found is None:
        return (), False, False
    subnets, unknown = read.texts(found, out, name)
    return subnets, unknown, True


def lambda_function(r: Reader, out: Emitter) -> None:
    role = read.text(r, out, "role")
    subnets, unknown, _ = _subnets(r, out, "vpc_config", "subnet_ids")
    in_vpc = True if subnets else (None if unknown else False)
    out.fact(ComputeFact(r.ref, r.location, "lambda", subnets, role=role, in_vpc=in_vpc))


def ecs_task_definition(r: Reader, out: Emitter) -> None:
    out.fact(TaskDefinitionFact(r.ref, r.location, read.computed(r, out, "arn"), read.text(r, out, "task_role_arn"),
                                read.text(r, out, "network_mode")))


def ecs_service(r: Reader, out: Emitter) -> None:
    task = read.text(r, out, "task_definition")
    subnets, unknown, networked = _subnets(r, out, "network_configuration", "subnets")
    in_vpc = True if subnets else (None if unknown or not networked else False)
    out.fact(ComputeFact(r.ref, r.location, "ecs", subnets, task_definition=task, in_vpc=in_vpc))


COMPUTE_HANDLERS: dict[str, Handler] = {
    "aws_instance": instance,
    "aws_launch_template": launch_template,
    "aws_iam_instance_profile": iam_instance_profile,
    "aws_lambda_function": lambda_function,
    "aws_ecs_task_definition": ecs_task_definition,
    "aws_ecs_service": ecs_service,
}

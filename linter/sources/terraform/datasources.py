"""Data sources: the few why403 answers offline, and unknown for every other one.

``aws_iam_policy_document`` is computed by the provider without calling AWS, so it is evaluated in
full (:mod:`.policydoc`). ``aws_caller_identity``, ``aws_region`` and ``aws_partition`` describe
where the provider runs: its account and region (the home ones unless the provider says
otherwise). Every other data source is read from AWS at plan time: its arguments echo back, its
other attributes are unknown and name the data source as the input to supply (plan JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.model.arn import dns_suffix, partition_of
from why403.sources.terraform.tfvalues import Unk

if TYPE_CHECKING:
    from why403.sources.terraform.instances import ResourceInstance


def data_attribute(inst: ResourceInstance, name: str) -> Any:
    rtype = inst.rtype
    if rtype == "aws_iam_policy_document":
        from why403.sources.terraform.policydoc import document_attribute

        return document_attribute(inst, name)
    if rtype == "aws_caller_identity":
        if name in ("account_id", "id"):
            return inst.account
    elif rtype == "aws_region":
        if name in ("name", "id", "region"):
            return inst.region
        if name == "endpoint":
            return f"ec2.{inst.region}.amazonaws.com"
    elif rtype == "aws_partition":
        part = partition_of(inst.region)
        if name in ("partition", "id"):
            return part
        if name == "dns_suffix":
            return dns_suffix(part)
        if name == "reverse_dns_prefix":
            return "cn.com.amazonaws" if part == "aws-cn" else "com.amazonaws"
    if inst.has(name):
        return inst.arg(name)
    source = f"data.{rtype}.{inst.name}"
    return Unk(f"{inst.ref}.{name}", f"{inst.ref} is read from AWS when Terraform plans",
               frozenset({source}) if rtype not in ("aws_caller_identity", "aws_region", "aws_partition")
               else frozenset())

"""Principals the sources do not define, for the grants and requests that name them: an account, a
role or a user of another account (whose policies and boundary are unknown), an AWS service
principal, and the principals of AWS's own that some services deliver as (a Region's ELB account).
"""

from __future__ import annotations

from dataclasses import replace

from why403.model import symbols
from why403.model.actor import Actor, role_session
from why403.model.arn import PARTITION, iam_role, split_arn
from why403.model.policy import Policy
from why403.simulate.services import SERVICE_NETWORK, ServiceProfile, service_actor
from why403.world.managed import ADMIN_POLICY_ARN, aws_managed_policy
from why403.world.model import NetworkPath, PrincipalInfo, World, internet_path


def external_principal(world: World, arn: str) -> PrincipalInfo:
    """A principal a policy names that the sources do not define."""
    known = world.principals.get(arn)
    if known is not None:
        return known
    parts = split_arn(arn)
    account = parts[4] if parts is not None else symbols.unknown(f"account of {arn}")
    resource = parts[5] if parts is not None else ""
    unknown_net = (internet_path(known=False, reason="not defined in the sources"),)
    if resource == "root":
        # "Any principal of this account" that the account's administrators let through IAM.
        role = iam_role(account, symbols.opaque(f"principal of account {account}"))
        actor = role_session(role, unique_id=symbols.opaque(f"{role}.unique_id"), identity_policies=None,
                             tags=None, org_known=False, ref=f"account:{account}")
        return PrincipalInfo(f"account:{account}", arn, account, actor, None, "external", unknown_net,
                             in_sources=False)
    if resource.startswith("role/"):
        actor = role_session(arn, unique_id=symbols.opaque(f"{arn}.unique_id"), identity_policies=None, tags=None,
                             org_known=False, ref=arn)
        return PrincipalInfo(arn, arn, account, _unknown_boundary(actor), None, "external", unknown_net,
                             in_sources=False)
    if resource.startswith("user/"):
        actor = Actor(kind="iam_user", account=account, arn=arn, unique_id=symbols.opaque(f"{arn}.unique_id"),
                      username=resource.rsplit("/", 1)[-1], identity_policies=None, tags=None, org_known=False,
                      ref=arn)
        return PrincipalInfo(arn, arn, account, _unknown_boundary(actor), None, "external", unknown_net,
                             in_sources=False)
    if resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        role_arn = iam_role(account, pieces[1], parts[1] if parts else PARTITION) if len(pieces) > 2 else arn
        actor = role_session(role_arn, session_name=pieces[-1], unique_id=symbols.opaque(f"{role_arn}.unique_id"),
                             identity_policies=None, tags=None, org_known=False, ref=arn)
        return PrincipalInfo(arn, arn, account, _unknown_boundary(actor), None, "external", unknown_net,
                             in_sources=False)
    actor = Actor(kind="iam_user", account=account, arn=arn, identity_policies=None, tags=None, org_known=False,
                  ref=arn)
    return PrincipalInfo(arn, arn, account, _unknown_boundary(actor), None, "external", unknown_net,
                         in_sources=False)


def _unknown_boundary(actor: Actor) -> Actor:
    """A principal outside the sources may have a permissions boundary we cannot see."""
    from why403.model.policy import PolicyKind

    boundary = Policy(kind=PolicyKind.BOUNDARY, origin="permissions boundary (not in the sources)",
                      unknown="whether the principal has a permissions boundary is not in the sources")
    return replace(actor, permissions_boundary=boundary)


SERVICE_PATH = (NetworkPath(SERVICE_NETWORK, None, "AWS service"),)


def service_principal(service: str) -> PrincipalInfo:
    actor = service_actor(service)
    return PrincipalInfo(service, service, "", actor, None, "service", SERVICE_PATH, in_sources=False)


def service_owned_principal(arn: str, prof: ServiceProfile) -> PrincipalInfo:
    """A principal of AWS's own that a service acts as (a Region's ELB account, a CloudFront origin
    access identity): AWS grants it in IAM, so only the bucket's side decides."""
    parts = split_arn(arn)
    literal = parts[4] if parts is not None else ""
    account = literal if literal.isdigit() else symbols.distinct(f"the account of {prof.name}")
    identity = (aws_managed_policy(ADMIN_POLICY_ARN),)
    if parts is not None and parts[5] == "root":
        role = iam_role(account, symbols.opaque(f"the principal {prof.name} delivers as"))
        actor = role_session(role, unique_id=symbols.opaque(f"{role}.unique_id"), identity_policies=identity,
                             tags={}, org_known=False, ref=arn)
    else:
        actor = Actor(kind="iam_user", account=account, arn=arn, unique_id=symbols.opaque(f"{arn}.unique_id"),
                      identity_policies=identity, tags={}, org_known=False, ref=arn)
    return PrincipalInfo(arn, arn, account, actor, None, "service", SERVICE_PATH, in_sources=False)

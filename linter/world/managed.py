"""AWS managed policies by ARN, from the small bundled catalogue (``data/managed_policies.json``).

Both frontends emit managed policy ARNs; resolving them is the world's job. A policy missing from
the catalogue is not guessed: it becomes an *allow-only unknown* document (AWS managed policies
grant; they do not deny, apart from a few deny-all policies that are fully unknown here), so it can
make an allow uncertain but never invents a deny.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from why403.model import symbols
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind, Statement
from why403.policy.parse import parse_policy

AWS_MANAGED_PREFIXES = ("arn:aws:iam::aws:policy/", "arn:aws-us-gov:iam::aws:policy/", "arn:aws-cn:iam::aws:policy/")


@cache
def _catalogue() -> dict[str, Any]:
    text = resources.files("why403").joinpath("data/managed_policies.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)["policies"]
    return data


ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(AWS_MANAGED_PREFIXES)


def _normalize(arn: str) -> str:
    for prefix in AWS_MANAGED_PREFIXES:
        if arn.startswith(prefix):
            return "arn:aws:iam::aws:policy/" + arn[len(prefix):]
    return arn


@cache
def aws_managed_policy(arn: str) -> Policy:
    """The policy behind an AWS managed policy ARN (allow-only unknown when not catalogued)."""
    name = _normalize(arn)
    doc = _catalogue().get(name)
    origin = name.removeprefix("arn:aws:iam::aws:policy/")
    if doc is not None:
        clean = {k: v for k, v in doc.items() if k in ("Version", "Statement")}
        policy = parse_policy(clean, PolicyKind.IDENTITY, origin=f"{origin} (AWS managed)", validate=False)
        return Policy(kind=policy.kind, statements=policy.statements, version=policy.version,
                      origin=policy.origin, arn=arn)
    if "Deny" in origin or "Quarantine" in origin:
        return Policy(kind=PolicyKind.IDENTITY, origin=f"{origin} (AWS managed)", arn=arn,
                      unknown=f"the AWS managed policy {origin} is not in why403's catalogue")
    return allow_only_unknown(arn, f"{origin} (AWS managed)", f"the AWS managed policy {origin} is not in "
                              "why403's catalogue")


def allow_only_unknown(arn: str, origin: str, reason: str, location: Location | None = None) -> Policy:
    """A document known to contain only Allow statements whose content is not known."""
    unk = symbols.unknown(origin.replace(" ", "_"))
    stmt = Statement(index=0, effect="Allow", actions=(unk,), resources=(unk,), maybe=reason, location=location)
    return Policy(kind=PolicyKind.IDENTITY, statements=(stmt,), origin=origin, arn=arn, location=location)


def catalogued() -> tuple[str, ...]:
    return tuple(sorted(_catalogue()))

"""AWS's own account of a denial: what its AccessDenied message says (read by the dump frontend,
compared with the simulation by the diagnosis)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeniedMessage:
    text: str
    principal: str | None = None
    action: str | None = None
    resource: str | None = None
    explicit: bool | None = None  # None: the message does not say
    policy_type: str | None = None  # a layer name, or "resource-policy" (bucket, key or access point policy)
    policy_arn: str | None = None

    @property
    def names_type(self) -> bool:
        return self.policy_type is not None

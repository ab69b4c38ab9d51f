"""Access control list grants, the pre-policy way S3 grants access (access-model.md 2.6).

A frontend reads them from the sources (a canned ACL or explicit grants) and the engine decides
with them, so they are model vocabulary shared by both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AclPermission = Literal["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"]
AclGrantee = Literal["account", "AllUsers", "AuthenticatedUsers", "LogDelivery", "canonical"]


@dataclass(frozen=True)
class AclGrant:
    grantee: AclGrantee
    permission: AclPermission
    value: str = ""  # account id (or canonical id) for account grantees

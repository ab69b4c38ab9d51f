"""Access control list grants, the pre-policy way S3 grants access (access-model.md 2.6).

A frontend reads them from the sources (a canned ACL or explicit grants) and the engine decides
with them, so they are model vocabulary shared by both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

AclPermission = Literal["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"]
AclGrantee = Literal["account", "AllUsers", "AuthenticatedUsers", "LogDelivery", "canonical"]


@dataclass(frozen=True)
class AclGrant:
    grantee: AclGrantee
    permission: AclPermission
    value: str = ""  # account id (or canonical id) for account grantees


ACL_PERMISSIONS: tuple[AclPermission, ...] = get_args(AclPermission)

# The predefined groups an ACL grant names by URI, as S3 writes them (in a grant's Grantee, in
# Terraform's grant blocks and in get-bucket-acl output alike).
GROUP_GRANTEES: dict[str, AclGrantee] = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
    "http://acs.amazonaws.com/groups/s3/LogDelivery": "LogDelivery",
}


def acl_permission(name: object) -> AclPermission | None:
    """``name`` as an ACL permission; None when S3 has no such permission (no grant is made)."""
    for permission in ACL_PERMISSIONS:
        if name == permission:
            return permission
    return None

"""The configuration a request meets: bucket, object, KMS key, network path, organization.

These are the engine's inputs besides the :class:`~why403.model.actor.Actor`; the world builder
derives them from the sources, and the test vectors write them by hand (access-model.md 1.3-1.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.arn import partition_of, s3_access_point, s3_bucket
from why403.model.location import Location
from why403.model.policy import Policy
from why403.model.tri import Tri, tri_or

Ownership = Literal["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]
Encryption = Literal["SSE-S3", "SSE-KMS", "DSSE-KMS", "SSE-C", "none"]


@dataclass(frozen=True)
class BlockPublicAccess:
    """The four settings; a value may be unknown (None) when a variable decides it."""

    block_public_acls: Tri = False
    ignore_public_acls: Tri = False
    block_public_policy: Tri = False
    restrict_public_buckets: Tri = False

    @staticmethod
    def all(value: Tri = True) -> BlockPublicAccess:
        return BlockPublicAccess(value, value, value, value)

    def combined(self, other: BlockPublicAccess | None) -> BlockPublicAccess:
        """The most restrictive combination of two levels (account and bucket, bucket and access point)."""
        if other is None:
            return self
        return BlockPublicAccess(
            tri_or(self.block_public_acls, other.block_public_acls),
            tri_or(self.ignore_public_acls, other.ignore_public_acls),
            tri_or(self.block_public_policy, other.block_public_policy),
            tri_or(self.restrict_public_buckets, other.restrict_public_buckets),
        )


@dataclass(frozen=True)
class KmsGrant:
    """A KMS grant: allows (never denies) the grantee the listed operations on one key."""

    grantee: str  # principal ARN
    operations: tuple[str, ...]  # "Decrypt", "GenerateDataKey" (without the kms: prefix)
    context_equals: Mapping[str, str] | None = None
    context_subset: Mapping[str, str] | None = None
    ref: str | None = None
    location: Location | None = None
    maybe: str | None = None


@dataclass(frozen=True)
class KmsKey:
    arn: str
    account: str
    region: str
    policy: Policy
    grants: tuple[KmsGrant, ...] = ()
    aws_managed: bool = False
    enabled: Tri = True
    ref: str | None = None
    location: Location | None = None
    bypass_lockout_check: bool = False


@dataclass(frozen=True)
class BucketState:
    name: str
    account: str
    region: str
    policy: Policy | None = None
    acl: tuple[AclGrant, ...] = ()
    ownership: Ownership = "BucketOwnerEnforced"
    bpa: BlockPublicAccess = field(default_factory=BlockPublicAccess.all)
    requester_pays: bool = False
    default_encryption: Encryption = "SSE-S3"
    default_key: KmsKey | None = None
    default_key_ref: str | None = None  # as written, when it does not resolve to a key in the sources
    bucket_key: bool = False
    ref: str | None = None
    location: Location | None = None
    policy_known: bool = True  # False for buckets outside the sources

    @property
    def arn(self) -> str:
        return s3_bucket(self.name, partition_of(self.region))


@dataclass(frozen=True)
class ObjectState:
    key: str
    owner_account: str
    acl: tuple[AclGrant, ...] = ()
    encryption: Encryption = "SSE-S3"
    kms_key: KmsKey | None = None
    bucket_key: bool = False
    exists: bool = True


@dataclass(frozen=True)
class AccessPointState:
    name: str
    account: str
    region: str
    policy: Policy | None = None
    vpc_origin: str | None = None  # VPC id when the network origin is VPC
    bpa: BlockPublicAccess | None = None
    ref: str | None = None

    @property
    def arn(self) -> str:
        return s3_access_point(self.region, self.account, self.name, partition_of(self.region))


PathKind = Literal["internet", "gateway_endpoint", "interface_endpoint", "aws_service"]


@dataclass(frozen=True)
class Network:
    """How the request reaches S3. ``known`` False: the principal's network location is not in the
    sources, so the network condition keys are unknown rather than absent."""

    path: PathKind = "internet"
    endpoint_policy: Policy | None = None  # None through an endpoint = AWS's default full-access policy
    vpce_id: str | None = None
    vpc_id: str | None = None
    source_ip: str | None = "198.51.100.7"
    vpc_source_ip: str | None = None
    tls: bool = True
    endpoint_ref: str | None = None
    endpoint_region: str | None = None
    known: bool = True

    @property
    def through_endpoint(self) -> bool:
        return self.path in ("gateway_endpoint", "interface_endpoint")


@dataclass(frozen=True)
class OrgLevel:
    """The policies attached at one level (root, an OU, the account) of an organization."""

    name: str
    policies: tuple[Policy, ...]


@dataclass(frozen=True)
class AccountOrg:
    """An account's place in AWS Organizations as far as the sources say."""

    org_id: str | None = None
    management: bool = False
    scp_levels: tuple[OrgLevel, ...] = ()
    rcp_levels: tuple[OrgLevel, ...] = ()
    org_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organizations:
    accounts: Mapping[str, AccountOrg] = field(default_factory=dict)

    def of(self, account: str | None) -> AccountOrg | None:
        if account is None:
            return None
        return self.accounts.get(account)


@dataclass(frozen=True)
class Environment:
    """What the engine needs beyond the request: the organizations and the KMS keys by ARN."""

    orgs: Organizations = field(default_factory=Organizations)
    keys: Mapping[str, KmsKey] = field(default_factory=dict)


def external_bucket(name: str) -> BucketState:
    """A bucket the sources grant on but do not define: its policy and settings are unknown."""
    return BucketState(
        name=name,
        account=symbols.unknown(f"account of bucket {name}"),
        region=symbols.unknown(f"region of bucket {name}"),
        policy=None,
        policy_known=False,
        bpa=BlockPublicAccess(None, None, None, None),
        default_encryption="SSE-KMS",
        default_key_ref=symbols.unknown(f"encryption of bucket {name}"),
    )

"""Storage: S3 buckets and their settings, the services that deliver into them, objects, access
points; and the KMS keys that encrypt them, with their policies, aliases and grants.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.acl import AclGrant
from why403.model.facts.base import Fact
from why403.model.policy import Policy

__all__ = [
    "AccessPointFact",
    "AccessPointPolicyFact",
    "AliasFact",
    "BucketAclFact",
    "BucketEncryptionFact",
    "BucketFact",
    "BucketLoggingFact",
    "BucketPolicyFact",
    "GrantFact",
    "KeyFact",
    "KeyPolicyFact",
    "ObjectFact",
    "OwnershipFact",
    "PublicAccessBlockFact",
    "RequesterPaysFact",
    "ServiceDeliveryFact",
    "ServiceRoleFact",
]


@dataclass(frozen=True)
class BucketFact(Fact):
    name: str
    account: str
    region: str


@dataclass(frozen=True)
class BucketPolicyFact(Fact):
    bucket: str  # bucket name (or a token standing for it)
    policy: Policy
    # The account that writes the policy: a bucket's owner alone may set its policy, so a bucket the
    # sources do not create is in this account (None: not said).
    account: str | None = None


@dataclass(frozen=True)
class BucketEncryptionFact(Fact):
    bucket: str
    algorithm: str  # "AES256", "aws:kms", "aws:kms:dsse", or a token
    key: str | None = None  # key id, key ARN, alias name or alias ARN, as written
    bucket_key: bool | None = False


@dataclass(frozen=True)
class PublicAccessBlockFact(Fact):
    """Bucket-level when ``bucket`` is set; account-level (``aws_s3_account_public_access_block``) otherwise."""

    bucket: str | None
    account: str
    block_public_acls: bool | None = False
    ignore_public_acls: bool | None = False
    block_public_policy: bool | None = False
    restrict_public_buckets: bool | None = False


@dataclass(frozen=True)
class OwnershipFact(Fact):
    bucket: str
    ownership: str  # BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter (or a token)


@dataclass(frozen=True)
class BucketAclFact(Fact):
    bucket: str
    canned: str | None = None  # private, public-read, log-delivery-write ...
    grants: tuple[AclGrant, ...] = ()


@dataclass(frozen=True)
class BucketLoggingFact(Fact):
    """Server access logging from ``bucket`` into ``target_bucket`` (delivered by logging.s3.amazonaws.com)."""

    bucket: str
    target_bucket: str
    target_prefix: str = ""


@dataclass(frozen=True)
class ServiceDeliveryFact(Fact):
    """A resource that makes an AWS service act on a bucket: a trail, a flow log, a GuardDuty
    publishing destination, a Config delivery channel, a CloudFront origin access control...

    ``service`` is the id of the service's entry in ``data/services.json``; ``source_arn`` and
    ``source_account`` the ARN and account of the resource (the service's ``aws:SourceArn`` and
    ``aws:SourceAccount``); ``key`` the KMS key it names for the objects, if any; ``role`` the role
    whose credentials the service uses, for a service that acts as a role (Firehose)."""

    service: str
    bucket: str
    prefix: str
    source_arn: str
    source_account: str
    key: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class ServiceRoleFact(Fact):
    """The role a service acts as in an account (an AWS Config configuration recorder's role):
    ``service`` is its entry in ``data/services.json``."""

    service: str
    role: str
    account: str


@dataclass(frozen=True)
class RequesterPaysFact(Fact):
    bucket: str
    enabled: bool | None


@dataclass(frozen=True)
class ObjectFact(Fact):
    """One object as ``head-object`` describes it: how it is encrypted and, when known, which account
    owns it. Only read from live dumps (``why403 diagnose``); sources never describe objects.

    ``algorithm`` is the ``ServerSideEncryption`` header (``AES256``, ``aws:kms``, ``aws:kms:dsse``),
    None for an unencrypted object. ``owner_account`` None: not determined (ACLs enabled and the
    object written by someone whose account the dumps do not say).
    """

    bucket: str
    key: str
    algorithm: str | None
    kms_key: str | None = None  # the key ARN S3 reports (SSEKMSKeyId)
    bucket_key: bool = False
    owner_account: str | None = None
    exists: bool = True  # head-object answered 404: GetObject then answers 404 or 403 (ListBucket)
    acl: tuple[AclGrant, ...] = ()  # get-object-acl, when ACLs are enabled on the bucket


@dataclass(frozen=True)
class AccessPointFact(Fact):
    name: str
    bucket: str
    account: str
    region: str
    policy: Policy | None = None
    vpc_id: str | None = None  # network origin VPC
    block_public_acls: bool | None = True
    ignore_public_acls: bool | None = True
    block_public_policy: bool | None = True
    restrict_public_buckets: bool | None = True


@dataclass(frozen=True)
class AccessPointPolicyFact(Fact):
    access_point: str  # access point ARN or name
    policy: Policy


# -- KMS --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFact(Fact):
    """A customer managed key. ``policy`` None means the sources set none, so AWS applies the
    default key policy (the account root statement)."""

    key_id: str
    arn: str
    account: str
    region: str
    policy: Policy | None = None
    enabled: bool | None = True
    bypass_lockout_check: bool = False
    aws_managed: bool = False  # KeyManager AWS (aws/s3 ...): its policy cannot be changed


@dataclass(frozen=True)
class KeyPolicyFact(Fact):
    """``aws_kms_key_policy``: replaces the key's policy."""

    key: str  # key id or ARN
    policy: Policy
    bypass_lockout_check: bool = False
    # Where the policy is written: PutKeyPolicy works only in the key's own account, so a key the
    # sources do not create is in this account and region (None: not said).
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class AliasFact(Fact):
    name: str  # "alias/app"
    target_key: str  # key id or ARN
    account: str
    region: str


@dataclass(frozen=True)
class GrantFact(Fact):
    key: str  # key id or ARN
    grantee: str  # principal ARN
    operations: tuple[str, ...]  # "Decrypt", "GenerateDataKey" ...
    context_equals: tuple[tuple[str, str], ...] | None = None
    context_subset: tuple[tuple[str, str], ...] | None = None

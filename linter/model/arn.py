"""Amazon Resource Names: built, taken apart and matched in one place.

Principals, buckets, objects, access points and keys are linked and matched by ARN, so every
stage needs the same spelling of each kind of ARN. Values may hold symbolic tokens
(:mod:`why403.model.symbols`); a token never holds a colon, so splitting at colons is safe.
The partition is ``aws`` unless a caller says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from why403.model.glob import tri_glob
from why403.model.symbols import has_uncertain_token, tri_could_match, tri_equals
from why403.model.tri import Tri, tri_all

PARTITION = "aws"
SERVICE_ROLE_PATH = "/aws-service-role/"
_S3_ARN = re.compile(r"arn:(?P<partition>[^:]+):s3:::(?P<bucket>[^/]+)(?P<rest>/.*)?", re.DOTALL)
_AP_ARN = re.compile(r"(?P<ap>arn:[^:]+:s3:[^:]+:[^:]+:accesspoint/[^/]+)(?:/object/(?P<key>.*))?", re.DOTALL)


@dataclass(frozen=True)
class Arn:
    """``arn:partition:service:region:account:resource``; the resource part may hold colons."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @staticmethod
    def parse(text: str) -> Arn | None:
        """The six parts, or None for anything that is not ``arn:`` and five more parts."""
        parts = split_arn(text)
        if parts is None or parts[0] != "arn":
            return None
        return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def split_arn(text: str) -> list[str] | None:
    """The six colon-separated parts of an ARN (the last keeps its colons), or None."""
    parts = text.split(":", 5)
    return parts if len(parts) == 6 else None


def pattern_parts(pattern: str) -> list[str] | None:
    """The six parts of a ``Resource`` pattern, or None when it cannot name an ARN's six.

    A pattern of six or more colon-separated parts is split as an ARN. A shorter one names ARNs
    only through a ``*`` that ends one of its segments: that ``*`` may run on past the colons
    after it (access-model 6.5; IAM JSON policy elements: Resource), as :mod:`why403.model.glob`
    matches it, so ``arn:aws:sns:*:*`` names every topic and ``arn:aws:sns:*:alerts`` the topic
    ``alerts`` of every region and account. The missing parts are taken as run over by the last
    such ``*`` (the reading that keeps the earlier parts, the service above all, as written), and
    stand as ``*``: ``arn:aws:*`` reads ``arn:aws:*:*:*:*``, a wildcard in the service part."""
    parts = split_arn(pattern)
    if parts is not None:
        return parts
    segments = pattern.split(":")
    spanning = [i for i, segment in enumerate(segments) if segment.endswith("*")]
    if not spanning or segments[0] != "arn":
        return None
    last = spanning[-1] + 1
    return [*segments[:last], *["*"] * (6 - len(segments)), *segments[last:]]


# -- building -------------------------------------------------------------------------------------


def partition_of(region: str) -> str:
    """The partition a region is in: ``aws-cn`` and ``aws-us-gov`` by their prefixes, ``aws`` for
    every other region, and for a region the sources leave open (the home region's token)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return PARTITION


def partition_of_arn(value: str | None) -> str:
    """The partition an ARN names (``aws`` for anything that is not an ARN)."""
    parts = split_arn(value or "")
    return parts[1] if parts is not None and parts[0] == "arn" and parts[1] else PARTITION


def dns_suffix(partition: str) -> str:
    """The domain of the partition's endpoints (CloudFormation's ``AWS::URLSuffix``)."""
    return "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"


def regional(service: str, region: str, account: str, resource: str, partition: str = PARTITION) -> str:
    """The ARN of a resource of ``service`` that lives in one region of one account."""
    return str(Arn(partition, service, region, account, resource))


def iam_entity(account: str, kind: str, name: str, path: str = "/", partition: str = PARTITION) -> str:
    """An IAM entity's ARN: ``kind`` is role, user, group, policy or instance-profile, ``path``
    its IAM path (``/`` unless set, always with its slashes)."""
    return f"arn:{partition}:iam::{account}:{kind}{path}{name}"


def account_root(account: str, partition: str = PARTITION) -> str:
    """The principal that stands for a whole account (its root user, and the account's IAM)."""
    return f"arn:{partition}:iam::{account}:root"


def iam_role(account: str, name: str, partition: str = PARTITION) -> str:
    return iam_entity(account, "role", name, partition=partition)


def assumed_role(account: str, role_name: str, session_name: str, partition: str = PARTITION) -> str:
    """The ARN of a session of a role (what ``sts:AssumeRole`` hands out)."""
    return f"arn:{partition}:sts::{account}:assumed-role/{role_name}/{session_name}"


def s3_bucket(name: str, partition: str = PARTITION) -> str:
    return f"arn:{partition}:s3:::{name}"


def s3_object(bucket: str, key: str, partition: str = PARTITION) -> str:
    return f"arn:{partition}:s3:::{bucket}/{key}"


def s3_access_point(region: str, account: str, name: str, partition: str = PARTITION) -> str:
    return f"arn:{partition}:s3:{region}:{account}:accesspoint/{name}"


def kms_key(region: str, account: str, key_id: str, partition: str = PARTITION) -> str:
    return f"arn:{partition}:kms:{region}:{account}:key/{key_id}"


def kms_alias(region: str, account: str, alias: str, partition: str = PARTITION) -> str:
    """``alias`` with its ``alias/`` prefix, as KMS names aliases."""
    return f"arn:{partition}:kms:{region}:{account}:{alias}"


# -- taking apart ---------------------------------------------------------------------------------


def account_of_root(value: str) -> str | None:
    """The account of ``arn:...:iam::ACCOUNT:root``, else None."""
    parts = split_arn(value)
    if parts is None or parts[2] != "iam" or parts[5] != "root":
        return None
    return parts[4]


def names_account(value: str, account: str) -> Tri:
    """Whether a principal value is the root of ``account`` (the account as a whole). Compared by
    account, whatever partition either side was spelled in: a bare account id in a policy means
    its root in the policy's own partition, which the policy's text does not say."""
    named = account_of_root(value)
    return tri_equals(named, account) if named is not None else False


def literal_account_of(value: str) -> str | None:
    """The 12-digit account a principal value names as a whole account (a bare id or its root
    ARN), when it is written as a literal."""
    account = value if is_literal_account(value) else account_of_root(value)
    return account if account is not None and is_literal_account(account) else None


def is_literal_account(text: str) -> bool:
    """Twelve digits: an account id written out (not a token, not a name)."""
    return len(text) == 12 and text.isdigit()


def role_parts(role_arn: str) -> tuple[str | None, str]:
    """(account, role name) of a role ARN; (None, the text) for anything else."""
    parts = split_arn(role_arn)
    if parts is None:
        return None, role_arn
    return parts[4], parts[5].rsplit("/", 1)[-1]


def is_service_linked_role(role_arn: str | None) -> bool:
    """Whether the role is service-linked: AWS creates those, and only those, under the path
    ``/aws-service-role/`` (IAM user guide, "Using service-linked roles")."""
    parts = split_arn(role_arn or "")
    if parts is None or parts[2] != "iam":
        return False
    return parts[5].startswith("role" + SERVICE_ROLE_PATH)


_DOUBLED_S3_ARN = re.compile(r"arn:[\w-]+:s3:::(arn:[\w-]+:s3:::[^:].*)")


def arn_in_bucket_slot(resource: str) -> str | None:
    """The ARN meant by a resource that has an S3 ARN where the bucket name goes
    (``arn:aws:s3:::${aws_s3_bucket.b.arn}/*``), or None."""
    found = _DOUBLED_S3_ARN.fullmatch(resource)
    return found.group(1) if found is not None else None


_DOUBLED_KMS_ARN = re.compile(r"arn:[\w-]+:kms:[^:]*:[^:]*:key/(arn:[\w-]+:kms:.+)")


def arn_in_key_slot(resource: str) -> str | None:
    """The ARN meant by a KMS resource with a key or alias ARN where the key id goes
    (``arn:aws:kms:r:a:key/${KeyArn}``, a SAM KMSDecryptPolicy given the key's ARN), or None. Key
    ids have no colons, so such a resource names no key."""
    found = _DOUBLED_KMS_ARN.fullmatch(resource)
    return found.group(1) if found is not None else None


# <bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>.amazonaws.com
_S3_DOMAIN = re.compile(r"^(?P<bucket>[^/]+?)\.s3(?:[.-][^/]+?)?\.amazonaws\.com(?:\.cn)?$")


def bucket_of_s3_domain(domain: str) -> str | None:
    """The bucket an S3 endpoint host name addresses (a CloudFront S3 origin), or None."""
    found = _S3_DOMAIN.match(domain)
    return found.group("bucket") if found is not None else None


def split_s3_arn(arn: str) -> tuple[str, str | None] | None:
    """(bucket, key pattern) of a specific S3 ARN; None when the bucket part has wildcards. A bucket
    whose whole name is a token (``var.bucket_name`` with no value) is one bucket, the same wherever
    that token flows."""
    m = _S3_ARN.fullmatch(arn)
    if m is None:
        return None
    bucket = m.group("bucket")
    if "*" in bucket or "?" in bucket or "${" in bucket:
        return None
    rest = m.group("rest")
    return bucket, (rest[1:] if rest is not None else None)


def split_access_point_arn(arn: str) -> tuple[str, str | None] | None:
    """(access point ARN, object key pattern) of an access point ARN without wildcards in its name."""
    m = _AP_ARN.fullmatch(arn)
    if m is None or "*" in m.group("ap") or "?" in m.group("ap"):
        return None
    return m.group("ap"), m.group("key")


# -- matching -------------------------------------------------------------------------------------


def tri_resource_match(pattern: str, arn: str) -> Tri:
    """Whether a Resource element entry matches an ARN (segment rules of access-model 6.5)."""
    return tri_glob(pattern, arn, "resource")


def tri_arn_like(pattern: str, arn: str) -> Tri:
    """ArnLike / ArnEquals: the six parts are compared separately, each as a glob."""
    p, a = split_arn(pattern), split_arn(arn)
    if p is None or a is None:
        if has_uncertain_token(pattern) or has_uncertain_token(arn):
            return None if tri_could_match(pattern, arn, wildcards=True) else False
        return False
    return tri_all(tri_glob(x, y) for x, y in zip(p, a, strict=True))


__all__ = [
    "Arn",
    "account_of_root",
    "account_root",
    "arn_in_bucket_slot",
    "arn_in_key_slot",
    "assumed_role",
    "bucket_of_s3_domain",
    "dns_suffix",
    "iam_entity",
    "iam_role",
    "is_literal_account",
    "is_service_linked_role",
    "kms_alias",
    "kms_key",
    "literal_account_of",
    "names_account",
    "partition_of",
    "partition_of_arn",
    "regional",
    "role_parts",
    "s3_access_point",
    "s3_bucket",
    "s3_object",
    "split_access_point_arn",
    "split_arn",
    "split_s3_arn",
    "tri_arn_like",
    "tri_resource_match",
]

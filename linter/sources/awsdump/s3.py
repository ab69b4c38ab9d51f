"""S3 dumps: each bucket's policy, Block Public Access, Object Ownership, ACL, default encryption and
Region; the account-level Block Public Access; the object of the request (head-object, get-object-acl);
and which account owns which bucket (list-buckets).

A setting whose dump is missing is never defaulted to what a new bucket would have: it is unknown,
and AWS's own "not configured" answer (``NoSuchBucketPolicy`` in the ``.err`` file) is what says a
bucket has no policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from why403.model import symbols
from why403.model.acl import GROUP_GRANTEES, AclGrant, acl_permission
from why403.model.facts import (
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketPolicyFact,
    ObjectFact,
    OwnershipFact,
    PublicAccessBlockFact,
)
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.awsdump.catalogue import command_line, dump_name
from why403.sources.awsdump.context import Reader, Status, is_account
from why403.sources.awsdump.files import DumpFile, DumpName, Located

BUCKET_COMMANDS = ("get-bucket-policy", "get-public-access-block", "get-bucket-ownership-controls",
                   "get-bucket-acl", "get-bucket-encryption", "get-bucket-location", "head-object",
                   "get-object-acl")


@dataclass
class Owners:
    """Which account owns each bucket, and whose canonical user id is whose."""

    buckets: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)


def read_bucket_list(reader: Reader, dump: DumpFile, account: str | None, owners: Owners) -> None:
    located = reader.load(dump)
    if located is None:
        return
    doc = located.value
    owner = doc.get("Owner")
    if account is None:
        reader.note(dump, "the account of this bucket list is not known: name it "
                    "s3api.list-buckets.ACCOUNT.json or add sts.get-caller-identity.json", 1)
        return
    if isinstance(owner, dict) and isinstance(owner.get("ID"), str):
        owners.canonical[owner["ID"]] = account
    for item in reader.field(dump, located, doc, "Buckets", list, "the bucket list") or ():
        if isinstance(item, dict) and isinstance(item.get("Name"), str):
            owners.buckets.setdefault(item["Name"], account)
            if isinstance(item.get("BucketRegion"), str):
                owners.regions.setdefault(item["Name"], item["BucketRegion"])


def bucket_names(reader: Reader) -> list[str]:
    """Buckets with at least one dump of their own."""
    names = {f.name.resource for f in reader.folder.files.values()
             if f.name.service == "s3api" and f.name.command in BUCKET_COMMANDS and f.name.resource}
    return sorted(n for n in names if n)


def _dump(reader: Reader, command: str, bucket: str) -> tuple[DumpFile | None, Located | None]:
    dump = reader.folder.get("s3api", command, bucket)
    if dump is None:
        return None, None
    return dump, reader.load(dump)


def _missing(reader: Reader, name: DumpName, **values: str) -> str:
    """Why a setting is unknown: the dump's failure or its absence, and the command to collect it."""
    status = reader.state(name)
    if status is not None and status.state in ("failed", "empty", "malformed"):
        why = f"{name.file}: {status.detail}"
    else:
        why = f"{name.file} was not collected"
    return f"{why} (collect: {command_line(name, **values)})"


def read_bucket(reader: Reader, bucket: str, owners: Owners, account_hint: str | None,
                region_hint: str | None, object_key: str | None) -> None:
    account = account_hint or owners.buckets.get(bucket) or symbols.unknown(f"account of bucket {bucket}")
    region = _region(reader, bucket, owners) or region_hint or symbols.unknown(f"region of bucket {bucket}")
    first = next((f for f in sorted(reader.folder.files.values(), key=lambda f: f.name.stem)
                  if f.name.service == "s3api" and f.name.resource == bucket), None)
    where = Location(first.file if first else str(reader.folder.root), 1)
    ref = f"s3://{bucket}"
    reader.facts.append(BucketFact(ref=ref, location=where, name=bucket, account=account, region=region))
    _policy(reader, bucket, ref)
    _public_access_block(reader, bucket, ref, account)
    ownership = _ownership(reader, bucket, ref)
    _acl(reader, bucket, ref, account, owners)
    _encryption(reader, bucket, ref)
    if object_key is not None:
        _object(reader, bucket, object_key, account, ownership, owners)


def _region(reader: Reader, bucket: str, owners: Owners) -> str | None:
    dump, located = _dump(reader, "get-bucket-location", bucket)
    if dump is not None and located is not None:
        constraint = located.value.get("LocationConstraint", "")
        if constraint in (None, ""):
            return "us-east-1"  # the API answers null for us-east-1
        if constraint == "EU":
            return "eu-west-1"  # the legacy name of eu-west-1
        if isinstance(constraint, str):
            return constraint
    return owners.regions.get(bucket)


def _policy(reader: Reader, bucket: str, ref: str) -> None:
    dump, located = _dump(reader, "get-bucket-policy", bucket)
    name = dump_name("s3api", "get-bucket-policy", bucket)
    if dump is not None and located is not None:
        policy = reader.policy(located.value.get("Policy"), PolicyKind.BUCKET, f"bucket policy of {bucket}", dump,
                               located, located.value, "Policy")
        reader.facts.append(BucketPolicyFact(ref=f"{ref} policy", location=policy.location or dump.location(),
                                             bucket=bucket, policy=policy))
        return
    if _absent(reader, name):
        return
    where = Location(dump.file if dump else str(reader.folder.root), 1)
    reader.facts.append(BucketPolicyFact(ref=f"{ref} policy", location=where, bucket=bucket, policy=Policy(
        kind=PolicyKind.BUCKET, origin=f"bucket policy of {bucket}", location=where,
        unknown=_missing(reader, name, bucket=bucket))))


def _absent(reader: Reader, name: DumpName) -> bool:
    status: Status | None = reader.state(name)
    return status is not None and status.state == "absent"


def _bpa_values(reader: Reader, dump: DumpFile, located: Located) -> tuple[bool | None, ...]:
    conf = reader.field(dump, located, located.value, "PublicAccessBlockConfiguration", dict,
                        "the Block Public Access settings") or {}
    out: list[bool | None] = []
    for key in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"):
        value = conf.get(key)
        out.append(value if isinstance(value, bool) else False)  # a setting AWS leaves out is off
    return tuple(out)


def _public_access_block(reader: Reader, bucket: str, ref: str, account: str) -> None:
    dump, located = _dump(reader, "get-public-access-block", bucket)
    name = dump_name("s3api", "get-public-access-block", bucket)
    where = dump.location() if dump else Location(str(reader.folder.root), 1)
    if dump is not None and located is not None:
        values = _bpa_values(reader, dump, located)
    elif _absent(reader, name):
        values = (False, False, False, False)
    else:
        values = (None, None, None, None)
    reader.facts.append(PublicAccessBlockFact(f"{ref} public access block", where, bucket, account, *values))


def read_account_public_access_block(reader: Reader, dump: DumpFile, account: str) -> None:
    located = reader.load(dump)
    if located is not None:
        values = _bpa_values(reader, dump, located)
    elif _absent(reader, dump.name):
        values = (False, False, False, False)
    else:
        return  # unknown: the world combines a missing account level as unknown
    reader.facts.append(PublicAccessBlockFact(f"account {account} public access block", dump.location(), None,
                                              account, *values))


def _ownership(reader: Reader, bucket: str, ref: str) -> str | None:
    dump, located = _dump(reader, "get-bucket-ownership-controls", bucket)
    name = dump_name("s3api", "get-bucket-ownership-controls", bucket)
    value: str | None = None
    if dump is not None and located is not None:
        controls = reader.field(dump, located, located.value, "OwnershipControls", dict, "the ownership controls")
        rules = (controls or {}).get("Rules") or []
        first = rules[0] if isinstance(rules, list) and rules and isinstance(rules[0], dict) else {}
        found = first.get("ObjectOwnership")
        if found in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"):
            value = str(found)
        else:
            reader.error(dump, f"unknown ObjectOwnership {found!r}", located.line(controls) if controls else 1)
    elif _absent(reader, name):
        value = "ObjectWriter"  # a bucket without ownership controls: ACLs on, the writer owns objects
    if value is not None:
        reader.facts.append(OwnershipFact(f"{ref} ownership controls", dump.location() if dump else
                                          Location(str(reader.folder.root)), bucket, value))
    return value


def _grant(grantee: dict[str, Any], name: str, owners: Owners) -> AclGrant | None:
    permission = acl_permission(name)
    if permission is None:
        return None
    kind = grantee.get("Type")
    if kind == "Group":
        group = GROUP_GRANTEES.get(str(grantee.get("URI", "")))
        return AclGrant(group, permission) if group else None
    if kind == "CanonicalUser" and isinstance(grantee.get("ID"), str):
        cid = grantee["ID"]
        account = owners.canonical.get(cid) or symbols.unknown(f"account of canonical user {cid[:16]}")
        return AclGrant("account", permission, account)
    if kind == "AmazonCustomerByEmail":
        return AclGrant("account", permission, symbols.unknown("account of an ACL grantee named by email"))
    return None


def _acl_grants(reader: Reader, dump: DumpFile, located: Located, owners: Owners) -> tuple[AclGrant, ...]:
    grants: list[AclGrant] = []
    for item in reader.field(dump, located, located.value, "Grants", list, "the ACL") or ():
        if isinstance(item, dict) and isinstance(item.get("Grantee"), dict):
            grant = _grant(item["Grantee"], str(item.get("Permission", "")), owners)
            if grant is not None:
                grants.append(grant)
    return tuple(grants)


def _acl(reader: Reader, bucket: str, ref: str, account: str, owners: Owners) -> None:
    dump, located = _dump(reader, "get-bucket-acl", bucket)
    if dump is None or located is None:
        return
    owner = located.value.get("Owner")
    if isinstance(owner, dict) and isinstance(owner.get("ID"), str) and is_account(account):
        owners.canonical.setdefault(owner["ID"], account)
    grants = _acl_grants(reader, dump, located, owners)
    reader.facts.append(BucketAclFact(f"{ref} acl", dump.location(), bucket, None, grants))


def _encryption(reader: Reader, bucket: str, ref: str) -> None:
    dump, located = _dump(reader, "get-bucket-encryption", bucket)
    name = dump_name("s3api", "get-bucket-encryption", bucket)
    where = dump.location() if dump else Location(str(reader.folder.root), 1)
    if dump is not None and located is not None:
        conf = reader.field(dump, located, located.value, "ServerSideEncryptionConfiguration", dict,
                            "the default encryption") or {}
        rules = conf.get("Rules") or []
        rule = rules[0] if isinstance(rules, list) and rules and isinstance(rules[0], dict) else {}
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm") if isinstance(default, dict) else None
        if not isinstance(algorithm, str):
            reader.error(dump, "no SSEAlgorithm in the default encryption rule", located.line(conf) if conf else 1)
            algorithm = symbols.unknown(f"default encryption of {bucket}")
        key = default.get("KMSMasterKeyID") if isinstance(default, dict) else None
        reader.facts.append(BucketEncryptionFact(f"{ref} encryption", where, bucket, algorithm,
                                                 key if isinstance(key, str) else None,
                                                 rule.get("BucketKeyEnabled") is True))
    elif _absent(reader, name):
        reader.facts.append(BucketEncryptionFact(f"{ref} encryption", where, bucket, "AES256"))
    else:
        reader.facts.append(BucketEncryptionFact(f"{ref} encryption", where, bucket,
                                                 symbols.unknown(_missing(reader, name, bucket=bucket))))


def _object(reader: Reader, bucket: str, key: str, account: str, ownership: str | None, owners: Owners) -> None:
    dump, located = _dump(reader, "head-object", bucket)
    if dump is None:
        return
    where = dump.location()
    owner: str | None = account if ownership == "BucketOwnerEnforced" else None
    acl: tuple[AclGrant, ...] = ()
    acl_dump, acl_located = _dump(reader, "get-object-acl", bucket)
    if acl_dump is not None and acl_located is not None:
        acl = _acl_grants(reader, acl_dump, acl_located, owners)
        found = acl_located.value.get("Owner")
        if owner is None and isinstance(found, dict) and isinstance(found.get("ID"), str):
            owner = owners.canonical.get(found["ID"])
    if located is None:
        if _absent(reader, dump.name):
            reader.facts.append(ObjectFact(f"s3://{bucket}/{key}", where, bucket, key, None, owner_account=owner,
                                           exists=False))
        return
    head = located.value
    algorithm = head.get("ServerSideEncryption")
    kms_key = head.get("SSEKMSKeyId")
    if head.get("SSECustomerAlgorithm") is not None:
        reader.note(dump, "the object is encrypted with a customer-provided key (SSE-C): S3 calls no KMS key for "
                    "it", located.line(head))
    reader.facts.append(ObjectFact(
        f"s3://{bucket}/{key}", Location(dump.file, located.line(head)), bucket, key,
        algorithm if isinstance(algorithm, str) else None,
        kms_key=kms_key if isinstance(kms_key, str) else None, bucket_key=head.get("BucketKeyEnabled") is True,
        owner_account=owner, acl=acl))

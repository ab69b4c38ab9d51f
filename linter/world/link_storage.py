"""Keys, buckets, objects and access points: the S3 and KMS state each request meets.

A bucket joins the facts written about it anywhere (policy, encryption, ownership, ACL, Block
Public Access at bucket and account level, Requester Pays) by its name; a key its policy,
grants and aliases by id, ARN and alias.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.arn import PARTITION, account_root, kms_alias, kms_key, partition_of, s3_bucket
from why403.model.facts import (
    AccessPointFact,
    AccessPointPolicyFact,
    AliasFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    Fact,
    GrantFact,
    KeyFact,
    KeyPolicyFact,
    ObjectFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RequesterPaysFact,
    ServiceDeliveryFact,
    ServiceRoleFact,
)
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.simulate import services
from why403.simulate.state import (
    AccessPointState,
    BlockPublicAccess,
    BucketState,
    KmsGrant,
    KmsKey,
    ObjectState,
    external_bucket,
)
from why403.world.linker import Linker
from why403.world.model import AccessPointInfo, BucketInfo, ServiceUse, WrittenPolicy

_CANNED_BUCKET_ACLS: dict[str, tuple[tuple[str, str], ...]] = {
    "private": (),
    "public-read": (("AllUsers", "READ"),),
    "public-read-write": (("AllUsers", "READ"), ("AllUsers", "WRITE")),
    "authenticated-read": (("AuthenticatedUsers", "READ"),),
    "log-delivery-write": (("LogDelivery", "WRITE"), ("LogDelivery", "READ_ACP")),
}


def default_key_policy(account: str, origin: str, location: Location | None, partition: str = PARTITION) -> Policy:
    """The key policy AWS applies when the sources set none: the account root may use IAM."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(account, partition)},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }
    return parse_policy(doc, PolicyKind.KEY, origin=f"{origin} (default key policy)", location=location,
                        validate=False)


def keys(b: Linker) -> None:
    policies = b.by(KeyPolicyFact, "key")
    grants: dict[str, list[KmsGrant]] = defaultdict(list)
    for f in b.of(GrantFact):
        assert isinstance(f, GrantFact)
        grants[f.key].append(KmsGrant(
            grantee=f.grantee, operations=f.operations,
            context_equals=dict(f.context_equals) if f.context_equals is not None else None,
            context_subset=dict(f.context_subset) if f.context_subset is not None else None,
            ref=f.ref, location=f.location))
    for f in b.of(KeyFact):
        assert isinstance(f, KeyFact)
        override = policies.get(f.key_id) or policies.get(f.arn)
        policy = override.policy if override else f.policy
        if policy is None:
            policy = default_key_policy(f.account, f.ref, f.location, partition_of(f.region))
        key = KmsKey(arn=f.arn, account=f.account, region=f.region, policy=policy,
                     grants=tuple(grants.get(f.key_id, []) + grants.get(f.arn, [])),
                     aws_managed=f.aws_managed, enabled=f.enabled, ref=f.ref, location=f.location,
                     bypass_lockout_check=f.bypass_lockout_check or bool(override and
                                                                         override.bypass_lockout_check))
        b.world.keys[f.arn] = key
        b.world.keys[f.key_id] = key
        b.ref(f.ref, f.arn)
    for f in b.of(KeyPolicyFact):
        assert isinstance(f, KeyPolicyFact)
        if f.key not in b.world.keys:
            _foreign_key(b, f, grants)
    for f in b.of(AliasFact):
        assert isinstance(f, AliasFact)
        target = b.world.keys.get(f.target_key)
        if target is None:
            continue
        name = f.name if f.name.startswith("alias/") else f"alias/{f.name}"
        b.world.keys[name] = target
        b.world.keys[kms_alias(f.region, f.account, name, partition_of(f.region))] = target


def _foreign_key(b: Linker, f: KeyPolicyFact, grants: dict[str, list[KmsGrant]]) -> None:
    """A key the sources write a policy for but do not create (``aws_kms_key_policy`` with a key id
    from a variable or a literal): a key of the account and region the policy is written in (KMS
    takes PutKeyPolicy only there), whose policy is the one written, with its id as a symbol when
    the sources leave it open."""
    account = f.account or symbols.unknown(f"account of key {f.key}")
    region = f.region or symbols.unknown(f"region of key {f.key}")
    arn = f.key if f.key.startswith("arn:") else kms_key(region, account, f.key, partition_of(region))
    key = KmsKey(arn=arn, account=account, region=region, policy=f.policy,
                 grants=tuple(grants.get(f.key, []) + grants.get(arn, [])), ref=f.ref, location=f.location,
                 bypass_lockout_check=f.bypass_lockout_check)
    b.world.keys[arn] = key
    b.world.keys[f.key] = key


def _foreign_bucket(b: Linker, name: str, policies: list[BucketPolicyFact],
                    bucket_bpa: PublicAccessBlockFact | None, account_bpa: dict[str, PublicAccessBlockFact]
                    ) -> BucketInfo:
    """A bucket the sources write a policy for but do not create (given by name, variable or
    parameter). Only its owner may set its policy, so it is in the account that writes it; the rest
    of its settings are unknown except what the sources write about it (a Block Public Access of its
    own). Its policy is linted like any other; rules say the bucket is not in the sources."""
    fact = policies[-1]
    state = external_bucket(name)
    account = fact.account or state.account
    policy = fact.policy
    if len(policies) > 1:
        refs = ", ".join(p.ref for p in policies)
        policy = Policy(kind=PolicyKind.BUCKET, origin=fact.ref, location=fact.location,
                        unknown=f"several policies are written for this bucket ({refs}); each apply replaces "
                                "the others")
    bpa = _bpa(bucket_bpa) if bucket_bpa else BlockPublicAccess(None, None, None, None)
    acct = account_bpa.get(account)
    bpa = bpa.combined(_bpa(acct) if acct else BlockPublicAccess(None, None, None, None))
    state = replace(state, account=account, policy=policy, policy_known=True, bpa=bpa, ref=fact.ref,
                    location=fact.location)
    return BucketInfo(state, fact.ref, fact.location, fact.ref, in_sources=False,
                      competing_policies=_written(policies))


def _written(policies: list[BucketPolicyFact]) -> tuple[WrittenPolicy, ...]:
    """The competing policies of one bucket (none when it is given only one)."""
    if len(policies) < 2:
        return ()
    return tuple(WrittenPolicy(p.ref, p.location, p.policy.existence_open) for p in policies)


def buckets(b: Linker) -> None:
    world = b.world
    by_bucket: dict[type, dict[str, Fact]] = defaultdict(dict)
    for cls in (BucketPolicyFact, BucketEncryptionFact, OwnershipFact, BucketAclFact, RequesterPaysFact):
        for f in b.of(cls):
            by_bucket[cls][getattr(f, "bucket")] = f  # noqa: B009 - every class has .bucket
    all_policies: dict[str, list[BucketPolicyFact]] = defaultdict(list)
    for f in b.of(BucketPolicyFact):
        assert isinstance(f, BucketPolicyFact)
        all_policies[f.bucket].append(f)
    definitions: dict[str, int] = defaultdict(int)
    for f in b.of(BucketFact):
        assert isinstance(f, BucketFact)
        definitions[f.name] += 1
    bucket_bpa: dict[str, PublicAccessBlockFact] = {}
    account_bpa: dict[str, PublicAccessBlockFact] = {}
    for f in b.of(PublicAccessBlockFact):
        assert isinstance(f, PublicAccessBlockFact)
        if f.bucket is None:
            account_bpa[f.account] = f
        else:
            bucket_bpa[f.bucket] = f
    for f in b.of(BucketFact):
        assert isinstance(f, BucketFact)
        name = f.name
        policy_fact = by_bucket[BucketPolicyFact].get(name)
        policy = policy_fact.policy if isinstance(policy_fact, BucketPolicyFact) else None
        # Competing policies of one bucket; a name defined by several buckets (copies of a fixture,
        # stacks that cannot both be deployed) is not one bucket whose policies compete.
        competing = all_policies.get(name, []) if definitions[name] == 1 else []
        if len(competing) > 1:
            refs = ", ".join(p.ref for p in competing)
            policy = Policy(kind=PolicyKind.BUCKET, origin=f"{f.ref} policy", location=f.location,
                            unknown=f"several policies are written for this bucket ({refs}); each apply replaces "
                                    "the others")
        if policy is None and f.ref in b.unread_by_ref:
            unread = ", ".join(b.unread_by_ref[f.ref][:3])
            policy = Policy(kind=PolicyKind.BUCKET, origin=f"{f.ref} policy", location=f.location,
                            unknown=f"parts of the sources that why403 cannot read may set it ({unread})")
        bpa_fact = bucket_bpa.get(name)
        bpa = _bpa(bpa_fact) if bpa_fact else BlockPublicAccess.all(True)
        acct = account_bpa.get(f.account)
        bpa = bpa.combined(_bpa(acct) if acct else BlockPublicAccess(None, None, None, None))
        own = by_bucket[OwnershipFact].get(name)
        ownership = own.ownership if isinstance(own, OwnershipFact) else "BucketOwnerEnforced"
        if ownership not in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"):
            ownership = "BucketOwnerEnforced"
        acl_fact = by_bucket[BucketAclFact].get(name)
        acl_conflict = None
        if isinstance(acl_fact, BucketAclFact) and own is None and _grants_beyond_owner(acl_fact):
            # The sources rely on the ACL, which only a bucket with ACLs enabled can hold: simulate
            # that bucket (W403-S403 says a new deployment would be refused).
            ownership = "ObjectWriter"
            acl_conflict = acl_fact.canned or "a grant ACL"
        acl = _acl(acl_fact, f.account) if isinstance(acl_fact, BucketAclFact) else \
            (AclGrant("account", "FULL_CONTROL", f.account),)
        rp = by_bucket[RequesterPaysFact].get(name)
        enc = by_bucket[BucketEncryptionFact].get(name)
        encryption, key, key_ref, bucket_key = default_encryption(b, enc)
        state = BucketState(
            name=name, account=f.account, region=f.region, policy=policy, acl=acl,
            ownership=ownership,  # type: ignore[arg-type]
            bpa=bpa, requester_pays=bool(isinstance(rp, RequesterPaysFact) and rp.enabled),
            default_encryption=encryption,  # type: ignore[arg-type]
            default_key=key, default_key_ref=key_ref, bucket_key=bucket_key,
            ref=f.ref, location=f.location)
        world.buckets[name] = BucketInfo(state, f.ref, f.location,
                                         policy_fact.ref if isinstance(policy_fact, BucketPolicyFact) else None,
                                         acl_without_ownership=acl_conflict,
                                         competing_policies=_written(competing), bpa_by_default=bpa_fact is None)
        b.ref(f.ref, name)
    for name, written in sorted(all_policies.items()):
        if name not in world.buckets:
            world.buckets[name] = _foreign_bucket(b, name, written, bucket_bpa.get(name), account_bpa)
    for f in b.of(BucketLoggingFact):
        assert isinstance(f, BucketLoggingFact)
        source = world.buckets.get(f.bucket)
        account = source.state.account if source else symbols.unknown(f"account of bucket {f.bucket}")
        source_arn = source.state.arn if source else s3_bucket(f.bucket)
        world.services.append(ServiceUse("logging.s3.amazonaws.com", f.target_bucket, f.target_prefix,
                                         source_arn, account, f.ref, f.location))
    roles: dict[tuple[str, str], str] = {}
    for r in b.of(ServiceRoleFact):
        assert isinstance(r, ServiceRoleFact)
        roles[(r.service, r.account)] = r.role
    for d in b.of(ServiceDeliveryFact):
        assert isinstance(d, ServiceDeliveryFact)
        prof = services.profile(d.service)
        role = d.role if prof.caller is not None else roles.get((prof.id, d.source_account))
        if prof.id == "config":
            # Config writes as its recorder's role, as the service only with the service-linked role.
            recorder = roles.get((prof.id, d.source_account))
            if recorder is None:
                continue  # who writes is not in the sources
            role = None if "/aws-service-role/" in recorder else recorder
        principal = role or prof.principal
        if principal is None:
            continue
        named = world.keys.get(d.key) if d.key is not None else None
        key_id = named.arn if named is not None else d.key  # in the header S3 receives: the key's ARN
        world.services.append(ServiceUse(principal, d.bucket, d.prefix, d.source_arn, d.source_account, d.ref,
                                         d.location, prof.id, key_id, as_role=role is not None))


def default_encryption(b: Linker, fact: Fact | None) -> tuple[str, KmsKey | None, str | None, bool]:
    if not isinstance(fact, BucketEncryptionFact):
        return "SSE-S3", None, None, False
    algorithm = fact.algorithm
    bucket_key = bool(fact.bucket_key)
    if algorithm == "AES256":
        return "SSE-S3", None, None, False
    if algorithm in ("aws:kms", "aws:kms:dsse"):
        kind = "SSE-KMS" if algorithm == "aws:kms" else "DSSE-KMS"
        if not fact.key:
            return kind, None, None, bucket_key
        found = b.world.keys.get(fact.key)
        return kind, found, None if found else fact.key, bucket_key
    return "SSE-KMS", None, symbols.unknown(f"encryption of {fact.ref}"), bucket_key


def objects(b: Linker) -> None:
    """Objects a live dump describes (head-object): their own encryption and key, which S3 uses
    to read them whatever the bucket's default encryption is now."""
    kinds = {None: "none", "AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}
    for f in b.of(ObjectFact):
        assert isinstance(f, ObjectFact)
        encryption = kinds.get(f.algorithm)
        if encryption is None:  # an algorithm this version does not know: S3 may call KMS or not
            continue
        key = b.world.keys.get(f.kms_key) if f.kms_key else None
        owner = f.owner_account or symbols.unknown(f"owner of s3://{f.bucket}/{f.key}")
        b.world.objects[(f.bucket, f.key)] = ObjectState(
            key=f.key, owner_account=owner, acl=f.acl, encryption=encryption,  # type: ignore[arg-type]
            kms_key=key, bucket_key=f.bucket_key, exists=f.exists)


def access_points(b: Linker) -> None:
    overrides = b.by(AccessPointPolicyFact, "access_point")
    for f in b.of(AccessPointFact):
        assert isinstance(f, AccessPointFact)
        state = AccessPointState(name=f.name, account=f.account, region=f.region, policy=f.policy,
                                 vpc_origin=f.vpc_id,
                                 bpa=BlockPublicAccess(f.block_public_acls, f.ignore_public_acls,
                                                       f.block_public_policy, f.restrict_public_buckets),
                                 ref=f.ref)
        override = overrides.get(state.arn) or overrides.get(f.name)
        if override is not None:
            state = replace(state, policy=override.policy)
        b.world.access_points[state.arn] = AccessPointInfo(state, f.bucket, f.ref, f.location)
        b.ref(f.ref, state.arn)


def _bpa(f: PublicAccessBlockFact) -> BlockPublicAccess:
    return BlockPublicAccess(f.block_public_acls, f.ignore_public_acls, f.block_public_policy,
                             f.restrict_public_buckets)


def _acl(f: BucketAclFact, owner: str) -> tuple[AclGrant, ...]:
    grants: list[AclGrant] = [AclGrant("account", "FULL_CONTROL", owner)]
    if f.canned:
        for grantee, perm in _CANNED_BUCKET_ACLS.get(f.canned, ()):
            grants.append(AclGrant(grantee, perm))  # type: ignore[arg-type]
    grants.extend(f.grants)
    return tuple(grants)


def _grants_beyond_owner(f: BucketAclFact) -> bool:
    if f.canned not in (None, "private", "bucket-owner-full-control", "bucket-owner-read"):
        return True
    return any(g.grantee != "account" for g in f.grants)

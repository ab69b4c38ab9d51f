"""Facts from every input -> one linked :class:`World`.

Linking is by the values AWS itself links by: a bucket policy belongs to the bucket whose name it
carries, an attachment to the role whose name or ARN it names, a subnet reaches an S3 gateway
endpoint through its route table. Because frontends turn the same source value into the same
string (tokens included), ``aws_s3_bucket.x.id`` in one file and ``aws_s3_bucket.x.bucket`` in
another meet here without the world knowing any syntax.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.actor import Actor, role_session
from why403.model.arn import account_root, is_literal_account, kms_alias, literal_account_of, s3_bucket, split_arn
from why403.model.facts import (
    AccessPointFact,
    AccessPointPolicyFact,
    AliasFact,
    AttachmentFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    ComputeFact,
    DeployerFact,
    Diagnostic,
    EndpointFact,
    EndpointPolicyFact,
    EndpointRouteTableFact,
    Fact,
    GrantFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    InstanceProfileFact,
    KeyFact,
    KeyPolicyFact,
    ManagedPolicyFact,
    ObjectFact,
    OrgAttachmentFact,
    OrgMembershipFact,
    OrgPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RequesterPaysFact,
    RoleFact,
    RouteTableAssociationFact,
    SessionFact,
    SourceResult,
    TaskDefinitionFact,
    UserFact,
)
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.model.settings import Settings
from why403.policy.parse import parse_policy
from why403.simulate.state import (
    AccessPointState,
    AccountOrg,
    BlockPublicAccess,
    BucketState,
    Environment,
    KmsGrant,
    KmsKey,
    ObjectState,
    Organizations,
    OrgLevel,
)
from why403.world.managed import ADMIN_POLICY_ARN, aws_managed_policy, is_aws_managed
from why403.world.model import (
    AccessPointInfo,
    BucketInfo,
    EndpointInfo,
    NetworkPath,
    PrincipalInfo,
    ServiceUse,
    World,
    endpoint_path,
    internet_path,
)

_CANNED_BUCKET_ACLS: dict[str, tuple[tuple[str, str], ...]] = {
    "private": (),
    "public-read": (("AllUsers", "READ"),),
    "public-read-write": (("AllUsers", "READ"), ("AllUsers", "WRITE")),
    "authenticated-read": (("AuthenticatedUsers", "READ"),),
    "log-delivery-write": (("LogDelivery", "WRITE"), ("LogDelivery", "READ_ACP")),
}


def default_key_policy(account: str, origin: str, location: Location | None) -> Policy:
    """The key policy AWS applies when the sources set none: the account root may use IAM."""
    doc = {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": account_root(account)},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }
    return parse_policy(doc, PolicyKind.KEY, origin=f"{origin} (default key policy)", location=location,
                        validate=False)


def _full_access(kind: PolicyKind, name: str) -> Policy:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                    **({"Principal": "*"} if kind is PolicyKind.RCP else {})}]}
    return parse_policy(doc, kind, origin=name, validate=False)


def _missing_level(node: str) -> Policy:
    """The SCPs of a level the organization dumps attach nothing to: AWS keeps at least one SCP on
    every root, OU and account while SCPs are enabled, so the dumps are incomplete there."""
    return Policy(kind=PolicyKind.SCP, origin=f"SCPs of {node}",
                  unknown=f"no SCP attached to {node} is in the dumps (AWS requires one on every level)")


class _Builder:
    def __init__(self, results: Sequence[SourceResult], settings: Settings) -> None:
        self.settings = settings
        self.facts: dict[type, list[Fact]] = defaultdict(list)
        self.diagnostics: list[Diagnostic] = []
        self.resources = 0
        self.unread_by_ref: dict[str, tuple[str, ...]] = {}
        for result in results:
            self.resources += result.resources
            self.diagnostics.extend(result.diagnostics)
            for fact in result.facts:
                self.facts[type(fact)].append(fact)
                if result.unread and isinstance(fact, BucketFact):
                    self.unread_by_ref[fact.ref] = result.unread
        self.world = World(settings=settings, env=Environment(), diagnostics=self.diagnostics,
                           resources=self.resources)

    def of(self, cls: type[Fact]) -> list[Fact]:
        return self.facts.get(cls, [])

    # -- accounts and organizations -------------------------------------------------------------

    def accounts(self) -> None:
        for fact in self.facts_all():
            account = getattr(fact, "account", None)
            if isinstance(account, str) and account:
                self.world.accounts.add(account)
        if self.settings.account_id:
            self.world.accounts.add(self.settings.account_id)

    def facts_all(self) -> Iterable[Fact]:
        for facts in self.facts.values():
            yield from facts

    def organizations(self) -> Organizations:
        settings = self.settings
        org = settings.organization
        members = set(org.accounts) if org else set()
        management = {org.management_account} if org and org.management_account else set()
        policies: dict[str, OrgPolicyFact] = {}
        targets: dict[str, set[str]] = defaultdict(set)
        for f in self.of(OrgPolicyFact):
            assert isinstance(f, OrgPolicyFact)
            policies[f.policy_id] = f
            targets[f.policy_id].update(f.targets)
            # Organization policies are created in the management account (or a delegated admin).
            creator = getattr(f, "account", None)
            if isinstance(creator, str) and not management:
                management.add(creator)
        for f in self.of(OrgAttachmentFact):
            assert isinstance(f, OrgAttachmentFact)
            targets[f.policy_id].add(f.target)
        scp: dict[str, list[Policy]] = defaultdict(list)
        rcp: dict[str, list[Policy]] = defaultdict(list)
        everyone = set(self.world.accounts) | members
        in_some_org: set[str] = set(members) | management
        for pid, fact in policies.items():
            bucket = scp if fact.policy_type.upper().startswith("SERVICE") else rcp
            for target in targets.get(pid, ()):
                if (target.isdigit() and len(target) == 12) or target == symbols.HOME_ACCOUNT:
                    bucket[target].append(fact.policy)
                    in_some_org.add(target)
                elif target.startswith("r-") and members:
                    for account in members:
                        bucket[account].append(fact.policy)
                else:
                    reason = f"attached to {symbols.render(target)}, whose member accounts are not in the " \
                             "sources (config: organization.accounts)"
                    for account in everyone:
                        bucket[account].append(fact.policy.with_maybe(reason))
        accounts: dict[str, AccountOrg] = {}
        placed = self.placed_accounts(policies, targets)
        for account in everyone | set(scp) | set(rcp) | in_some_org:
            if account in placed:
                accounts[account] = placed[account]
                continue
            org_id = org.id if org and (account in members or account in management) else None
            levels_scp = (OrgLevel("attached policies", (_full_access(PolicyKind.SCP, "FullAWSAccess"),
                                                         *scp[account])),) if scp.get(account) else ()
            levels_rcp = (OrgLevel("attached policies", (_full_access(PolicyKind.RCP, "RCPFullAWSAccess"),
                                                         *rcp[account])),) if rcp.get(account) else ()
            accounts[account] = AccountOrg(org_id=org_id, management=account in management,
                                           scp_levels=levels_scp, rcp_levels=levels_rcp)
        for account, org_placed in placed.items():
            accounts.setdefault(account, org_placed)
        self.in_some_org = in_some_org | set(placed)
        return Organizations(accounts)

    def placed_accounts(self, policies: dict[str, OrgPolicyFact], targets: dict[str, set[str]]
                        ) -> dict[str, AccountOrg]:
        """Accounts whose place in the organization is known (live dumps): one level per node from the
        root to the account, each holding exactly the SCPs attached to it, so that a level where
        ``FullAWSAccess`` is detached denies what its policies do not allow (access-model 2.2, V16).
        ``RCPFullAWSAccess`` cannot be detached, so every level of an organization with RCPs has it."""
        out: dict[str, AccountOrg] = {}
        for f in self.of(OrgMembershipFact):
            assert isinstance(f, OrgMembershipFact)
            nodes = (*f.parents, f.account)
            scp: dict[str, list[Policy]] = {n: [] for n in nodes}
            rcp: dict[str, list[Policy]] = {n: [] for n in nodes}
            for pid, fact in policies.items():
                chosen = scp if fact.policy_type.upper().startswith("SERVICE") else rcp
                for target in targets.get(pid, ()):
                    if target in chosen:
                        chosen[target].append(fact.policy)
            scp_levels: tuple[OrgLevel, ...] = ()
            if any(scp.values()):
                scp_levels = tuple(OrgLevel(n, tuple(scp[n]) or (_missing_level(n),)) for n in nodes)
            rcp_levels: tuple[OrgLevel, ...] = ()
            if any(rcp.values()):
                full = _full_access(PolicyKind.RCP, "RCPFullAWSAccess")
                rcp_levels = tuple(OrgLevel(n, (full, *rcp[n])) for n in nodes)
            out[f.account] = AccountOrg(org_id=f.org_id, management=f.account == f.management_account,
                                        scp_levels=scp_levels, rcp_levels=rcp_levels,
                                        org_paths=("/".join((f.org_id, *f.parents)) + "/",))
        return out

    def org_of(self, account: str) -> tuple[str | None, bool]:
        """(organization id, whether that is known) for principals of ``account``."""
        for f in self.of(OrgMembershipFact):
            assert isinstance(f, OrgMembershipFact)
            if f.account == account:
                return f.org_id, True
        org = self.settings.organization
        if org is not None:
            if account in org.accounts or account == org.management_account:
                return org.id, True
            if org.accounts:
                return None, True  # the config lists the members; this account is not one
        return None, False

    # -- keys -------------------------------------------------------------------------------------

    def keys(self) -> None:
        policies: dict[str, KeyPolicyFact] = {}
        for f in self.of(KeyPolicyFact):
            assert isinstance(f, KeyPolicyFact)
            policies[f.key] = f
        grants: dict[str, list[KmsGrant]] = defaultdict(list)
        for f in self.of(GrantFact):
            assert isinstance(f, GrantFact)
            grants[f.key].append(KmsGrant(
                grantee=f.grantee, operations=f.operations,
                context_equals=dict(f.context_equals) if f.context_equals is not None else None,
                context_subset=dict(f.context_subset) if f.context_subset is not None else None,
                ref=f.ref, location=f.location))
        for f in self.of(KeyFact):
            assert isinstance(f, KeyFact)
            override = policies.get(f.key_id) or policies.get(f.arn)
            policy = override.policy if override else f.policy
            if policy is None:
                policy = default_key_policy(f.account, f.ref, f.location)
            key = KmsKey(arn=f.arn, account=f.account, region=f.region, policy=policy,
                         grants=tuple(grants.get(f.key_id, []) + grants.get(f.arn, [])),
                         aws_managed=f.aws_managed, enabled=f.enabled, ref=f.ref, location=f.location,
                         bypass_lockout_check=f.bypass_lockout_check or bool(override and
                                                                             override.bypass_lockout_check))
            self.world.keys[f.arn] = key
            self.world.keys[f.key_id] = key
            self.world.refs[f.ref] = f.arn
        for f in self.of(AliasFact):
            assert isinstance(f, AliasFact)
            target = self.world.keys.get(f.target_key)
            if target is None:
                continue
            name = f.name if f.name.startswith("alias/") else f"alias/{f.name}"
            self.world.keys[name] = target
            self.world.keys[kms_alias(f.region, f.account, name)] = target

    # -- buckets ----------------------------------------------------------------------------------

    def buckets(self) -> None:
        world = self.world
        by_bucket: dict[type, dict[str, Fact]] = defaultdict(dict)
        for cls in (BucketPolicyFact, BucketEncryptionFact, OwnershipFact, BucketAclFact, RequesterPaysFact):
            for f in self.of(cls):
                by_bucket[cls][getattr(f, "bucket")] = f  # noqa: B009 - every class has .bucket
        all_policies: dict[str, list[BucketPolicyFact]] = defaultdict(list)
        for f in self.of(BucketPolicyFact):
            assert isinstance(f, BucketPolicyFact)
            all_policies[f.bucket].append(f)
        definitions: dict[str, int] = defaultdict(int)
        for f in self.of(BucketFact):
            assert isinstance(f, BucketFact)
            definitions[f.name] += 1
        bucket_bpa: dict[str, PublicAccessBlockFact] = {}
        account_bpa: dict[str, PublicAccessBlockFact] = {}
        for f in self.of(PublicAccessBlockFact):
            assert isinstance(f, PublicAccessBlockFact)
            if f.bucket is None:
                account_bpa[f.account] = f
            else:
                bucket_bpa[f.bucket] = f
        for f in self.of(BucketFact):
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
            if policy is None and f.ref in self.unread_by_ref:
                unread = ", ".join(self.unread_by_ref[f.ref][:3])
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
            encryption, key, key_ref, bucket_key = self.encryption(enc)
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
                                             competing_policies=tuple((p.ref, p.location) for p in competing)
                                             if len(competing) > 1 else ())
            world.refs[f.ref] = name
        for f in self.of(BucketLoggingFact):
            assert isinstance(f, BucketLoggingFact)
            source = world.buckets.get(f.bucket)
            account = source.state.account if source else symbols.unknown(f"account of bucket {f.bucket}")
            world.services.append(ServiceUse("logging.s3.amazonaws.com", f.target_bucket, f.target_prefix,
                                             s3_bucket(f.bucket), account, f.ref, f.location))

    def encryption(self, fact: Fact | None) -> tuple[str, KmsKey | None, str | None, bool]:
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
            found = self.world.keys.get(fact.key)
            return kind, found, None if found else fact.key, bucket_key
        return "SSE-KMS", None, symbols.unknown(f"encryption of {fact.ref}"), bucket_key

    def objects(self) -> None:
        """Objects a live dump describes (head-object): their own encryption and key, which S3 uses
        to read them whatever the bucket's default encryption is now."""
        kinds = {None: "none", "AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}
        for f in self.of(ObjectFact):
            assert isinstance(f, ObjectFact)
            encryption = kinds.get(f.algorithm)
            if encryption is None:  # an algorithm this version does not know: S3 may call KMS or not
                continue
            key = self.world.keys.get(f.kms_key) if f.kms_key else None
            owner = f.owner_account or symbols.unknown(f"owner of s3://{f.bucket}/{f.key}")
            self.world.objects[(f.bucket, f.key)] = ObjectState(
                key=f.key, owner_account=owner, acl=f.acl, encryption=encryption,  # type: ignore[arg-type]
                kms_key=key, bucket_key=f.bucket_key, exists=f.exists)

    # -- IAM --------------------------------------------------------------------------------------

    def managed(self) -> None:
        for f in self.of(ManagedPolicyFact):
            assert isinstance(f, ManagedPolicyFact)
            self.world.managed_policies[f.arn] = replace(f.policy, arn=f.arn)
            self.world.refs[f.ref] = f.arn

    def resolve_managed(self, arn: str, location: Location | None) -> Policy:
        found = self.world.managed_policies.get(arn)
        if found is not None:
            return found
        if is_aws_managed(arn):
            return aws_managed_policy(arn)
        reason = f"the managed policy {symbols.render(arn)} is not in the sources"
        return Policy(kind=PolicyKind.IDENTITY, origin=symbols.render(arn), arn=arn, unknown=reason,
                      location=location)

    def principals(self) -> None:
        inline: dict[str, list[InlinePolicyFact]] = defaultdict(list)
        for f in self.of(InlinePolicyFact):
            assert isinstance(f, InlinePolicyFact)
            for kind, names in (("role", f.roles), ("user", f.users), ("group", f.groups)):
                for name in names:
                    inline[f"{kind}:{name}"].append(f)
        attached: dict[str, list[AttachmentFact]] = defaultdict(list)
        for f in self.of(AttachmentFact):
            assert isinstance(f, AttachmentFact)
            for kind, names in (("role", f.roles), ("user", f.users), ("group", f.groups)):
                for name in names:
                    attached[f"{kind}:{name}"].append(f)
        for f in self.of(ManagedPolicyFact):
            assert isinstance(f, ManagedPolicyFact)
            for kind, names in (("role", f.roles), ("user", f.users), ("group", f.groups)):
                for name in names:
                    attached[f"{kind}:{name}"].append(AttachmentFact(f.ref, f.location, f.arn))

        def policies_for(kind: str, name: str, arn: str, own: tuple[Policy, ...], managed: tuple[str, ...],
                         location: Location | None) -> list[Policy]:
            out = list(own)
            for key in (f"{kind}:{name}", f"{kind}:{arn}"):
                out += [p.policy for p in inline.get(key, [])]
                out += [self.resolve_managed(a.policy_arn, a.location) for a in attached.get(key, [])]
            out += [self.resolve_managed(a, location) for a in managed]
            seen: set[int] = set()
            unique = []
            for p in out:
                if id(p) not in seen:
                    seen.add(id(p))
                    unique.append(p)
            return unique

        groups: dict[str, list[Policy]] = {}
        for f in self.of(GroupFact):
            assert isinstance(f, GroupFact)
            groups[f.name] = policies_for("group", f.name, f.arn, f.inline_policies, f.managed_policy_arns,
                                          f.location)
        memberships: dict[str, set[str]] = defaultdict(set)
        for f in self.of(GroupMembershipFact):
            assert isinstance(f, GroupMembershipFact)
            for user in f.users:
                memberships[user].add(f.group)
        for f in self.of(RoleFact):
            assert isinstance(f, RoleFact)
            pols = policies_for("role", f.name, f.arn, f.inline_policies, f.managed_policy_arns, f.location)
            if f.managed_policies_unknown:
                pols.append(Policy(kind=PolicyKind.IDENTITY, origin=f"{f.ref} managed policies",
                                   unknown="its managed policy list is not determined"))
            boundary = self.boundary(f.boundary_arn, f.location)
            org_id, org_known = self.org_of(f.account)
            actor = role_session(f.arn, unique_id=f.unique_id, identity_policies=tuple(pols),
                                 permissions_boundary=boundary, tags=dict(f.tags), org_id=org_id,
                                 org_known=org_known, ref=f.ref, name=f.name)
            self.add_principal(PrincipalInfo(f.ref, f.arn, f.account, actor, f.location, "role",
                                             admin=_is_admin(pols)))
        for f in self.of(UserFact):
            assert isinstance(f, UserFact)
            pols = policies_for("user", f.name, f.arn, f.inline_policies, f.managed_policy_arns, f.location)
            for group in set(f.groups) | memberships.get(f.name, set()):
                pols += groups.get(group, [])
            boundary = self.boundary(f.boundary_arn, f.location)
            org_id, org_known = self.org_of(f.account)
            actor = Actor(kind="iam_user", account=f.account, arn=f.arn, unique_id=f.unique_id, username=f.name,
                          identity_policies=tuple(pols), permissions_boundary=boundary, tags=dict(f.tags),
                          org_id=org_id, org_known=org_known, ref=f.ref, name=f.name)
            self.add_principal(PrincipalInfo(f.ref, f.arn, f.account, actor, f.location, "user",
                                             admin=_is_admin(pols)))

    def sessions(self) -> None:
        """Role sessions STS created (CloudTrail AssumeRole events), each a principal of its own: the
        role's policies, capped by the session policies passed, with the session tags."""
        for f in self.of(SessionFact):
            assert isinstance(f, SessionFact)
            role = self.world.principals.get(f.role_arn)
            policies: tuple[Policy, ...] | None = None
            if f.unknown is not None:
                policies = (Policy(kind=PolicyKind.SESSION, origin=f"session policy of {f.session_name}",
                                   location=f.location, unknown=f.unknown),)
            elif f.inline_policy is not None or f.policy_arns:
                inline = (f.inline_policy,) if f.inline_policy is not None else ()
                policies = (*inline, *(self.resolve_managed(a, f.location).with_kind(PolicyKind.SESSION)
                                       for a in f.policy_arns))
            if role is not None:
                tags = dict(role.actor.tags or {})
                tags.update(f.tags)
                actor = replace(role.actor, arn=f.arn, session_name=f.session_name, session_policies=policies,
                                tags=tags, ref=f.arn)
            else:
                actor = role_session(f.role_arn, session_name=f.session_name, identity_policies=None,
                                     session_policies=policies, tags=dict(f.tags) or None, org_known=False,
                                     ref=f.arn)
            account = actor.account or symbols.unknown(f"account of {f.arn}")
            # Named like its role (whose policies a fix would change); found by its own ARN.
            self.world.principals[f.arn] = PrincipalInfo(role.ref if role else f.role_arn, f.arn, account, actor,
                                                         f.location, "role", in_sources=role is not None)

    def boundary(self, arn: str | None, location: Location | None) -> Policy | None:
        if not arn:
            return None
        found = self.resolve_managed(arn, location)
        if found.unknown is None and not any(s.maybe for s in found.statements):
            return found.with_kind(PolicyKind.BOUNDARY)
        return Policy(kind=PolicyKind.BOUNDARY, origin=symbols.render(arn), arn=arn,
                      unknown=f"the permissions boundary {symbols.render(arn)} is not in the sources")

    def add_principal(self, info: PrincipalInfo) -> None:
        self.world.principals[info.arn] = info
        self.world.refs[info.ref] = info.arn

    # -- network ----------------------------------------------------------------------------------

    def endpoints(self) -> None:
        overrides: dict[str, EndpointPolicyFact] = {}
        for f in self.of(EndpointPolicyFact):
            assert isinstance(f, EndpointPolicyFact)
            overrides[f.endpoint_id] = f
        extra_rts: dict[str, list[str]] = defaultdict(list)
        for f in self.of(EndpointRouteTableFact):
            assert isinstance(f, EndpointRouteTableFact)
            extra_rts[f.endpoint_id].append(f.route_table_id)
        for f in self.of(EndpointFact):
            assert isinstance(f, EndpointFact)
            override = overrides.get(f.endpoint_id)
            policy = override.policy if override else f.policy
            service = f.service_name
            is_s3 = service.endswith(".s3") or service.endswith(".s3-global.accesspoint") or \
                (symbols.has_uncertain_token(service) and "s3" in service)
            info = EndpointInfo(f.ref, f.endpoint_id, f.vpc_id, f.endpoint_type or "Gateway", f.region, f.account,
                                policy, f.location, tuple(f.route_table_ids) + tuple(extra_rts[f.endpoint_id]),
                                is_s3)
            self.world.endpoints[f.endpoint_id] = info
            self.world.refs[f.ref] = f.endpoint_id

    def paths(self) -> None:
        """Which network paths each principal's requests take (access-model 1.4, issue 5 item 3)."""
        world = self.world
        subnet_rts: dict[str, set[str]] = defaultdict(set)
        for f in self.of(RouteTableAssociationFact):
            assert isinstance(f, RouteTableAssociationFact)
            subnet_rts[f.subnet_id].add(f.route_table_id)
        gateways_by_rt: dict[str, list[EndpointInfo]] = defaultdict(list)
        for ep in world.endpoints.values():
            if ep.is_s3 and ep.endpoint_type.lower() == "gateway":
                for rt in ep.route_table_ids:
                    gateways_by_rt[rt].append(ep)
        profiles: dict[str, InstanceProfileFact] = {}
        for f in self.of(InstanceProfileFact):
            assert isinstance(f, InstanceProfileFact)
            profiles[f.name] = f
            profiles[f.arn] = f
        tasks: dict[str, TaskDefinitionFact] = {}
        for f in self.of(TaskDefinitionFact):
            assert isinstance(f, TaskDefinitionFact)
            tasks[f.arn] = f
            tasks[f.ref] = f
        by_name = {info.actor.name: info for info in world.principals.values() if info.actor.name}
        found: dict[str, list[NetworkPath]] = defaultdict(list)
        for f in self.of(ComputeFact):
            assert isinstance(f, ComputeFact)
            roles: list[str] = []
            if f.role:
                roles.append(f.role)
            if f.instance_profile and f.instance_profile in profiles:
                roles += list(profiles[f.instance_profile].roles)
            if f.task_definition and f.task_definition in tasks and tasks[f.task_definition].task_role:
                roles.append(tasks[f.task_definition].task_role)  # type: ignore[arg-type]
            targets = [world.principals.get(r) or by_name.get(r) for r in roles]
            path = self.compute_path(f, subnet_rts, gateways_by_rt)
            for info in targets:
                if info is not None and path is not None:
                    found[info.arn].append(path)
        for principal, endpoint in self.settings.paths:
            info = world.principal(principal)
            if info is None:
                continue
            if endpoint == "internet":
                found[info.arn].append(internet_path(reason="config"))
                continue
            chosen = world.endpoint(endpoint)
            if chosen is not None:
                found[info.arn].append(endpoint_path(chosen, "config"))
        for arn, info in list(world.principals.items()):
            unique: dict[tuple[str, str | None], NetworkPath] = {}
            for p in found.get(arn, []):
                unique.setdefault((p.network.path, p.endpoint_ref), p)
            paths = tuple(unique.values()) or (internet_path("no compute in the sources uses it", known=False),)
            world.principals[arn] = replace(info, paths=paths)

    def compute_path(self, f: ComputeFact, subnet_rts: dict[str, set[str]],
                     gateways_by_rt: dict[str, list[EndpointInfo]]) -> NetworkPath | None:
        if not f.subnet_ids:
            if f.kind == "lambda" and f.in_vpc is not True:
                return internet_path(reason=f"{f.ref} runs outside a VPC")
            return internet_path(known=False, reason=f"the subnets of {f.ref} are not in the sources")
        endpoints: dict[str, EndpointInfo] = {}
        unknown = False
        for subnet in f.subnet_ids:
            rts = subnet_rts.get(subnet)
            if not rts:
                unknown = True
                continue
            routed = [ep for rt in rts for ep in gateways_by_rt.get(rt, [])]
            if not routed:
                continue
            for ep in routed:
                endpoints[ep.endpoint_id] = ep
        if len(endpoints) == 1 and not unknown:
            return endpoint_path(next(iter(endpoints.values())), f"{f.ref} runs in its subnets")
        if endpoints and not unknown:
            ep = sorted(endpoints.values(), key=lambda e: e.ref)[0]
            return endpoint_path(ep, f"{f.ref} runs in its subnets")
        if unknown:
            return internet_path(known=False, reason=f"the route tables of {f.ref}'s subnets are not in the sources")
        return internet_path(reason=f"{f.ref}'s subnets are not routed to an S3 gateway endpoint")

    # -- deployers --------------------------------------------------------------------------------

    def deployers(self) -> None:
        world = self.world
        arns: list[tuple[str, Location | None, str]] = []
        for f in self.of(DeployerFact):
            assert isinstance(f, DeployerFact)
            arns.append((f.arn, f.location, f.ref))
        for d in self.settings.deployers:
            arns.append((world.refs.get(d, d), None, d))
        seen: set[str] = set()
        for arn, location, ref in arns:
            if arn in seen:
                continue
            seen.add(arn)
            info = world.principals.get(arn)
            if info is None:
                info = assumed_admin(arn, ref, location)
            world.deployers.append(info)

    def collect_policies(self) -> None:
        seen: set[int] = set()
        for fact in self.facts_all():
            for value in fact.__dict__.values():
                for policy in value if isinstance(value, tuple) else (value,):
                    if isinstance(policy, Policy) and id(policy) not in seen:
                        seen.add(id(policy))
                        self.world.policies.append((policy, fact.ref))

    def home_evidence(self) -> None:
        """Literal accounts the sources treat as the home account (only while it is not configured)."""
        if self.settings.account_id:
            return
        found: set[str] = set()
        defined_names = {f.name for f in (*self.of(RoleFact), *self.of(UserFact))  # type: ignore[attr-defined]
                         if getattr(f, "account", None) == symbols.HOME_ACCOUNT}
        for f in self.of(KeyFact):
            assert isinstance(f, KeyFact)
            if f.account != symbols.HOME_ACCOUNT or f.policy is None:
                continue
            for stmt in f.policy.statements:
                manages = stmt.actions is not None and any(
                    a.lower() in ("kms:*", "*", "kms:putkeypolicy", "kms:put*") for a in stmt.actions)
                if stmt.effect != "Allow" or not manages:
                    continue
                for entry in stmt.principals or ():
                    account = literal_account_of(entry.value)
                    if account:
                        found.add(account)
        for policy, _ in self.world.policies:
            for stmt in policy.statements:
                for value in (*(e.value for e in stmt.principals or ()), *(stmt.resources or ())):
                    parts = split_arn(value)
                    if parts is not None and parts[2] == "iam" and is_literal_account(parts[4]) \
                            and parts[5].split("/")[-1] in defined_names:
                        found.add(parts[4])
        self.world.home_literals = tuple(sorted(found))

    def build(self) -> World:
        self.collect_policies()
        self.home_evidence()
        self.accounts()
        self.world.env = Environment(orgs=self.organizations())
        self.keys()
        self.world.env = Environment(orgs=self.world.env.orgs, keys=dict(self.world.keys))
        self.buckets()
        self.objects()
        self.managed()
        self.principals()
        self.sessions()
        self.endpoints()
        self.paths()
        self.deployers()
        self.access_points()
        return self.world

    def access_points(self) -> None:
        overrides: dict[str, AccessPointPolicyFact] = {}
        for f in self.of(AccessPointPolicyFact):
            assert isinstance(f, AccessPointPolicyFact)
            overrides[f.access_point] = f
        for f in self.of(AccessPointFact):
            assert isinstance(f, AccessPointFact)
            state = AccessPointState(name=f.name, account=f.account, region=f.region, policy=f.policy,
                                     vpc_origin=f.vpc_id,
                                     bpa=BlockPublicAccess(f.block_public_acls, f.ignore_public_acls,
                                                           f.block_public_policy, f.restrict_public_buckets),
                                     ref=f.ref)
            override = overrides.get(state.arn) or overrides.get(f.name)
            if override is not None:
                state = replace(state, policy=override.policy)
            self.world.access_points[state.arn] = AccessPointInfo(state, f.bucket, f.ref, f.location)
            self.world.refs[f.ref] = state.arn


def assumed_admin(arn: str, ref: str, location: Location | None) -> PrincipalInfo:
    """A principal outside the sources that we assume administers the account (a deployer)."""
    parts = split_arn(arn)
    account = parts[4] if parts is not None else symbols.unknown(f"account of {ref}")
    admin = (aws_managed_policy(ADMIN_POLICY_ARN),)
    if ":role/" in arn:
        actor = role_session(arn, unique_id=symbols.opaque(f"{arn}.unique_id"), identity_policies=admin, ref=ref,
                             org_known=False)
        kind = "role"
    elif ":user/" in arn:
        actor = Actor(kind="iam_user", account=account, arn=arn, unique_id=symbols.opaque(f"{arn}.unique_id"),
                      username=arn.rsplit("/", 1)[-1], identity_policies=admin, ref=ref, org_known=False)
        kind = "user"
    else:
        actor = Actor(kind="root", account=account, arn=account_root(account), ref=ref, org_known=False)
        kind = "root"
    paths = (internet_path(known=False, reason="not in the sources"),)
    return PrincipalInfo(ref, arn, account, actor, location, kind, paths, admin=True, in_sources=False)


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


def _is_admin(policies: Iterable[Policy]) -> bool:
    for p in policies:
        for s in p.statements:
            if s.effect == "Allow" and s.actions and "*" in s.actions and s.resources and "*" in s.resources \
                    and not s.conditions and not s.maybe:
                return True
    return False


def build_world(results: Sequence[SourceResult], settings: Settings | None = None) -> World:
    return _Builder(results, settings or Settings()).build()

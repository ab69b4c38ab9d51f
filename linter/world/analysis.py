"""Everything rules may ask about: the world, the intents and their simulated decisions.

Rules never parse and never evaluate policies themselves; they read this object and, when they
need a request nobody intended (a stranger, an administrator), ask it: who can do what here
(``sim.decide``, ``kms_direct``), what a grant opens to outsiders (``bucket_exposures``,
``key_exposures``, ``endpoint_admits_anyone``, ``grants_outside_the_sources``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from why403.model import symbols
from why403.model.actor import Actor, role_session
from why403.model.arn import account_root, iam_role
from why403.model.finding import Finding
from why403.model.policy import Policy, Statement
from why403.model.values import Unknown
from why403.policy.context import OneOf
from why403.simulate.decision import Decision
from why403.simulate.exposure import (
    Exposure,
    Outsider,
    bucket_grant_exposure,
    deployment_refusals,
    endpoint_admits_anyone,
    grants_outside_the_sources,
    key_grant_exposures,
    writes_its_own_permissions,
)
from why403.simulate.kms import authorize_kms_direct
from why403.simulate.public import public_statements
from why403.simulate.request import S3Request, build_context, kms_direct_context
from why403.simulate.state import BlockPublicAccess, KmsKey, Network
from why403.world.accesses import AccessResult, Simulator
from why403.world.intents import AccessIntent, enumerate_intents
from why403.world.managed import ADMIN_POLICY_ARN, aws_managed_policy
from why403.world.model import EndpointInfo, PrincipalInfo, World, internet_path

# Known to differ from every account and name the sources mention (a "distinct" token).
STRANGER_ACCOUNT = symbols.distinct("an account outside the sources")


@dataclass
class Analysis:
    world: World
    sim: Simulator
    intents: list[AccessIntent] = field(default_factory=list)
    results: list[AccessResult] = field(default_factory=list)
    baseline: Analysis | None = None  # the world at --baseline REF
    # A file of the copy of REF -> the same file's path in the work tree: findings at REF are
    # compared by fingerprint, which includes the file.
    baseline_to_tree: Callable[[str], str] = str

    @cached_property
    def changes(self) -> list[Finding]:
        """New and lost accesses since the baseline (empty without ``--baseline``)."""
        if self.baseline is None:
            return []
        from why403.world.baseline import compare

        return compare(self, self.baseline)

    @staticmethod
    def of(world: World) -> Analysis:
        sim = Simulator(world)
        intents = enumerate_intents(world)
        results = sim.run(intents)
        return Analysis(world, sim, intents, results)

    @cached_property
    def results_by_principal(self) -> dict[str, list[AccessResult]]:
        return _grouped(self.results, lambda r: r.intent.principal.arn)

    @cached_property
    def results_by_bucket(self) -> dict[str, list[AccessResult]]:
        return _grouped(self.results, lambda r: r.request.bucket.name)

    @cached_property
    def results_by_default_key(self) -> dict[str, list[AccessResult]]:
        """Results on buckets encrypted by default with each KMS key, by key ARN."""
        return _grouped(self.results, lambda r: r.request.bucket.default_key.arn if r.request.bucket.default_key
                        else None)

    @cached_property
    def _sorted_admins(self) -> list[PrincipalInfo]:
        return sorted((i for i in self.world.principals.values() if i.admin), key=lambda i: i.ref)

    @property
    def accesses_simulated(self) -> int:
        return self.sim.simulated

    # -- principals that are not in any intent -----------------------------------------------------

    def managers(self, account: str) -> list[PrincipalInfo]:
        """Who must stay able to manage resources of ``account``: the deployers, the administrators
        the config names and those the sources define; when none is known, an administrator role of
        the account whose name the sources do not give (so only what denies every name counts)."""
        out: list[PrincipalInfo] = []
        for d in self.world.deployers:
            if symbols.tri_equals(d.account, account) is not False:
                out.append(d)
        for ref in self.world.settings.admins:
            info = self.world.principal(ref)
            if info is None and ref.startswith("arn:"):
                from why403.world.link_iam import assumed_admin

                info = assumed_admin(ref, ref, None)
            if info is not None and info not in out:
                out.append(info)
        for info in self._sorted_admins:  # sorted once: every bucket and key asks
            if info.account == account and info not in out:
                out.append(info)
        return out or [self.hypothetical_admin(account)]

    def named_in(self, policy: Policy) -> list[PrincipalInfo]:
        """The IAM principals an Allow of a resource policy names by ARN (not accounts, not "*")."""
        from why403.world.outsiders import external_principal

        out: list[PrincipalInfo] = []
        for stmt in policy.statements:
            if stmt.effect != "Allow":
                continue
            for entry in stmt.principals or ():
                if entry.type != "AWS" or entry.is_wildcard or entry.value.endswith(":root") or \
                        symbols.is_entirely_unknown(entry.value) or not entry.value.startswith("arn:"):
                    continue
                info = external_principal(self.world, entry.value)
                if info not in out:
                    out.append(info)
        return out

    def hypothetical_admin(self, account: str) -> PrincipalInfo:
        role = iam_role(account, symbols.opaque(f"an administrator role of {account}"))
        actor = role_session(role, unique_id=symbols.opaque(f"{role}.unique_id"),
                             identity_policies=(aws_managed_policy(ADMIN_POLICY_ARN),), tags=None, org_known=False,
                             ref=f"an administrator of {symbols.render(account)}")
        net = (internet_path(known=False, reason="console or CLI"),)
        return PrincipalInfo(actor.ref or role, role, account, actor, None, "role", net, admin=True,
                             in_sources=False)

    def root(self, account: str) -> PrincipalInfo:
        actor = Actor(kind="root", account=account, arn=account_root(account), tags=None, org_known=False,
                      ref=f"the root user of {symbols.render(account)}")
        net = (internet_path(known=False, reason="console"),)
        return PrincipalInfo(actor.ref or "", actor.arn or "", account, actor, None, "root", net, in_sources=False)

    @cached_property
    def stranger(self) -> PrincipalInfo:
        """An administrator of some account outside the sources: it grants itself anything in IAM."""
        role = iam_role(STRANGER_ACCOUNT, symbols.distinct("a role outside the sources"))
        actor = role_session(role, unique_id=symbols.distinct("stranger.unique_id"),
                             identity_policies=(aws_managed_policy(ADMIN_POLICY_ARN),), tags={}, org_known=False,
                             ref="a principal of any other AWS account")
        net = (internet_path(known=False, reason="anywhere"),)
        return PrincipalInfo(actor.ref or role, role, STRANGER_ACCOUNT, actor, None, "external", net,
                             in_sources=False)

    @cached_property
    def anonymous(self) -> PrincipalInfo:
        actor = Actor(kind="anonymous", ref="anonymous (unsigned requests)", tags={})
        net = (internet_path(known=False, reason="anywhere"),)
        return PrincipalInfo("anonymous", "*", "", actor, None, "external", net, in_sources=False)

    # -- what is unknown ---------------------------------------------------------------------------

    def unknowns_of(self, stmt: Statement, req: S3Request) -> list[str]:
        """Why a statement may or may not apply to a request: the context keys it reads that are unknown
        for this request, and the values of its own that the sources leave open."""
        ctx = build_context(req, self.world.env.orgs)
        out: list[str] = []
        for cond in stmt.conditions:
            got = ctx.get(cond.key)
            if isinstance(got, Unknown | OneOf):
                out.append(got.reason)
            for value in cond.values:
                out += [f"{label} has no value" for label in symbols.unknown_labels(value)]
        for value in (*(stmt.resources or ()), *(stmt.not_resources or ()), *(stmt.actions or ())):
            out += [f"{label} has no value" for label in symbols.unknown_labels(value)]
        for entry in (*(stmt.principals or ()), *(stmt.not_principals or ())):
            out += [f"{label} has no value" for label in symbols.unknown_labels(entry.value)]
        if stmt.maybe:
            out.append(stmt.maybe)
        return list(dict.fromkeys(out))

    # -- direct KMS calls ----------------------------------------------------------------------------

    def kms_direct(self, actor: Actor, action: str, key: KmsKey, via_service: str | None = None,
                   network: Network | None = None) -> Decision:
        """KMS's answer to a call the principal makes itself (or through ``via_service``), from
        ``network`` when given."""
        ctx = kms_direct_context(actor, self.world.env.orgs, action, via_service, network)
        return authorize_kms_direct(actor, action, key, ctx, self.world.env)

    # -- what grants open to outsiders ---------------------------------------------------------------

    @cached_property
    def outsiders(self) -> tuple[Outsider, ...]:
        """The callers from outside the sources every exposure question asks about."""
        return tuple(Outsider(p.label, p.actor) for p in (self.anonymous, self.stranger))

    def deployment_refusals(self, name: str) -> tuple[tuple[str, Decision], ...]:
        """The deployer's calls writing bucket ``name``'s policy or ACL that Block Public Access refuses."""
        info = self.world.buckets[name]
        state = info.state
        refused = deployment_refusals(state, self.managers(state.account)[0].actor, self.world.env)
        # An ACL on a bucket that sets no Object Ownership is W403-S403's: a new bucket refuses any ACL.
        return tuple(r for r in refused if r[0] != "s3:PutBucketAcl" or info.acl_without_ownership is None)

    def public_statements(self, name: str) -> list[Statement]:
        """The statements that make bucket ``name``'s policy public, judged with the whole policy."""
        return public_statements(self.world.buckets[name].state.policy)

    def bucket_exposures(self, name: str) -> tuple[Exposure, ...]:
        """What each statement of a bucket's policy opens to outsiders calling from the internet.

        Judged on the settings the sources configure: account-level Block Public Access is set
        elsewhere (an unknown setting counts as off). A policy Block Public Access refuses to store
        opens nothing: the deployer's call fails instead (W403-B307)."""
        cached = self._exposures.get(name)
        if cached is None and any(a == "s3:PutBucketPolicy" for a, _ in self.deployment_refusals(name)):
            cached = ()
            self._exposures[name] = cached
        if cached is None:
            binfo = self.world.buckets[name]
            state = binfo.state
            own = replace(state, bpa=BlockPublicAccess(*(v if v is not None else False for v in (
                state.bpa.block_public_acls, state.bpa.ignore_public_acls, state.bpa.block_public_policy,
                state.bpa.restrict_public_buckets))))
            if not binfo.in_sources:
                # A bucket the sources only write a policy for: what the policy opens is the question,
                # not how its objects happen to be encrypted (the key policy of an SSE-KMS object is a
                # second gate the sources do not show).
                own = replace(own, default_encryption="SSE-S3", default_key=None, default_key_ref=None)
            statements = state.policy.statements if state.policy is not None else ()
            cached = tuple(bucket_grant_exposure(own, stmt, self.outsiders, self.world.env, _FROM_THE_INTERNET)
                           for stmt in statements)
            self._exposures[name] = cached
        return cached

    @cached_property
    def _exposures(self) -> dict[str, tuple[Exposure, ...]]:
        return {}

    def key_exposures(self, key: KmsKey, actions: tuple[str, ...]) -> tuple[Exposure, ...]:
        """Which of ``actions`` each open-principal Allow of a key policy grants a principal of any
        other account, directly or through S3."""
        return key_grant_exposures(key, self.outsiders[1], actions, self.world.env)

    def endpoint_admits_anyone(self, ep: EndpointInfo) -> bool:
        """Whether an endpoint policy lets a principal of any account read and write any bucket."""
        assert ep.policy is not None
        return endpoint_admits_anyone(ep.policy, self.outsiders[1], ep.endpoint_type.lower() == "gateway",
                                      self.world.env)

    def grants_outside_the_sources(self, actor: Actor, policy: Policy, stmt: Statement,
                                   actions: tuple[str, ...]) -> list[str]:
        """Which of ``actions`` one identity statement grants on a bucket or key the sources do not define."""
        return grants_outside_the_sources(actor, policy, stmt, actions, self.world.env)

    def administers_itself(self, info: PrincipalInfo) -> bool:
        """Whether a role or user of the sources may attach any policy to itself: an administrator
        in all but name, whatever its policies list (``iam:*`` on ``*``, ``iam:PutRolePolicy`` on itself)."""
        return info.admin or writes_its_own_permissions(info.actor, info.arn, info.kind, self.world.env)


def _grouped(results: list[AccessResult], key: Callable[[AccessResult], str | None]) -> dict[str, list[AccessResult]]:
    out: dict[str, list[AccessResult]] = {}
    for r in results:
        k = key(r)
        if k is not None:
            out.setdefault(k, []).append(r)
    return out


# Someone calling S3's public endpoint (not through a VPC endpoint).
_FROM_THE_INTERNET = Network("internet", source_ip=None)

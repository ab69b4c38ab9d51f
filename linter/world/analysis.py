"""Everything rules may ask about: the world, the intents and their simulated decisions.

Rules never parse and never evaluate policies themselves; they read this object and, when they
need a request nobody intended (a stranger, an administrator), ask the simulator for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from why403.model import symbols
from why403.model.actor import Actor, role_session
from why403.model.arn import account_root, iam_role
from why403.model.finding import Finding
from why403.model.policy import Policy, Statement
from why403.model.values import Unknown
from why403.policy.context import ABSENT, RequestContext
from why403.simulate.decision import Decision
from why403.simulate.kms import authorize_kms_direct
from why403.simulate.request import S3Request, build_context, principal_keys
from why403.simulate.state import KmsKey
from why403.world.accesses import AccessResult, Simulator
from why403.world.intents import AccessIntent, enumerate_intents
from why403.world.managed import ADMIN_POLICY_ARN, aws_managed_policy
from why403.world.model import PrincipalInfo, World, internet_path

# Known to differ from every account and name the sources mention (a "distinct" token).
STRANGER_ACCOUNT = symbols.distinct("an account outside the sources")
_CRYPTO_ACTIONS = frozenset({"kms:decrypt", "kms:encrypt", "kms:generatedatakey", "kms:reencryptfrom",
                             "kms:reencryptto", "kms:generatedatakeywithoutplaintext"})


@dataclass
class Analysis:
    world: World
    sim: Simulator
    intents: list[AccessIntent] = field(default_factory=list)
    results: list[AccessResult] = field(default_factory=list)
    baseline: Analysis | None = None  # the world at --baseline REF
    # (path of the export at REF, path as given): findings at REF are compared by fingerprint, which
    # includes the file, so their files are mapped back to the paths the user gave.
    baseline_paths: tuple[tuple[str, str], ...] = ()

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
        out: dict[str, list[AccessResult]] = {}
        for r in self.results:
            out.setdefault(r.intent.principal.arn, []).append(r)
        return out

    @cached_property
    def results_by_bucket(self) -> dict[str, list[AccessResult]]:
        out: dict[str, list[AccessResult]] = {}
        for r in self.results:
            out.setdefault(r.request.bucket.name, []).append(r)
        return out

    @cached_property
    def results_by_default_key(self) -> dict[str, list[AccessResult]]:
        """Results on buckets encrypted by default with each KMS key, by key ARN."""
        out: dict[str, list[AccessResult]] = {}
        for r in self.results:
            key = r.request.bucket.default_key
            if key is not None:
                out.setdefault(key.arn, []).append(r)
        return out

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
                from why403.world.build import assumed_admin

                info = assumed_admin(ref, ref, None)
            if info is not None and info not in out:
                out.append(info)
        for info in self._sorted_admins:  # sorted once: every bucket and key asks
            if info.account == account and info not in out:
                out.append(info)
        return out or [self.hypothetical_admin(account)]

    def named_in(self, policy: Policy) -> list[PrincipalInfo]:
        """The IAM principals an Allow of a resource policy names by ARN (not accounts, not "*")."""
        from why403.world.intents import external_principal

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
            if isinstance(got, Unknown):
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

    def kms_direct(self, actor: Actor, action: str, key: KmsKey, via_service: str | None = None) -> Decision:
        values = principal_keys(actor, self.world.env.orgs, True)
        values["kms:CallerAccount"] = actor.account or symbols.unknown("caller account")
        # A call the principal makes itself: not through S3, over TLS, no encryption context
        # unless the operation carries one (then it is the caller's choice: unknown).
        values["kms:ViaService"] = via_service if via_service else ABSENT
        values["aws:ViaAWSService"] = "true" if via_service else "false"
        values["aws:SecureTransport"] = "true"
        if action.lower() not in _CRYPTO_ACTIONS:
            values["kms:EncryptionContextKeys"] = ABSENT
        ctx = RequestContext({k.lower(): v for k, v in values.items()}, open_world=True)
        return authorize_kms_direct(actor, action, key, ctx, self.world.env)

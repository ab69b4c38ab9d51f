"""What every authorization here shares: which organization and principal policies bind a caller,
and the walk that looks for an explicit Deny or a missing Allow in them (access-model 2.2, 2.3,
3.2).

S3 and KMS consult their layers in their own order (each as its decision attribution reads
best), but who SCPs and RCPs bind, how a permissions boundary and a session policy cap a
principal, and what is recorded when a Deny may or may not apply are one set of rules, written
here once for both.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.actor import Actor
from why403.model.policy import Policy
from why403.model.tri import Tri, tri_or
from why403.policy.match import Hit, Target, find, find_any
from why403.simulate.decision import Decision, Outcome, TraceStep
from why403.simulate.state import Organizations

Levels = tuple[tuple[str, tuple[Policy, ...]], ...]
"""The policies attached at each level (root, OU, account) of an organization, by level name."""

Layer = tuple[str, tuple[Policy, ...] | None, Target]
"""A layer name, its policies (None: not in the sources) and what they are matched against."""

Kinds = dict[str, tuple[Tri, Hit | None]]
"""How a resource policy's Allow statements match the caller, by principal kind (policy.match)."""

IAM_PRINCIPALS = ("iam_user", "role_session", "federated_user", "root")


def is_iam_principal(actor: Actor) -> bool:
    return actor.kind in IAM_PRINCIPALS


def scp_levels(actor: Actor, orgs: Organizations) -> Levels:
    """SCPs bind the IAM principals of member accounts: not the management account, not
    service-linked roles, not service principals or anonymous callers [ORG-SCP]."""
    if not is_iam_principal(actor) or actor.is_service_linked_role:
        return ()
    org = orgs.of(actor.account)
    if org is None or org.management:
        return ()
    return tuple((lvl.name, lvl.policies) for lvl in org.scp_levels)


def rcp_levels(actor: Actor, resource_account: str, orgs: Organizations, *, aws_managed_key: bool = False) -> Levels:
    """RCPs bind resources of member accounts, whoever calls, except service-linked roles and
    AWS managed KMS keys [ORG-RCP][KMS-RCP]."""
    if aws_managed_key or actor.is_service_linked_role:
        return ()
    org = orgs.of(resource_account)
    if org is None or org.management:
        return ()
    return tuple((lvl.name, lvl.policies) for lvl in org.rcp_levels)


def identity_allows(actor: Actor, target: Target) -> tuple[Tri, Hit | None]:
    """Whether the caller's identity-based policies allow (unknown when they are not in the sources)."""
    if actor.identity_policies is None:
        return None, None
    return find_any(actor.identity_policies, target, "Allow")


def boundary_allows(actor: Actor, target: Target) -> tuple[Tri, Hit | None]:
    """A permissions boundary caps identity grants: without one, nothing is capped."""
    boundary = actor.permissions_boundary
    if boundary is None:
        return True, None
    return find(boundary, target, "Allow")


def session_allows(actor: Actor, target: Target) -> Tri:
    """A session policy caps a session; a federated user's session without one allows nothing."""
    if not actor.is_session:
        return True
    if actor.session_policies is None:
        return actor.kind != "federated_user"
    return find_any(actor.session_policies, target, "Allow")[0]


def kinds_match(kinds: Kinds, *names: str) -> Tri:
    """Whether the caller matches any of these principal kinds."""
    return tri_or(*(kinds[n][0] for n in names if n in kinds))


def kinds_hit(kinds: Kinds, *names: str, definite_first: bool = True) -> Hit | None:
    """The statement to name for these kinds: the first that surely matches, else the first that may
    (``definite_first`` False: the first with a statement, in the order of ``names``)."""
    if definite_first:
        for n in names:
            if n in kinds and kinds[n][0] is True and kinds[n][1] is not None:
                return kinds[n][1]
    for n in names:
        if n in kinds and kinds[n][1] is not None:
            return kinds[n][1]
    return None


class Recorder:
    """The trace, unknowns and granting statements an evaluation collects on its way to a decision.

    ``call`` names the KMS operation when the evaluation is KMS's: its trace lines and unknowns say
    which call they are about."""

    def __init__(self, call: str | None = None) -> None:
        self.call = call
        self.trace: list[TraceStep] = []
        self.unknowns: list[str] = []
        self.related: list[Hit] = []

    def step(self, layer: str, outcome: str, hit: Hit | None = None, detail: str = "",
             policy: Policy | None = None) -> None:
        if self.call is not None:
            detail = f"{self.call}: {detail}" if detail else self.call
        self.trace.append(TraceStep(layer, outcome, detail, hit.policy if hit else policy,
                                    hit.statement if hit else None))

    def unknown(self, layer: str, hit: Hit | None, why: str) -> None:
        if self.call is not None:
            self.unknowns.append(f"{layer} ({self.call}): {why}")
        else:
            where = f" ({hit.policy.origin or layer}, {hit.statement.label})" if hit is not None else ""
            self.unknowns.append(f"{layer}: {why}{where}")
        self.step(layer, "unknown", hit, why)

    def decision(self, outcome: Outcome, layer: str | None = None, hit: Hit | None = None, detail: str = "",
                 http: int = 403) -> Decision:
        """The decision, with everything recorded so far."""
        return Decision(outcome, layer, hit, self.call, tuple(self.trace), tuple(self.unknowns), http, detail,
                        tuple(self.related))

    def explicit_deny(self, layers: Iterable[Layer]) -> tuple[str, Hit | None] | None:
        """The first layer with a Deny that applies; the layers where one may apply are unknowns."""
        for layer, policies, target in layers:
            r, hit = find_any(policies, target, "Deny")
            if r is True:
                return layer, hit
            if r is None:
                self.unknown(layer, hit, "a Deny may apply" if hit else "its policies are not in the sources")
        return None

    def level_without_allow(self, layer: str, levels: Levels, target: Target) -> str | None:
        """SCPs and RCPs need an Allow at every level: the first level where none applies."""
        for name, policies in levels:
            r, hit = find_any(policies, target, "Allow")
            if r is False:
                return name
            if r is None:
                self.unknown(layer, hit, f"an Allow at {name} may not apply")
        return None

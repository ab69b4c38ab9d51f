"""What the engine answers: a decision, the layer that made it, and the trace of every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from why403.model.location import Location
from why403.model.policy import Policy, Statement
from why403.policy.match import Hit

Outcome = Literal["allowed", "explicit-deny", "implicit-deny", "unknown", "rejected"]


@dataclass(frozen=True)
class TraceStep:
    """One layer consulted: what it answered and which statement made it answer so."""

    layer: str
    outcome: str  # "allow", "explicit deny", "no allow", "unknown", "not applicable", "rejected"
    detail: str = ""
    policy: Policy | None = None
    statement: Statement | None = None

    @property
    def location(self) -> Location | None:
        if self.statement is not None and self.statement.location is not None:
            return self.statement.location
        return self.policy.location if self.policy is not None else None

    def render(self) -> str:
        where = []
        if self.policy is not None and self.policy.origin:
            where.append(self.policy.origin)
        if self.statement is not None:
            where.append(self.statement.label)
        text = f"{self.layer}: {self.outcome}"
        if where:
            text += f" ({', '.join(where)})"
        if self.detail:
            text += f": {self.detail}"
        return text


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    layer: str | None = None
    hit: Hit | None = None
    kms_action: str | None = None
    trace: tuple[TraceStep, ...] = ()
    unknowns: tuple[str, ...] = ()
    http_status: int = 200
    detail: str = ""
    related: tuple[Hit, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"

    @property
    def denied(self) -> bool:
        return self.outcome in ("explicit-deny", "implicit-deny", "rejected")

    @property
    def explicit(self) -> bool:
        return self.outcome == "explicit-deny"

    @property
    def statement(self) -> Statement | None:
        return self.hit.statement if self.hit is not None else None

    @property
    def policy(self) -> Policy | None:
        return self.hit.policy if self.hit is not None else None

    def granted_by(self, stmt: Statement) -> bool:
        """Whether ``stmt`` is one of the statements that contributed to this decision."""
        return any(h.statement is stmt for h in self.related)

    def summary(self) -> str:
        if self.outcome == "allowed":
            return "allowed"
        if self.outcome == "unknown":
            return "unknown (" + "; ".join(self.unknowns[:3]) + ")"
        what = {"explicit-deny": "explicit deny", "implicit-deny": "implicit deny",
                "rejected": "rejected"}[self.outcome]
        return f"{what} by {self.layer}"

"""What every resource handler shares: the :class:`Reader` it reads a resource through and the
:class:`Emitter` it gives facts to (the readings themselves are in :mod:`.read`).

Two shapes recur across services and are written once here: a resource that attaches a policy to
something it names (:func:`policy_attachment`), and one that links two things it names
(:func:`link`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from why403.model.facts import Fact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.terraform.attributes import Instance
from why403.sources.terraform.resources import read


class Reader(Instance, Protocol):
    """A resource as handlers see it, from HCL (:class:`~..instances.ResourceInstance`) or from a
    plan (:class:`~..plan.PlanResource`)."""

    file: str
    maybe: str | None

    @property
    def location(self) -> Location: ...

    def as_text(self, value: Any) -> str | None: ...

    @property
    def default_tags(self) -> tuple[tuple[str, str], ...] | None: ...

    def blocks(self, name: str) -> list[Any]: ...

    def attr_line(self, name: str) -> int: ...

    def get_attr(self, name: str) -> Any: ...


class Emitter(Protocol):
    """Where handlers put facts, and how they record which inputs left a value unknown."""

    def fact(self, fact: Fact) -> None: ...

    def used(self, value: Any, by: str) -> None: ...


Handler = Callable[[Reader, Emitter], None]


class FactList:
    """The :class:`Emitter` of both frontends: facts go to a list; ``on_used`` hears which
    unknown values a handler used (HCL notes the inputs that would decide them; a plan's
    unknowns are only known after apply, with no input to name, so it passes none)."""

    def __init__(self, facts: list[Fact], on_used: Callable[[Any, str], None] | None = None) -> None:
        self.facts = facts
        self.on_used = on_used

    def fact(self, fact: Fact) -> None:
        self.facts.append(fact)

    def used(self, value: Any, by: str) -> None:
        if self.on_used is not None:
            self.on_used(value, by)


# -- shapes shared across services --------------------------------------------------------------


def policy_attachment(target: str, kind: PolicyKind, make: Callable[[str, Location, str, Policy], Fact]) -> Handler:
    """A resource that attaches a policy of ``kind`` to what its argument ``target`` names
    (``aws_s3_bucket_policy``, ``aws_vpc_endpoint_policy``...)."""

    def run(r: Reader, out: Emitter) -> None:
        named = read.text(r, out, target)
        policy = read.policy(r, out, "policy", kind)
        if named is not None and policy is not None:
            out.fact(make(r.ref, r.location, named, policy))

    return run


def link(first: str, second: str, make: Callable[[str, Location, str, str], Fact]) -> Handler:
    """A resource that links what its arguments ``first`` and ``second`` name (a route table and
    an endpoint, a policy and an account...)."""

    def run(r: Reader, out: Emitter) -> None:
        a, b = read.text(r, out, first), read.text(r, out, second)
        if a is not None and b is not None:
            out.fact(make(r.ref, r.location, a, b))

    return run

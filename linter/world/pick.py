"""Which deployment unit one access is asked about in (``why403 explain``).

``check`` simulates each access in the world of the unit that grants it (:mod:`why403.world.units`).
``explain`` must answer in the same world, or it would explain a decision ``check`` never made: a
role named alike in ``envs/dev`` and ``envs/prod`` is two roles, and an SCP of ``org/`` binds only
the units it is attached to. So the question is asked in the unit that declares the principal
(with the units linked to it), found the way the world resolves ``--principal``: by source address
(``aws_iam_role.reader``, ``ReaderRole``, or its last part), or ARN. A principal the sources do not
declare (an account, a service, ``anonymous``) is asked about in the unit that declares the
bucket. When several units declare it, nothing decides between them and the user is asked to
name one (``--unit PATH``); when none does, the question is asked in one world of everything read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from why403.model.arn import split_s3_arn
from why403.model.facts import BucketFact, Fact, RoleFact, UserFact
from why403.world.units import UnitWorld


class PickError(ValueError):
    """The unit cannot be chosen: the message lists the candidates and how to pick one."""


@dataclass(frozen=True)
class Pick:
    """The unit to ask in (None: one world of everything read) and why it is that one."""

    world: UnitWorld | None
    reason: str


def pick(worlds: Sequence[UnitWorld], principal: str, resource: str, unit: str | None = None) -> Pick:
    """The unit ``principal``'s access to ``resource`` is explained in; ``unit`` is a path the
    user gave (``--unit``): a root module's folder, a template, a plan, or a folder holding one unit."""
    units = [w for w in worlds if w.unit.id]
    if unit is not None:
        return Pick(_named(units, unit), f"--unit {unit}")
    if len(units) <= 1:
        return Pick(units[0] if units else None, "the only deployment unit")
    bucket = _bucket_of(resource)
    owners = _declaring(units, principal, _declares_principal)
    holders = _declaring(units, bucket, _declares_bucket) if bucket else []
    if len(owners) > 1 and holders:
        # Several units declare the principal: the bucket may say which one is meant.
        owners = [w for w in owners if _holds(w, holders)] or owners
        if len(owners) == 1:
            return Pick(owners[0], f"it declares {principal}, and its world holds {bucket}")
    if len(owners) > 1:
        raise _ambiguous(principal, owners, "declare it")
    if not owners:
        if len(holders) > 1:
            raise _ambiguous(bucket, holders, "declare it")
        if not holders:
            return Pick(None, f"no deployment unit declares {principal} or the bucket of {resource}")
        return Pick(holders[0], f"it declares {bucket}")
    owner = owners[0]
    if not holders or _holds(owner, holders):
        return Pick(owner, f"it declares {principal}")
    # The bucket is another unit's: ask in a world that holds both, as check does (an access is
    # simulated in the world of the unit that grants it, which links to the other).
    both = [w for w in units if _holds(w, [owner]) and _holds(w, holders)]
    if len(both) == 1:
        held = next(h for h in holders if _holds(both[0], [h]))
        return Pick(both[0], f"its world holds {principal} ({owner.unit.id}) and {bucket} ({held.unit.id})")
    if not both:
        where = ", ".join(w.unit.id for w in holders)
        raise PickError(f"{principal} is declared in {owner.unit.id} and {bucket} in {where}, and no evidence "
                        "links these deployment units (docs/units.md): they are simulated apart")
    raise _ambiguous(f"{principal} with {bucket}", both, "hold both in their worlds")


def _declaring(units: Sequence[UnitWorld], name: str, declares: Callable[[Fact, str], bool]) -> list[UnitWorld]:
    return [w for w in units if any(declares(f, name) for f in w.unit.facts())]


def _holds(world: UnitWorld, units: Sequence[UnitWorld]) -> bool:
    ids = {m.id for m in world.members}
    return any(u.unit.id in ids for u in units)


def _ambiguous(what: str, found: Sequence[UnitWorld], verb: str) -> PickError:
    listed = ", ".join(w.unit.id for w in found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    return PickError(f"{what}: {len(found)} deployment units {verb} ({listed}) and are deployed apart; name the "
                     f"one to explain with --unit PATH (e.g. --unit {found[0].unit.id})")


def _named(units: Sequence[UnitWorld], path: str) -> UnitWorld:
    wanted = os.path.abspath(path)
    exact = [w for w in units if os.path.abspath(w.unit.id) == wanted]
    below = [w for w in units if os.path.abspath(w.unit.id).startswith(wanted.rstrip(os.sep) + os.sep)]
    found = exact or below
    if len(found) == 1:
        return found[0]
    listed = ", ".join(w.unit.id for w in (found or units)[:12])
    if found:
        raise PickError(f"--unit {path}: {len(found)} deployment units are below it ({listed}); name one of them")
    raise PickError(f"--unit {path}: not a deployment unit of the paths read (units: {listed})")


def _declares_principal(fact: Fact, name: str) -> bool:
    # As World.principal resolves --principal: ARN, source address, or the address's last part.
    return isinstance(fact, RoleFact | UserFact) and \
        (fact.arn == name or fact.ref == name or fact.ref.endswith("." + name))


def _declares_bucket(fact: Fact, name: str) -> bool:
    return isinstance(fact, BucketFact) and name in (fact.ref, fact.name)


def _bucket_of(resource: str) -> str:
    """The bucket ``--resource`` names: its source address (before any ``/key``) or its ARN's bucket."""
    if not resource.startswith("arn:"):
        return resource.partition("/")[0]
    parsed = split_s3_arn(resource)
    return parsed[0] if parsed is not None else ""

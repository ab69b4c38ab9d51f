"""Three-valued logic: what the sources leave open makes many answers neither true nor false.

``None`` is *unknown*; :func:`tri_all` and :func:`tri_any` follow Kleene's strong logic (False
absorbs in a conjunction, True in a disjunction, whatever else is unknown), which is how an
unknown condition value must combine with known ones for a decision to stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable

Tri = bool | None
"""Three-valued truth: ``None`` means the sources do not determine the answer."""


def tri_not(a: Tri) -> Tri:
    return None if a is None else not a


def tri_all(values: Iterable[Tri]) -> Tri:
    """False as soon as one is False (the rest are not evaluated), else None if one is unknown."""
    result: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def tri_any(values: Iterable[Tri]) -> Tri:
    """De Morgan over :func:`tri_all`, so it stops at the first True as well."""
    return tri_not(tri_all(tri_not(v) for v in values))


def tri_and(*values: Tri) -> Tri:
    return tri_all(values)


def tri_or(*values: Tri) -> Tri:
    return tri_any(values)

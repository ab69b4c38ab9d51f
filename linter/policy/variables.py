"""Policy variables (``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}``) (access-model 6.7).

A string with variables is resolved against the request context into *pieces*: text that keeps
its wildcard meaning, and literal text (variable values and the specials ``${*}``, ``${?}``,
``${$}``) that must match character for character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from why403.model.glob import Glob, GlobMode, compile_pieces
from why403.model.values import Unknown
from why403.policy.context import ABSENT, OneOf, RequestContext

_VAR = re.compile(r"\$\{([^}]*)\}")
_SPECIALS = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True)
class Unresolved:
    """A variable whose key is absent from the request (and has no default)."""

    key: str


def has_variables(value: str) -> bool:
    return "${" in value


Pieces = tuple[tuple[str, bool], ...]  # (text, literal)


def resolve(value: str, ctx: RequestContext) -> Pieces | Unresolved | Unknown:
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _VAR.finditer(value):
        if m.start() > pos:
            pieces.append((value[pos : m.start()], False))
        inner = m.group(1).strip()
        if inner in _SPECIALS:
            pieces.append((_SPECIALS[inner], True))
        else:
            key, default = _split_default(inner)
            got = ctx.get(key)
            if isinstance(got, OneOf):
                return Unknown(got.reason)
            if isinstance(got, Unknown):
                return got
            if got is ABSENT or isinstance(got, tuple):
                if default is None:
                    return Unresolved(key)
                pieces.append((default, True))
            else:
                assert isinstance(got, str)
                pieces.append((got, True))
        pos = m.end()
    if pos < len(value):
        pieces.append((value[pos:], False))
    return tuple(pieces)


def _split_default(inner: str) -> tuple[str, str | None]:
    if "," not in inner:
        return inner, None
    key, rest = inner.split(",", 1)
    rest = rest.strip()
    if len(rest) >= 2 and rest[0] == rest[-1] == "'":
        return key.strip(), rest[1:-1]
    return key.strip(), None


def pieces_text(pieces: Pieces) -> str:
    return "".join(text for text, _ in pieces)


def pieces_to_pattern(pieces: Pieces) -> str | None:
    """The pieces as one wildcard pattern, or None when a literal piece holds a wildcard character
    (then the caller must match with :func:`pieces_glob`)."""
    if any(literal and ("*" in text or "?" in text) for text, literal in pieces):
        return None
    return pieces_text(pieces)


def pieces_glob(pieces: Pieces, mode: GlobMode) -> Glob:
    """The pieces as one pattern whose literal pieces match character for character."""
    return compile_pieces(pieces, mode)

"""IAM wildcard patterns (``*`` and ``?``), matched in time linear in the value.

Actions, ``StringLike`` values, each part of an ``ArnLike`` and the Resource element are all
wildcard patterns. The tree under check is untrusted, so a pattern such as ``a*a*a*...*b`` must
not make matching exponential, as a backtracking regular expression does. A pattern is compiled
to the positions of a Thompson automaton and a value is read once, left to right, keeping the set
of positions reachable so far as the bits of one integer: the work is the value's length times a
few integer operations on ``len(pattern)`` bits, whatever the pattern.

Two modes (access-model 6.5, ambiguity A1):

``glob``      ``*`` any sequence, ``?`` one character.
``resource``  the Resource element: within the first five colon-separated segments a wildcard
              stays inside its segment, except a ``*`` that ends a segment, which may run on past
              colons; after the fifth colon ``*`` and ``?`` match anything.

Values may hold symbolic tokens (:mod:`why403.model.symbols`). A token is one unit: a literal
token of the pattern matches the same token, an unrestricted ``*`` may swallow a token whole, and
nothing else enters one, so ``*logs*`` never "definitely" matches the unknown bucket
``${var.logs_bucket}`` (whether it may is :func:`why403.model.symbols.tri_could_match`'s question).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from why403.model.symbols import CLOSE, OPEN, has_uncertain_token, tri_could_match
from why403.model.tri import Tri

GlobMode = Literal["glob", "resource"]

# What a position of the compiled pattern accepts.
_LITERAL, _ONE, _ONE_IN_SEGMENT, _STAR, _STAR_IN_SEGMENT = range(5)

Piece = tuple[str, bool]
"""A piece of a pattern: its text and whether the text is literal (wildcards in it are characters)."""


@dataclass(frozen=True)
class Glob:
    """A compiled pattern: bit ``k`` of each mask stands for position ``k`` of the pattern.

    ``star_split``: a pattern with one ``*`` and no other wildcard or token (most of those IAM
    policies hold) as (text before, text after, whether the star may cross a colon), matched
    against a token-free value by comparing its ends.
    """

    size: int  # positions; bit ``size`` is the accepting state
    literals: dict[str, int]  # a unit (a character or a whole token) -> positions that are that literal
    one: int  # ``?`` that accepts any character
    one_in_segment: int  # ``?`` that accepts any character but ``:``
    star: int  # ``*`` that accepts any character and whole tokens
    star_in_segment: int  # ``*`` that accepts any character but ``:``, and no token
    star_split: tuple[str, str, bool] | None = None

    def matches(self, value: str) -> bool:
        """Whether the whole of ``value`` matches (a full match, as IAM compares)."""
        tokens = OPEN in value
        if self.star_split is not None and not tokens:
            before, after, crosses = self.star_split
            if len(value) < len(before) + len(after) or not value.startswith(before) or not value.endswith(after):
                return False
            return crosses or ":" not in value[len(before) : len(value) - len(after)]
        stars = self.star | self.star_in_segment
        state = 1 | ((1 & stars) << 1)
        steps = self._steps
        for unit, stray in _units(value, tokens):
            step = steps.get(unit) if not stray else None
            if step is None:
                step = self._step(unit, stray)
                if not stray:
                    steps[unit] = step
            accept, keep = step
            state = ((state & accept) << 1) | (state & keep)
            state |= (state & stars) << 1  # runs of stars are one star, so one step closes
            if not state:
                return False
        return bool(state >> self.size & 1)

    @cached_property
    def _steps(self) -> dict[str, tuple[int, int]]:
        """Per unit of value seen so far: (positions that consume it, stars that stay on it)."""
        return {}

    def _step(self, unit: str, stray: bool) -> tuple[int, int]:
        literal = self.literals.get(unit, 0)
        if stray:
            # A delimiter that opens no token: only the same literal character, or (a lone
            # CLOSE) a star, may take it, as in the regular expression this replaced.
            return literal, (self.star | self.star_in_segment) if unit == CLOSE else 0
        if len(unit) > 1:  # a whole token
            return literal, self.star
        if unit == ":":
            return literal | self.one, self.star
        return literal | self.one | self.one_in_segment, self.star | self.star_in_segment


def _units(value: str, tokens: bool) -> Iterator[tuple[str, bool]]:
    """The value as units: characters, and whole tokens when it holds any; ``stray`` marks a
    delimiter character that belongs to no token."""
    if not tokens:
        for c in value:
            yield c, False
        return
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == OPEN:
            end = value.find(CLOSE, i)
            if end < 0:
                yield c, True
                i += 1
                continue
            yield value[i : end + 1], False
            i = end + 1
            continue
        yield c, c == CLOSE
        i += 1


def _positions(pattern: str, mode: GlobMode, literal: bool, colons: int) -> Iterator[tuple[int, str]]:
    """The positions of one piece of pattern text, ``colons`` being the colons before it."""
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == OPEN and CLOSE in pattern[i:]:
            end = pattern.index(CLOSE, i)
            yield _LITERAL, pattern[i : end + 1]
            i = end + 1
            continue
        in_head = mode == "resource" and colons < 5
        if c == ":":
            colons += 1
        if literal or c not in "*?":
            yield _LITERAL, c
        elif c == "?":
            yield (_ONE_IN_SEGMENT if in_head else _ONE), c
        else:
            ends_segment = i + 1 == n or pattern[i + 1] == ":"
            yield (_STAR_IN_SEGMENT if in_head and not ends_segment else _STAR), c
        i += 1


def _compile(pieces: tuple[Piece, ...], mode: GlobMode) -> Glob:
    literals: dict[str, int] = {}
    masks = [0, 0, 0, 0]  # one, one_in_segment, star, star_in_segment
    size = 0
    previous = -1
    colons = 0
    for text, literal in pieces:
        for kind, unit in _positions(text, mode, literal, colons):
            if kind in (_STAR, _STAR_IN_SEGMENT) and previous in (_STAR, _STAR_IN_SEGMENT):
                # A run of stars is one star, unrestricted if any of them is.
                if kind == _STAR and previous == _STAR_IN_SEGMENT:
                    masks[3] &= ~(1 << (size - 1))
                    masks[2] |= 1 << (size - 1)
                    previous = _STAR
                continue
            bit = 1 << size
            if kind == _LITERAL:
                literals[unit] = literals.get(unit, 0) | bit
            else:
                masks[kind - 1] |= bit
            previous = kind
            size += 1
        colons += text.count(":")
    return Glob(size, literals, masks[0], masks[1], masks[2], masks[3], _star_split(pieces, masks))


def _star_split(pieces: tuple[Piece, ...], masks: list[int]) -> tuple[str, str, bool] | None:
    if len(pieces) != 1 or pieces[0][1] or masks[0] or masks[1]:
        return None
    text = pieces[0][0]
    if text.count("*") != 1 or OPEN in text:
        return None
    before, after = text.split("*")
    return before, after, bool(masks[2])


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, mode: GlobMode = "glob") -> Glob:
    """Compile an IAM wildcard pattern (cached: policies repeat their patterns)."""
    return _compile(((pattern, False),), mode)


@lru_cache(maxsize=16384)
def compile_pieces(pieces: tuple[Piece, ...], mode: GlobMode = "resource") -> Glob:
    """Compile a pattern made of pieces, some literal: a Resource whose policy variables were
    replaced by the request's values, which match character for character (access-model 6.7)."""
    return _compile(pieces, mode)


@lru_cache(maxsize=65536)
def glob_matches(pattern: str, value: str, mode: GlobMode = "glob") -> bool:
    """Whether ``value`` matches ``pattern``, taking tokens literally (no three-valued answer).

    Cached: a run asks the same few thousand (pattern, value) pairs again and again, once per
    statement of every request that reaches it."""
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return compile_glob(pattern, mode).matches(value)


def tri_glob(pattern: str, value: str, mode: GlobMode = "glob", ignore_case: bool = False) -> Tri:
    """Wildcard match with tokens: definite when the literal match succeeds or nothing is unknown."""
    if pattern == "*":
        return True
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    if glob_matches(pattern, value, mode):
        return True
    if not (has_uncertain_token(pattern) or has_uncertain_token(value)):
        return False
    return None if tri_could_match(pattern, value, wildcards=True) else False

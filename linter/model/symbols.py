"""Symbolic values carried inside ordinary strings, and three-valued comparison of them.

Infrastructure sources rarely say everything: the account is known only at deploy time, AWS
generates unique ids and `bucket_prefix` names, a variable may have no value. Instead of a parallel
value type that every frontend, matcher and renderer would have to understand, such a value is a
*token* embedded in a plain ``str``: ``OPEN + kind + label + CLOSE``. Tokens are deterministic (the
same source expression gives the same token in any process, which keeps parse results cacheable),
equal to themselves, and render readably.

Kinds, and how they compare with anything else:

``a``  the home account. It is a known account that differs from every literal account id written
       in the sources (unless ``--account-id`` replaces it before parsing), so comparisons with it
       are definite.
``r``  the home region: unknown against literals, equal to itself.
``o``  an opaque identifier AWS generates for one resource (a role's unique id, a key id, an
       endpoint id, a generated bucket name). Equal to itself, distinct from every other ``o``
       token, unknown against literals.
``u``  a value the sources do not determine. Equal to itself, unknown against everything else.

Comparisons answer ``True``, ``False`` or ``None`` (unknown): see :data:`why403.model.tri.Tri`.

A token must survive every way the sources and the engine cut strings (ARNs at ``:`` and ``/``,
wildcards, white space), so the characters that matter there are stored escaped inside its label,
and a token made from text holding another token names that one as people read it. People never
see a token: :func:`render` shows it as ``<label>`` (``<var.bucket_name>``, ``<DataBucket.bucket>``,
``<this unit's account>``), which no policy, ARN or CloudFormation/Terraform text can be confused
with.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from why403.model.tri import Tri

OPEN = "\ue000"
CLOSE = "\ue001"

TokenKind = Literal["a", "r", "o", "u", "s"]

_TOKEN_RE = re.compile(OPEN + r"([aruos])([^" + OPEN + CLOSE + r"]*)" + CLOSE)

HOME_ACCOUNT = OPEN + "a" + CLOSE
HOME_REGION = OPEN + "r" + CLOSE

HOME_ACCOUNT_TEXT = "this unit's account"
HOME_REGION_TEXT = "this unit's region"

# Inside a label, the characters ARNs are split at, the wildcards and white space are stored as
# private-use characters (decoded by render), so that no split or match can cut a token in two.
_ESCAPES = {":": "\ue002", "/": "\ue003", "*": "\ue004", "?": "\ue005", " ": "\ue006"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()}
_SCOPE_MARK = "\ue007"  # between a token's input scope and its label
_IDENTITY_MARK = "\ue008"  # before the hidden digest of the tokens a label quotes
_LABEL_ESCAPED = re.compile(r"[:/*?\s]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_LABEL_UNESCAPED = re.compile("[\ue002-\ue006]")
_MAX_LABEL = 200


def _clean_label(label: str) -> str:
    """A label as stored in a token: tokens it quotes rendered, the characters strings are cut at
    escaped, other private-use characters dropped, bounded."""
    identity = ""
    if OPEN in label:
        # The quoted tokens are shown as people read them; a hidden digest of them keeps two labels
        # that read alike but quote different tokens (of two inputs) apart.
        identity = _IDENTITY_MARK + hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        label = render(label)
    label = _PRIVATE_USE.sub("", label)
    label = _LABEL_ESCAPED.sub(lambda m: _ESCAPES.get(m.group(0), _ESCAPES[" "]), label)
    return label[:_MAX_LABEL] + identity


def _label_text(label: str) -> str:
    """The label of a token as people read it: without its scope, escapes decoded."""
    label = label.split(_SCOPE_MARK, 1)[-1].split(_IDENTITY_MARK, 1)[0]
    return _LABEL_UNESCAPED.sub(lambda m: _UNESCAPES[m.group(0)], label)


# The input (a Terraform root module, a template) whose tokens are being made. Two templates may
# both name a key ``DataKey`` and two root modules may both have ``var.bucket``: they are
# different values, so the scope is part of every opaque and unknown token (and never shown).
_SCOPE: ContextVar[str] = ContextVar("why403_token_scope", default="")
_SCOPE_ROOTS: ContextVar[tuple[str, ...]] = ContextVar("why403_token_scope_roots", default=())


@contextmanager
def token_scope_roots(roots: tuple[str, ...]) -> Iterator[None]:
    """Name input scopes relative to these roots (the paths given to a run), so that the same input
    read from another copy (the export of ``--baseline REF``) makes the same tokens."""
    reset = _SCOPE_ROOTS.set(tuple(os.path.abspath(r) for r in roots))
    try:
        yield
    finally:
        _SCOPE_ROOTS.reset(reset)


def _relative_scope(scope: str) -> str:
    absolute = os.path.abspath(scope)
    for index, root in enumerate(_SCOPE_ROOTS.get()):
        if absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep):
            return f"{index}/{os.path.relpath(absolute, root)}"
    return scope


@contextmanager
def token_scope(scope: str) -> Iterator[None]:
    """Make the opaque and unknown tokens created inside belong to one input (a path)."""
    reset = _SCOPE.set(_clean_label(_relative_scope(scope)))
    try:
        yield
    finally:
        _SCOPE.reset(reset)


def scope_for(path: str) -> str:
    """The scope that tokens made under ``token_scope(path)`` carry (inside the same
    :func:`token_scope_roots`): how a token names the input it was made in."""
    return _clean_label(_relative_scope(path))


def token_scopes(value: str) -> set[str]:
    """The scopes of the opaque and unknown tokens in ``value``: the inputs whose values flowed
    into it (a template's generated bucket name imported by another through ``Fn::ImportValue``)."""
    out = set()
    for m in _TOKEN_RE.finditer(value):
        if m.group(1) in ("o", "u") and _SCOPE_MARK in m.group(2):
            out.add(m.group(2).split(_SCOPE_MARK, 1)[0])
    return out


def _scoped(label: str) -> str:
    scope = _SCOPE.get()
    clean = _clean_label(label)
    return f"{scope}{_SCOPE_MARK}{clean}" if scope else clean


def unknown(label: str) -> str:
    """A token for a value the sources do not determine, named after where it came from."""
    return OPEN + "u" + _scoped(label) + CLOSE


def opaque(label: str) -> str:
    """A token for an identifier AWS generates for one resource (unique per label and input)."""
    return OPEN + "o" + _scoped(label) + CLOSE


def distinct(label: str) -> str:
    """A token for a value known to differ from every literal and every other token: the account
    and names of a hypothetical principal outside the sources (kind ``s``, like the home account)."""
    return OPEN + "s" + _clean_label(label) + CLOSE


def has_token(value: str) -> bool:
    return OPEN in value


# When the sources suggest that a literal account id is their own (a key policy delegating its
# administration to that account's root), the home account may be that literal: it is then unknown,
# not distinct, against literals.
_HOME_UNCERTAIN: ContextVar[bool] = ContextVar("why403_home_uncertain", default=False)


@contextmanager
def home_may_be_literal(uncertain: bool) -> Iterator[None]:
    """Compare the home account as an unknown value (``True``) rather than a known distinct one."""
    reset = _HOME_UNCERTAIN.set(uncertain)
    try:
        yield
    finally:
        _HOME_UNCERTAIN.reset(reset)


def has_uncertain_token(value: str) -> bool:
    """True when the string holds a token that can make comparisons unknown (not the home account,
    unless :func:`home_may_be_literal` is in force)."""
    if OPEN not in value:
        return False
    certain = ("s",) if _HOME_UNCERTAIN.get() else ("a", "s")
    return any(m.group(1) not in certain for m in _TOKEN_RE.finditer(value))


def is_entirely_unknown(value: str) -> bool:
    """True when the whole string is a single ``u`` token (nothing literal is known)."""
    m = _TOKEN_RE.fullmatch(value)
    return m is not None and m.group(1) == "u"


def unknown_labels(value: str) -> list[str]:
    """The labels of the ``u`` and ``r`` tokens in a string (what the user could supply)."""
    out = []
    for m in _TOKEN_RE.finditer(value):
        if m.group(1) == "u":
            out.append(_label_text(m.group(2)))
        elif m.group(1) == "r":
            out.append("region")
    return out


def token_text(kind: str, label: str) -> str:
    """How people read one token: what it stands for, in angle brackets."""
    if kind == "a":
        return f"<{HOME_ACCOUNT_TEXT}>"
    if kind == "r":
        return f"<{HOME_REGION_TEXT}>"
    return f"<{_label_text(label)}>"


def split_tokens(value: str) -> list[str | tuple[str, str]]:
    """``value`` as its literal pieces and its tokens, in order; a token as (kind, label as people
    read it): what a draft fix needs to write each token as the source's own expression."""
    out: list[str | tuple[str, str]] = []
    last = 0
    for m in _TOKEN_RE.finditer(value):
        if m.start() > last:
            out.append(value[last:m.start()])
        out.append((m.group(1), _label_text(m.group(2))))
        last = m.end()
    if last < len(value):
        out.append(value[last:])
    return out


def render(value: str) -> str:
    """Human form of a string holding tokens: ``arn:aws:s3:::<DataBucket.bucket>/*``,
    ``arn:aws:iam::<this unit's account>:root``. No private-use character survives."""
    if OPEN not in value and CLOSE not in value:
        return value
    out = _TOKEN_RE.sub(lambda m: token_text(m.group(1), m.group(2)), value)
    return _PRIVATE_USE.sub("", out)


def substitute_home(value: str, account: str | None, region: str | None) -> str:
    """Replace the home account / region tokens by concrete values when the user supplied them."""
    if OPEN not in value:
        return value
    if account:
        value = value.replace(HOME_ACCOUNT, account)
    if region:
        value = value.replace(HOME_REGION, region)
    return value


# --------------------------------------------------------------------------------------------
# Atoms: strings (and patterns) split into literal characters, wildcards and tokens
# --------------------------------------------------------------------------------------------

# An atom is a 1-character literal, or one of the markers below.
_STAR = ("*",)  # any sequence, possibly empty
_QMARK = ("?",)  # exactly one character
_ANY = ("any",)  # an unknown (u/r) token: could be any string


@dataclass(frozen=True)
class _Opaque:
    label: str


@dataclass(frozen=True)
class _Home:
    """A known value distinct from every literal: the home account (label "") or a ``distinct`` token."""

    label: str = ""


Atom = str | tuple[str] | _Opaque | _Home


def _atoms(value: str, wildcards: bool) -> tuple[Atom, ...]:
    out: list[Atom] = []
    pos = 0
    for m in _TOKEN_RE.finditer(value):
        out.extend(_literal_atoms(value[pos : m.start()], wildcards))
        kind = m.group(1)
        if kind == "a":
            out.append(_ANY if _HOME_UNCERTAIN.get() else _Home())
        elif kind == "s":
            out.append(_Home(m.group(2)))
        elif kind == "o":
            out.append(_Opaque(m.group(2)))
        else:
            out.append(_ANY)
        pos = m.end()
    out.extend(_literal_atoms(value[pos:], wildcards))
    return tuple(out)


def _literal_atoms(text: str, wildcards: bool) -> list[Atom]:
    if not wildcards:
        return list(text)
    return [_STAR if c == "*" else _QMARK if c == "?" else c for c in text]


@lru_cache(maxsize=65536)
def _could_match(pattern: tuple[Atom, ...], value: tuple[Atom, ...]) -> bool:
    """Whether some assignment of the unknown tokens makes ``pattern`` match ``value``.

    Both sides may hold wildcards-like atoms (an unknown token on the value side stands for any
    string), so this is the emptiness test of the intersection of two star patterns, done by
    dynamic programming over positions. Opaque tokens are equal only to themselves and behave like
    a non-empty unknown string against literals; the home account matches only itself or a star.
    """
    n, m = len(pattern), len(value)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == n and j == m:
            return True
        a = pattern[i] if i < n else None
        b = value[j] if j < m else None
        # Star-like atoms may match the empty string, or absorb one atom of the other side.
        if a in (_STAR, _ANY):
            stack.append((i + 1, j))
            if b is not None:
                stack.append((i, j + 1))
            continue
        if b in (_STAR, _ANY):
            stack.append((i, j + 1))
            if a is not None:
                stack.append((i + 1, j))
            continue
        if a is None or b is None:
            continue
        if isinstance(a, _Opaque) or isinstance(b, _Opaque):
            if isinstance(a, _Opaque) and isinstance(b, _Opaque):
                if a == b:
                    stack.append((i + 1, j + 1))
                continue
            if isinstance(a, _Home) or isinstance(b, _Home):
                continue
            # An opaque string against literal characters: consume one, stay or finish.
            if isinstance(a, _Opaque):
                stack.append((i, j + 1))
                stack.append((i + 1, j + 1))
            else:
                stack.append((i + 1, j))
                stack.append((i + 1, j + 1))
            continue
        if isinstance(a, _Home) or isinstance(b, _Home):
            if a == b:
                stack.append((i + 1, j + 1))
            continue
        if a in (_QMARK, b):
            stack.append((i + 1, j + 1))
    return False


def tri_could_match(pattern: str, value: str, wildcards: bool) -> bool:
    """Relaxed match used once the literal match failed: can unknown tokens make it succeed?"""
    return _could_match(_atoms(pattern, wildcards), _atoms(value, False))


def tri_equals(a: str, b: str, ignore_case: bool = False) -> Tri:
    """Exact string equality with tokens."""
    if ignore_case:
        a, b = a.lower(), b.lower()
    if a == b:
        return True
    if not (has_uncertain_token(a) or has_uncertain_token(b)):
        return False
    return None if tri_could_match(a, b, wildcards=False) else False

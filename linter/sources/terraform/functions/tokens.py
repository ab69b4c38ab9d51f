"""What a string holding tokens (values known only after apply) may still answer exactly.

A token stands for a value of a known alphabet: an account id is digits, a region lower-case
letters, digits and dashes. ``split`` on ``:`` of an ARN whose account is a token is exact,
because no account id holds a colon; a function that would need the token's characters answers
unknown instead.
"""

from __future__ import annotations

from why403.sources.terraform.convert import TOKEN_RE


def segments(s: str) -> list[tuple[bool, str]]:
    """(is_token, text) pieces of a string."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in TOKEN_RE.finditer(s):
        if m.start() > pos:
            out.append((False, s[pos : m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(s):
        out.append((False, s[pos:]))
    return out


# What the value a token stands for is made of: an account id is digits, a region lower-case
# letters, digits and dashes, the names and ids AWS generates (key ids, unique ids, generated
# names, resource ids) letters, digits and dashes. A value the sources leave open (``u``) could
# hold anything.
_TOKEN_CHARS = {
    "a": frozenset("0123456789"),
    "r": frozenset("abcdefghijklmnopqrstuvwxyz0123456789-"),
    "o": frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"),
}


def token_chars(token: str) -> frozenset[str] | None:
    """The characters a token's value is made of (None: anything)."""
    return _TOKEN_CHARS.get(token[1])


def token_may_contain(token: str, chars: str) -> bool:
    """Whether the token's value could hold any of ``chars``."""
    alphabet = token_chars(token)
    return alphabet is None or any(c in alphabet for c in chars)


def any_token_may_contain(s: str, chars: str) -> bool:
    """Whether any token of ``s`` could hold any of ``chars``."""
    return any(tok and token_may_contain(seg, chars) for tok, seg in segments(s))


def substring_may_straddle(s: str, sub: str) -> bool:
    """Whether an occurrence of ``sub`` in ``s`` could involve a token's (unknown) characters:
    inside the token, or across one of its ends. When it cannot, replacing ``sub`` in the literal
    parts is exact."""
    segs = segments(s)
    for i, (is_token, text) in enumerate(segs):
        if not is_token:
            continue
        chars = token_chars(text)
        if chars is None:
            return True
        if all(c in chars for c in sub):
            return True
        before = segs[i - 1][1] if i > 0 and not segs[i - 1][0] else ""
        after = segs[i + 1][1] if i + 1 < len(segs) and not segs[i + 1][0] else ""
        for k in range(1, len(sub)):
            if sub[k] in chars and before.endswith(sub[:k]):
                return True
            if sub[k - 1] in chars and after.startswith(sub[k:]):
                return True
    return False

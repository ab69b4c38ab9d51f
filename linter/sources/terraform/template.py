"""Templates: the text of heredocs, ``.tf.json`` strings and ``templatefile`` files.

python-hcl2 splits quoted strings into parts itself but hands heredocs over as one raw token, and
JSON syntax and template files are not HCL at all; all three follow the same template language
(``${expr}``, ``%{if}``/``%{for}`` directives, ``$${`` and ``%%{`` escapes, ``~`` strip markers).
This module scans such text into flat pieces and assembles the directives into the nested
:class:`~.syntax.TIf`/:class:`~.syntax.TFor` parts, for both sources. Expressions inside are
parsed by a callback, so this module needs no parser itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from why403.sources.terraform.syntax import Expr, Interp, SyntaxProblem, TFor, TIf, TPart


@dataclass(frozen=True, slots=True)
class Directive:
    """A flat directive before assembly: ``if``/``else``/``endif``/``for``/``endfor``."""

    keyword: str
    strip_left: bool
    strip_right: bool
    line: int
    cond: Expr | None = None
    key_var: str = ""
    value_var: str = ""


Flat = str | Interp | Directive

_FOR_RE = re.compile(
    r"\s*for\s+([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?in\s+(.*)\Z", re.S
)
_KEYWORD_RE = re.compile(r"\s*(if|else|endif|for|endfor)\b(.*)\Z", re.S)

ParseExpr = Callable[[str, int], Expr]


def scan(text: str, line: int, parse_expr: ParseExpr) -> list[Flat]:
    """Split template text into literal text, interpolations and directives (``line``: the line
    the text starts on, for the expressions' lines and errors)."""
    out: list[Flat] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    cur_line = line
    while i < n:
        c = text[i]
        if c in "$%" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == c and i + 2 < n and text[i + 2] == "{":
                buf.append(c + "{")  # $${ and %%{ are escapes for a literal ${ / %{
                i += 3
                continue
            if nxt == "{":
                end = _matching_brace(text, i + 2)
                if end < 0:
                    raise SyntaxProblem("unclosed template sequence", cur_line)
                if buf:
                    out.append("".join(buf))
                    buf = []
                inner = text[i + 2 : end]
                strip_left = inner.startswith("~")
                if strip_left:
                    inner = inner[1:]
                strip_right = inner.endswith("~")
                if strip_right:
                    inner = inner[:-1]
                if c == "$":
                    out.append(Interp(parse_expr(inner, cur_line), strip_left, strip_right))
                else:
                    out.append(_directive(inner, strip_left, strip_right, cur_line, parse_expr))
                cur_line += text.count("\n", i, end + 1)
                i = end + 1
                continue
        if c == "\n":
            cur_line += 1
        buf.append(c)
        i += 1
    if buf:
        out.append("".join(buf))
    return out


def _directive(inner: str, strip_left: bool, strip_right: bool, line: int, parse_expr: ParseExpr) -> Directive:
    m = _KEYWORD_RE.match(inner)
    if m is None:
        raise SyntaxProblem(f"invalid template directive %{{{inner.strip()}}}", line)
    keyword, rest = m.group(1), m.group(2)
    if keyword == "if":
        return Directive("if", strip_left, strip_right, line, cond=parse_expr(rest, line))
    if keyword == "for":
        fm = _FOR_RE.match(inner)
        if fm is None:
            raise SyntaxProblem("invalid %{for} directive", line)
        first, second, coll = fm.group(1), fm.group(2), fm.group(3)
        key_var, value_var = (first, second) if second else ("", first)
        return Directive("for", strip_left, strip_right, line, cond=parse_expr(coll, line), key_var=key_var,
                         value_var=value_var)
    if rest.strip():
        raise SyntaxProblem(f"unexpected text after %{{{keyword}}}", line)
    return Directive(keyword, strip_left, strip_right, line)


def _matching_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing a template sequence opened just before ``start``.

    Quoted strings inside the expression may contain braces and their own templates, so the scan
    keeps a stack of contexts: ``e`` inside an expression (counting braces), ``s`` inside a string.
    """
    stack = ["e"]
    depth = [0]
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        top = stack[-1]
        if top == "s":
            if c == "\\":
                i += 2
                continue
            if c == '"':
                stack.pop()
                depth.pop()
            elif c in "$%" and i + 1 < n and text[i + 1] == "{":
                stack.append("e")
                depth.append(0)
                i += 2
                continue
            i += 1
            continue
        if c == '"':
            stack.append("s")
            depth.append(0)
        elif c == "{":
            depth[-1] += 1
        elif c == "}":
            if depth[-1] == 0:
                stack.pop()
                depth.pop()
                if not stack:
                    return i
            else:
                depth[-1] -= 1
        elif c == "#" or (c == "/" and i + 1 < n and text[i + 1] == "/"):
            pass  # comments inside template expressions are too rare to model
        i += 1
    return -1


def assemble(flat: list[Flat], *, by_line: bool = True) -> tuple[TPart, ...]:
    """Apply strip markers, then nest ``if``/``for`` directives into their bodies.

    ``by_line``: heredocs, template files and JSON strings are scanned line by line, so a strip
    marker reaches only to the nearest newline (``%{~ if }`` on its own line removes that line's
    indentation, not the line break before it); in a quoted string it strips all whitespace.
    """
    stripped = _apply_strip(flat, by_line)
    parts, _, end = _assemble(stripped, 0, ())
    if end is not None:
        raise SyntaxProblem(f"unexpected %{{{end.keyword}}}", end.line)
    return tuple(parts)


def _apply_strip(flat: list[Flat], by_line: bool) -> list[Flat]:
    out: list[Flat] = list(flat)
    for i, item in enumerate(out):
        if isinstance(item, Interp | Directive):
            if item.strip_left and i > 0 and isinstance(out[i - 1], str):
                out[i - 1] = _strip_end(str(out[i - 1]), by_line)
            if item.strip_right and i + 1 < len(out) and isinstance(out[i + 1], str):
                out[i + 1] = _strip_start(str(out[i + 1]), by_line)
    return [p for p in out if not (isinstance(p, str) and p == "")]


_WS = " \t\r\n"


def _strip_end(text: str, by_line: bool) -> str:
    if not by_line:
        return text.rstrip(_WS)
    # The literal is scanned as lines: the last token is the text after the last newline, or
    # (when the literal ends with one) the whole last line with its newline.
    end = len(text) - 1 if text.endswith("\n") else len(text)
    cut = text.rfind("\n", 0, end) + 1
    return text[:cut] + text[cut:].rstrip(_WS)


def _strip_start(text: str, by_line: bool) -> str:
    if not by_line:
        return text.lstrip(_WS)
    nl = text.find("\n")
    if nl < 0:
        return text.lstrip(_WS)
    return text[: nl + 1].lstrip(_WS) + text[nl + 1 :]


def _assemble(flat: list[Flat], pos: int, stops: tuple[str, ...]) -> tuple[list[TPart], int, Directive | None]:
    """Parts from ``pos`` until a directive in ``stops`` (returned) or the end."""
    out: list[TPart] = []
    while pos < len(flat):
        item = flat[pos]
        if isinstance(item, Directive):
            if item.keyword in stops:
                return out, pos + 1, item
            if item.keyword == "if":
                assert item.cond is not None
                then, pos, end = _assemble(flat, pos + 1, ("else", "endif"))
                otherwise: list[TPart] = []
                if end is not None and end.keyword == "else":
                    otherwise, pos, end = _assemble(flat, pos, ("endif",))
                if end is None or end.keyword != "endif":
                    raise SyntaxProblem("%{if} without %{endif}", item.line)
                out.append(TIf(item.cond, tuple(then), tuple(otherwise)))
                continue
            if item.keyword == "for":
                assert item.cond is not None
                body, pos, end = _assemble(flat, pos + 1, ("endfor",))
                if end is None:
                    raise SyntaxProblem("%{for} without %{endfor}", item.line)
                out.append(TFor(item.key_var, item.value_var, item.cond, tuple(body)))
                continue
            raise SyntaxProblem(f"unexpected %{{{item.keyword}}}", item.line)
        if isinstance(item, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + item
        else:
            out.append(item)
        pos += 1
    return out, pos, None


def dedent_heredoc(body: str) -> str:
    """``<<-``: remove the smallest leading whitespace of the non-blank lines from every line.

    Terraform counts spaces and tabs alike, and ignores lines that are only whitespace.
    """
    lines = body.split("\n")
    widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip(" \t\r")]
    if not widths:
        return body
    cut = min(widths)
    return "\n".join(ln[cut:] if ln.strip(" \t\r") else ln[min(cut, len(ln)):] for ln in lines)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(raw: str) -> str:
    """Decode the backslash escapes of an HCL quoted string (``\\n``, ``\\uNNNN``, ...)."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = raw[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e == "u" and i + 6 <= n:
            out.append(_code_point(raw[i + 2 : i + 6]) or raw[i : i + 6])
            i += 6
        elif e == "U" and i + 10 <= n:
            out.append(_code_point(raw[i + 2 : i + 10]) or raw[i : i + 10])
            i += 10
        else:
            out.append(raw[i : i + 2])
            i += 2
    return "".join(out)


def _code_point(hexdigits: str) -> str | None:
    try:
        return chr(int(hexdigits, 16))
    except (ValueError, OverflowError):
        return None

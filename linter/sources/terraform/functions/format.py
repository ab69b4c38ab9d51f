"""``format`` and ``formatlist``: Go's ``fmt`` verbs as Terraform accepts them.

An unknown argument of a plain ``%s``/``%v`` becomes a token in the text, so a policy ARN built
with ``format`` keeps its known parts; any verb that would need the value's characters (width,
precision, ``%q``) answers unknown.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources.terraform.convert import EvalError, to_bool, to_number, to_str, unknown_for_token
from why403.sources.terraform.functions.base import Family, unknown_length
from why403.sources.terraform.functions.encoding import dumps, json_string, to_json_like
from why403.sources.terraform.numbers import round_half_even
from why403.sources.terraform.tfvalues import Unk

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

FORMAT = Family("format")
# Widths and precisions beyond this are refused (``%.999999999f`` would build a gigabyte of text).
MAX_WIDTH = 10_000

_SPEC_RE = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+))?(?:\[(\d+)\])?([a-zA-Z%])")


def _format_verbs(ev: Evaluator, fmt: str, args: list[Any], line: int) -> str | Unk:
    out: list[str] = []
    i = 0
    argi = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = _SPEC_RE.match(fmt, i)
        if m is None:
            raise EvalError("format(): invalid format string", line)
        flags, width, prec, explicit, verb = m.groups()
        i = m.end()
        for number in (width, prec, explicit):
            if number and number != "*" and (len(number) > 6 or int(number) > MAX_WIDTH):
                raise EvalError(f"format(): a width or precision of {number[:12]} is more than why403 "
                                f"evaluates (at most {MAX_WIDTH})", line)
        if verb == "%":
            out.append("%")
            continue
        if explicit:
            argi = int(explicit) - 1
        if argi >= len(args):
            raise EvalError("format(): not enough arguments", line)
        arg = args[argi]
        argi += 1
        if isinstance(arg, Unk):
            if verb in "sv" and not flags and not width and not prec:
                out.append(ev.token_for(arg))
                continue
            return arg.derived("format(...)", type="string")
        text = _format_one(verb, flags, prec, arg, line)
        if isinstance(text, Unk):
            return text
        if width and width != "*":
            w = int(width)
            if symbols.has_token(text):
                return unknown_for_token(text)
            if "-" in flags:
                text = text.ljust(w)
            elif "0" in flags and verb in "dfeg":
                sign = text[0] if text[:1] in "+-" else ""
                text = sign + text[len(sign):].rjust(w - len(sign), "0")
            else:
                text = text.rjust(w)
        out.append(text)
    return "".join(out)


def _format_one(verb: str, flags: str, prec: str | None, arg: Any, line: int) -> str | Unk:
    if verb in ("s", "v"):
        if verb == "v" and isinstance(arg, list | dict):
            return dumps(to_json_like(arg))
        s = to_str(arg, "format argument")
        if isinstance(s, Unk):
            return s
        if prec is not None and not symbols.has_token(s):
            s = s[: int(prec)]
        return s
    if verb == "q":
        s = to_str(arg, "format argument")
        if isinstance(s, Unk) or symbols.has_token(s):
            return unknown_for_token(s) if isinstance(s, str) else s
        return json_string(s)
    if verb == "t":
        b = to_bool(arg)
        return b if isinstance(b, Unk) else ("true" if b else "false")
    num = to_number(arg, "format argument")
    if isinstance(num, Unk):
        return num
    if verb == "d":
        if not isinstance(num, int):
            raise EvalError("format(): %d needs a whole number", line)
        text = str(num)
        return ("+" + text) if "+" in flags and num >= 0 else text
    if verb == "f":
        p = 6 if prec is None else int(prec)
        q = Fraction(num) * 10**p
        rounded = round_half_even(q) if q >= 0 else -round_half_even(-q)
        text = _fixed(rounded, p)
        return ("+" + text) if "+" in flags and num >= 0 else text
    if verb in ("x", "X", "o", "b") and isinstance(num, int):
        return format(num, verb)
    if verb in ("e", "g"):
        return format(float(num), verb if prec is None else f".{prec}{verb}")
    raise EvalError(f"format(): unsupported verb %{verb}", line)


def _fixed(n: int, p: int) -> str:
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(p + 1, "0")
    return sign + (digits[:-p] + "." + digits[-p:] if p else digits)


def _format_string(name: str, args: list[Any], line: int, type: str | None = None) -> str | Unk:
    """The format string of ``format``/``formatlist``: it must be known to the letter."""
    if not args:
        raise EvalError(f"{name}() needs a format string", line)
    fmt = to_str(args[0], "format string")
    if isinstance(fmt, Unk) or symbols.has_token(fmt):
        return Unk(f"{name}(...)", "the format string is not known", type=type)
    return fmt


@FORMAT.function("format")
def _format(ev: Evaluator, args: list[Any], line: int) -> Any:
    fmt = _format_string("format", args, line)
    if isinstance(fmt, Unk):
        return fmt
    for a in args[1:]:
        if isinstance(a, Unk) and a.many:
            return a.derived("format(...)")
    return _format_verbs(ev, fmt, args[1:], line)


@FORMAT.function("formatlist")
def _formatlist(ev: Evaluator, args: list[Any], line: int) -> Any:
    fmt = _format_string("formatlist", args, line, type="list")
    if isinstance(fmt, Unk):
        return fmt
    rest = args[1:]
    length: int | None = None
    for a in rest:
        if isinstance(a, Unk):
            return a.derived("formatlist(...)", type="list")
        if isinstance(a, list):
            if unknown_length(a):
                return Unk("formatlist(...)", "a list of unknown length", type="list")
            if length is not None and len(a) != length:
                raise EvalError("formatlist(): lists must have the same length", line)
            length = len(a)
    if length is None:
        length = 1
    out = []
    for i in range(length):
        row = [a[i] if isinstance(a, list) else a for a in rest]
        out.append(_format_verbs(ev, fmt, row, line))
    return out


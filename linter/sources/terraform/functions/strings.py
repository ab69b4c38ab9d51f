"""Terraform's string functions (``format`` and ``formatlist`` have their own module).

A string may hold tokens; each function keeps them where its result is still exact and otherwise
answers unknown (see :mod:`.tokens`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources.terraform.convert import (
    EvalError,
    as_list,
    to_number,
    to_str,
    unknown_for_token,
)
from why403.sources.terraform.functions.base import Family, Fn, arity
from why403.sources.terraform.functions.tokens import any_token_may_contain, segments, substring_may_straddle
from why403.sources.terraform.tfvalues import ObjVal, Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

STRINGS = Family("string")


def _per_rune(s: str, fn: Callable[[str], str]) -> str:
    """Go maps case one rune at a time: a rune without a one-rune mapping (ß) is kept."""
    out = []
    for c in s:
        m = fn(c)
        out.append(m if len(m) == 1 else c)
    return "".join(out)


def _case(name: str, fn: Callable[[str], str]) -> None:
    @STRINGS.string(name, f"argument of {name}()")
    def run(ev: Evaluator, s: str, line: int) -> Any:
        if not symbols.has_token(s):
            return fn(s)
        segs = segments(s)
        kinds = {seg[1] for tok, seg in segs if tok}
        # The home account is digits and the home region lower case: case changes leave them be.
        if kinds <= {"a"} or (name == "lower" and kinds <= {"a", "r"}):
            return "".join(seg if tok else fn(seg) for tok, seg in segs)
        return unknown_for_token(s)


_case("lower", lambda s: _per_rune(s, str.lower))
_case("upper", lambda s: _per_rune(s, str.upper))
_case("title", lambda s: re.sub(r"\b\w", lambda m: m.group(0).upper(), s))


@STRINGS.function("join")
def _join(ev: Evaluator, args: list[Any], line: int) -> Any:
    if len(args) < 2:
        raise EvalError("join() takes a separator and at least one list")
    sep = to_str(args[0], "separator")
    if isinstance(sep, Unk):
        return sep.derived("join(...)", type="string")
    items: list[Any] = []
    for lst in args[1:]:
        if isinstance(lst, Unk):
            return lst.derived("join(...)", type="string")
        items.extend(as_list(lst, "list given to join()"))
    out: list[str] = []
    for item in items:
        if isinstance(item, Unk):
            if item.many:
                return item.derived("join(...)", type="string")
            out.append(ev.token_for(item))
            continue
        if item is None:
            raise EvalError("join(): element is null", line)
        s = to_str(item, "element of join()")
        out.append(ev.token_for(s) if isinstance(s, Unk) else s)
    return sep.join(out)


@STRINGS.function("split")
def _split(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("split", args, 2)
    sep, s = to_str(args[0], "separator"), to_str(args[1], "string")
    if isinstance(sep, Unk) or isinstance(s, Unk):
        return combine_unknown("split(...)", [sep, s], type="list")
    if symbols.has_token(sep):
        return unknown_for_token(sep)
    if symbols.has_token(s):
        if sep == "" or any_token_may_contain(s, sep) or len(sep) > 1:
            return unknown_for_token(s)
        return s.split(sep)
    if sep == "":
        return list(s)
    return s.split(sep)


_RE2_MEMORY = 32 << 20  # bytes for one compiled pattern


@STRINGS.function("replace")
def _replace(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("replace", args, 3)
    s, sub, rep = (to_str(a, "argument of replace()") for a in args)
    if isinstance(s, Unk) or isinstance(sub, Unk) or isinstance(rep, Unk):
        return combine_unknown("replace(...)", [s, sub, rep], type="string")
    is_regex = len(sub) >= 2 and sub.startswith("/") and sub.endswith("/")
    if symbols.has_token(sub) or (symbols.has_token(s) and (is_regex or not sub)):
        return unknown_for_token(s if symbols.has_token(s) else sub)
    if symbols.has_token(s) and substring_may_straddle(s, sub):
        return unknown_for_token(s)
    if is_regex:
        return compile_re2(sub[1:-1], "replace", line).sub(_go_template(rep), unicode_text(s, "replace", line))
    return s.replace(sub, rep)


def unicode_text(text: str, name: str, line: int) -> str:
    """``text`` if it is valid Unicode (RE2 reads UTF-8; an unpaired surrogate has none), else the
    error Terraform gives a string that is not."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise EvalError(f"{name}(): the text is not valid Unicode", line) from None
    return text


def compile_re2(pattern: str, name: str, line: int) -> Any:
    """A pattern of ``regex``/``regexall``/``replace`` compiled by RE2, the engine (and syntax)
    Terraform's Go ``regexp`` uses: matching is linear in the text, never backtracking, so a
    pattern in the tree under check cannot hang the run as Python's ``re`` would on ``(a+)+$``.
    RE2's own memory for the compiled program is bounded, and it logs nothing (a pattern of the
    sources never reaches standard error)."""
    import re2

    unicode_text(pattern, name, line)
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _RE2_MEMORY
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise EvalError(f"{name}(): invalid regular expression: {detail}", line) from None


def _go_template(rep: str) -> str:
    """Go's ``$1``/``${1}`` references in a replacement, in Python's syntax."""
    out = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", rep.replace("\\", "\\\\"))
    return re.sub(r"\$(\d+)", r"\\g<\1>", out)


def _trim_affix(name: str, prefix: bool) -> Fn:
    @STRINGS.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 2)
        s, affix = to_str(args[0], "string"), to_str(args[1], "affix")
        if isinstance(s, Unk) or isinstance(affix, Unk):
            return combine_unknown(f"{name}(...)", [s, affix], type="string")
        if symbols.has_token(affix):
            return unknown_for_token(affix)
        segs = segments(s)
        if not segs:
            return s
        edge = segs[0] if prefix else segs[-1]
        if edge[0]:
            return unknown_for_token(s) if affix else s
        lit = edge[1]
        if prefix:
            if lit.startswith(affix):
                return s[len(affix) :]
            if symbols.has_token(s) and affix.startswith(lit):
                return unknown_for_token(s)
            return s
        if lit.endswith(affix):
            return s[: len(s) - len(affix)] if affix else s
        if symbols.has_token(s) and affix.endswith(lit):
            return unknown_for_token(s)
        return s

    return run


_trim_affix("trimprefix", True)
_trim_affix("trimsuffix", False)


@STRINGS.function("trim")
def _trim_set(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("trim", args, 2)
    s, cutset = to_str(args[0]), to_str(args[1])
    if isinstance(s, Unk) or isinstance(cutset, Unk):
        return combine_unknown("trim(...)", [s, cutset], type="string")
    if symbols.has_token(cutset) or (symbols.has_uncertain_token(s) and cutset):
        return unknown_for_token(s if symbols.has_token(s) else cutset)
    return s.strip(cutset)


@STRINGS.string("trimspace")
def _trimspace(ev: Evaluator, s: str, line: int) -> Any:
    segs = segments(s)
    if segs and (segs[0][0] or segs[-1][0]) and symbols.has_uncertain_token(s):
        return unknown_for_token(s)
    return s.strip()


@STRINGS.string("chomp")
def _chomp(ev: Evaluator, s: str, line: int) -> Any:
    return re.sub(r"(\r\n|\n|\r)+\Z", "", s)


_PREDICATES: dict[str, Callable[[str, str], bool]] = {
    "startswith": str.startswith,
    "endswith": str.endswith,
    "strcontains": lambda s, part: part in s,
}


def _str_predicate(name: str, test: Callable[[str, str], bool]) -> Fn:
    @STRINGS.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 2)
        s, part = to_str(args[0]), to_str(args[1])
        if isinstance(s, Unk) or isinstance(part, Unk):
            return combine_unknown(f"{name}(...)", [s, part], type="bool")
        if symbols.has_token(part):
            return unknown_for_token(part)
        result = test(s, part)
        if result or not symbols.has_uncertain_token(s):
            return result
        return unknown_for_token(s)

    return run


for _name, _test in _PREDICATES.items():
    _str_predicate(_name, _test)


@STRINGS.function("substr")
def _substr(ev: Evaluator, args: list[Any], line: int) -> Any:
    arity("substr", args, 3)
    s = to_str(args[0])
    off, length = to_number(args[1]), to_number(args[2])
    if isinstance(s, Unk) or isinstance(off, Unk) or isinstance(length, Unk):
        return combine_unknown("substr(...)", [s, off, length], type="string")
    if symbols.has_token(s):
        return unknown_for_token(s)
    if not isinstance(off, int) or not isinstance(length, int):
        raise EvalError("substr(): offset and length must be whole numbers", line)
    if off < 0:
        off = max(0, len(s) + off)
    if length < 0:
        return s[off:]
    return s[off : off + length]


def _regex_fn(name: str) -> Fn:
    @STRINGS.function(name)
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        arity(name, args, 2)
        pat, s = to_str(args[0]), to_str(args[1])
        if isinstance(pat, Unk) or isinstance(s, Unk):
            return combine_unknown(f"{name}(...)", [pat, s])
        if symbols.has_token(pat) or symbols.has_token(s):
            return unknown_for_token(s if symbols.has_token(s) else pat)
        rx = compile_re2(pat, name, line)
        matches = list(rx.finditer(unicode_text(s, name, line)))

        def result(m: Any) -> Any:
            if rx.groupindex:
                return ObjVal({k: m.group(k) for k in rx.groupindex})
            if rx.groups:
                return list(m.groups())
            return m.group(0)

        if name == "regexall":
            return [result(m) for m in matches]
        if not matches:
            raise EvalError("regex(): pattern did not match", line)
        return result(matches[0])

    return run


_regex_fn("regex")
_regex_fn("regexall")

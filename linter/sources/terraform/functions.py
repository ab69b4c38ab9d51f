"""Terraform's built-in functions, as far as policies are built from them.

Each function follows Terraform's documented behaviour (checked against ``terraform`` by the
differential tests). Strings may hold tokens for values known only after apply; a function keeps
them where the result is still exact (``join``, ``format("%s")``, ``split`` on ``:`` of an ARN
whose account is the home account) and otherwise answers unknown, never a guess. A function
why403 does not implement answers unknown with its name, not an error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import posixpath
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.values import Unknown
from why403.sources.terraform.convert import (
    TOKEN_RE,
    EvalError,
    as_list,
    equals,
    is_number,
    to_bool,
    to_number,
    to_str,
    type_name,
    unify_primitives,
    unknown_for_token,
)
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.hclread import SyntaxProblem, parse_template
from why403.sources.terraform.numbers import format_number, norm, round_half_even
from why403.sources.terraform.syntax import Call, Expr, Template, TPart
from why403.sources.terraform.tfvalues import (
    Lazy,
    LocatedJson,
    LocatedStr,
    ObjVal,
    Unk,
    combine_unknown,
    is_known,
    make_set,
)

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

Fn = Callable[["Evaluator", list[Any], int], Any]


class FunctionTable:
    """Dispatch by name; ``files`` reads files for ``file``/``templatefile`` (None: not allowed)."""

    def __init__(self, files: FileAccess | None = None) -> None:
        self.files = files

    def call(self, ev: Evaluator, expr: Call, scope: Scope) -> Any:
        name = expr.name.removeprefix("core::")
        if name in ("try", "can"):
            return _try(ev, expr, scope) if name == "try" else _can(ev, expr, scope)
        args = [ev.eval(a, scope) for a in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if isinstance(last, Unk):
                return last.derived(f"{name}(...)")
            args.extend(as_list(last, "expanded argument"))
        if name == "templatefile":
            return _templatefile(ev, self.files, args, expr.line, scope)
        if name in ("file", "fileexists"):
            return _file(ev, self.files, name, args, expr.line, scope)
        fn = _FUNCTIONS.get(name)
        if fn is None:
            if any(isinstance(a, Unk) for a in args):
                return _named(combine_unknown(f"{name}(...)", args), name, args)
            return Unk(f"{name}(...)", f"why403 does not evaluate {name}()")
        result = fn(ev, args, expr.line)
        return _named(result, name, args) if isinstance(result, Unk) else result


def _named(result: Unk, name: str, args: list[Any]) -> Unk:
    """``element(module.vpc.private_subnets)`` rather than ``element(...)``: an unknown result of
    one unknown argument is labelled with it, so the user sees what to supply."""
    unknowns = [a for a in args if isinstance(a, Unk)]
    if len(unknowns) == 1 and result.label == f"{name}(...)":
        result.label = f"{name}({unknowns[0].label})"[:180]
    return result


class FileAccess:
    """Reads files for ``file()`` and ``templatefile()``, each once per run (templates are parsed
    once too). Paths are relative to the root module, as Terraform resolves them; an absolute path
    outside the root module names something of the machine, not of the sources, and is not read."""

    def __init__(self, root: Path, max_bytes: int = 4 * 1024 * 1024) -> None:
        self.given_root = str(root)
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.texts: dict[Path, str | None] = {}
        self.templates: dict[Path, tuple[TPart, ...]] = {}

    def resolve(self, name: str) -> Path | None:
        p = Path(name)
        if p.is_absolute():
            full = p.resolve()
            return full if full == self.root or self.root in full.parents else None
        return (self.root / p).resolve()

    def display(self, name: str) -> str:
        """How locations name the file: under the root directory as the user gave it."""
        p = Path(name)
        return name if p.is_absolute() else os.path.normpath(os.path.join(self.given_root, name))

    def read(self, name: str) -> str | None:
        full = self.resolve(name)
        return None if full is None else self.read_resolved(full)

    def read_resolved(self, full: Path) -> str | None:
        """The text of a path :meth:`resolve` gave (None: too large, unreadable or not UTF-8)."""
        if full not in self.texts:
            try:
                if full.stat().st_size > self.max_bytes:
                    self.texts[full] = None
                else:
                    self.texts[full] = full.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self.texts[full] = None
        return self.texts[full]


def _arity(name: str, args: list[Any], lo: int, hi: int | None = None) -> None:
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise EvalError(f"{name}() takes {want} arguments, not {len(args)}")


def _unknown_args(name: str, args: list[Any]) -> Unk | None:
    if all(is_known(a) for a in args):
        return None
    return combine_unknown(f"{name}(...)", args)


# -- try / can ----------------------------------------------------------------------------------


def _try(ev: Evaluator, expr: Call, scope: Scope) -> Any:
    errors = []
    for arg in expr.args:
        try:
            return ev.eval(arg, scope)
        except EvalError as exc:
            errors.append(str(exc))
    raise EvalError("no argument of try() could be evaluated: " + "; ".join(errors[:2]), expr.line)


def _can(ev: Evaluator, expr: Call, scope: Scope) -> Any:
    if len(expr.args) != 1:
        raise EvalError("can() takes one argument", expr.line)
    try:
        value = ev.eval(expr.args[0], scope)
    except EvalError:
        return False
    if isinstance(value, Unk):
        return value.derived("can(...)", type="bool")
    return True


# -- files --------------------------------------------------------------------------------------


def _file(ev: Evaluator, files: FileAccess | None, name: str, args: list[Any], line: int, scope: Scope) -> Any:
    _arity(name, args, 1)
    path = args[0]
    if isinstance(path, Unk):
        return path.derived(f"{name}(...)")
    if not isinstance(path, str) or symbols.has_token(path):
        return Unk(f"{name}(...)", f"the path given to {name}() is not known")
    if files is None:
        return Unk(f"{name}({path})", f"{name}() is not available here")
    text = files.read(path)
    if name == "fileexists":
        return text is not None
    if text is None:
        return Unk(f'file("{path}")', f"{path} cannot be read")
    return LocatedStr(text, files.display(path), 1)


def _templatefile(ev: Evaluator, files: FileAccess | None, args: list[Any], line: int, scope: Scope) -> Any:
    _arity("templatefile", args, 2)
    path, variables = args
    if isinstance(path, Unk) or isinstance(variables, Unk):
        return combine_unknown("templatefile(...)", [path, variables])
    if not isinstance(path, str) or symbols.has_token(path):
        return Unk("templatefile(...)", "the template path is not known")
    if not isinstance(variables, dict):
        raise EvalError("templatefile() needs an object of variables", line)
    if files is None:
        return Unk(f"templatefile({path})", "templatefile() is not available here")
    full = files.resolve(path)
    text = None if full is None else files.read_resolved(full)
    if full is None or text is None:
        return Unk(f'templatefile("{path}")', f"{path} cannot be read")
    parts = files.templates.get(full)
    if parts is None:
        try:
            parts = parse_template(text, 1)
        except SyntaxProblem as exc:
            raise EvalError(f"the template {path} cannot be parsed: {exc}", line) from None
        files.templates[full] = parts
    # The file's text is a template like any other: the evaluator renders it (one interpolation
    # alone gives its value, not text) in a scope holding only the variables given.
    return ev.eval(Template(parts, line, 1), Scope(_NoNames(), files.display(path), dict(variables)))


class _NoNames:
    """Templates see only their variables."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        raise EvalError(f"{name!r} is not a variable of this template", line)


# -- JSON ---------------------------------------------------------------------------------------


def to_json_like(value: Any, depth: int = 0) -> Any:
    """A value as a JSON-like document: unknown scalars stay tokens, unknown collections become
    :class:`~why403.model.values.Unknown` markers (the policy parser understands both)."""
    if depth > 200:
        raise EvalError("value nested too deeply")
    if isinstance(value, Unk):
        if value.type in ("string", "number", "bool"):
            return symbols.unknown(value.label)
        return Unknown(f"{value.label}: {value.reason}")
    if isinstance(value, Lazy):
        return Unknown(f"{value.label} is only known after apply")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value) if isinstance(value, str) else value
    if is_number(value):
        return value
    if isinstance(value, dict):
        return {k: to_json_like(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_like(v, depth + 1) for v in value]
    raise EvalError(f"cannot encode a {type(value).__name__}")


def has_markers(doc: Any) -> bool:
    if isinstance(doc, Unknown):
        return True
    if isinstance(doc, dict):
        return any(has_markers(v) for v in doc.values())
    if isinstance(doc, list):
        return any(has_markers(v) for v in doc)
    return False


def dumps(doc: Any, indent: bool = False, sort_keys: bool = True) -> str:
    """JSON text as Terraform writes it: keys sorted, ``<``, ``>``, ``&`` escaped, numbers exact.

    ``sort_keys=False`` keeps the order of the mapping, as the AWS provider's
    ``aws_iam_policy_document`` does for its output."""
    return _dump(doc, "  " if indent else None, 0, sort_keys)


def _dump(v: Any, indent: str | None, level: int, sort_keys: bool = True) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        return _json_string(v)
    if is_number(v):
        return format_number(v)
    if isinstance(v, dict):
        if not v:
            return "{}"
        colon = ":" if indent is None else ": "
        items = [f"{_json_string(k)}{colon}{_dump(v[k], indent, level + 1, sort_keys)}"
                 for k in (sorted(v) if sort_keys else v)]
        return _wrap("{", "}", items, indent, level)
    if isinstance(v, list):
        if not v:
            return "[]"
        return _wrap("[", "]", [_dump(x, indent, level + 1, sort_keys) for x in v], indent, level)
    raise EvalError(f"cannot encode {type(v).__name__}")


def _wrap(open_: str, close: str, items: list[str], indent: str | None, level: int) -> str:
    if indent is None:
        return open_ + ",".join(items) + close
    pad = "\n" + indent * (level + 1)
    return open_ + pad + ("," + pad).join(items) + "\n" + indent * level + close


def _json_string(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def statement_locs(value: Any) -> list[tuple[str, int, int] | None] | None:
    """Where each statement of a policy object was written (from the object constructors)."""
    if not isinstance(value, dict):
        return None
    stmts = value.get("Statement")
    if isinstance(stmts, ObjVal):
        return [stmts.loc]
    if isinstance(stmts, list):
        return [s.loc if isinstance(s, ObjVal) else None for s in stmts]
    return None


def jsonencode(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("jsonencode", args, 1)
    value = args[0]
    if isinstance(value, Unk):
        return value.derived("jsonencode(...)", type="string")
    doc = to_json_like(value)
    locs = statement_locs(value)
    loc = value.loc if isinstance(value, ObjVal) else None
    file, first = (loc[0], loc[1]) if loc else ("", line)
    if has_markers(doc) or not is_known(value):
        u = combine_unknown("jsonencode(...)", [value], type="string")
        u.doc = doc
        u.locs = locs
        return u
    text = dumps(doc)
    return LocatedJson(text, doc, file, first, locs)


def jsondecode(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("jsondecode", args, 1)
    text = args[0]
    if isinstance(text, Unk):
        if text.doc is not None:
            return _from_json_like(text.doc, text)
        return text.derived("jsondecode(...)")
    if isinstance(text, LocatedJson):
        return _from_json_like(text.doc, None)
    if not isinstance(text, str):
        raise EvalError("jsondecode() needs a string", line)
    try:
        doc = json.loads(text, parse_float=Fraction, parse_int=int)
    except (ValueError, RecursionError) as exc:
        if symbols.has_token(text):
            return unknown_for_token(text)
        raise EvalError(f"jsondecode(): invalid JSON ({exc})", line) from None
    return _from_json_like(doc, None)


def _from_json_like(doc: Any, unk: Unk | None, depth: int = 0) -> Any:
    if depth > 200:
        raise EvalError("JSON nested too deeply")
    if isinstance(doc, Unknown):
        return Unk("jsondecode(...)", doc.reason, unk.sources if unk else frozenset())
    if isinstance(doc, dict):
        return ObjVal({k: _from_json_like(v, unk, depth + 1) for k, v in doc.items()})
    if isinstance(doc, list):
        return [_from_json_like(v, unk, depth + 1) for v in doc]
    if isinstance(doc, Fraction):
        return norm(doc)
    return doc


# -- strings ------------------------------------------------------------------------------------


def _segments(s: str) -> list[tuple[bool, str]]:
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


def _token_chars(token: str) -> frozenset[str] | None:
    """The characters a token's value is made of (None: anything)."""
    return _TOKEN_CHARS.get(token[1])


def _token_may_contain(token: str, sep: str) -> bool:
    chars = _token_chars(token)
    return chars is None or any(c in chars for c in sep)


def _substring_may_straddle(s: str, sub: str) -> bool:
    """Whether an occurrence of ``sub`` in ``s`` could involve a token's (unknown) characters:
    inside the token, or across one of its ends. When it cannot, replacing ``sub`` in the literal
    parts is exact."""
    segs = _segments(s)
    for i, (is_token, text) in enumerate(segs):
        if not is_token:
            continue
        chars = _token_chars(text)
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


def _case(name: str, fn: Callable[[str], str]) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        s = to_str(args[0], f"argument of {name}()")
        if isinstance(s, Unk):
            return s.derived(f"{name}(...)", type="string")
        if not symbols.has_token(s):
            return fn(s)
        segs = _segments(s)
        kinds = {seg[1] for tok, seg in segs if tok}
        # The home account is digits and the home region lower case: case changes leave them be.
        if kinds <= {"a"} or (name == "lower" and kinds <= {"a", "r"}):
            return "".join(seg if tok else fn(seg) for tok, seg in segs)
        return unknown_for_token(s)

    return run


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


def _split(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("split", args, 2)
    sep, s = to_str(args[0], "separator"), to_str(args[1], "string")
    if isinstance(sep, Unk) or isinstance(s, Unk):
        return combine_unknown("split(...)", [sep, s], type="list")
    if symbols.has_token(sep):
        return unknown_for_token(sep)
    if symbols.has_token(s):
        if sep == "":
            return unknown_for_token(s)
        segs = _segments(s)
        if any(tok and _token_may_contain(seg, sep) for tok, seg in segs):
            return unknown_for_token(s)
        if len(sep) > 1:
            return unknown_for_token(s)
        return s.split(sep)
    if sep == "":
        return list(s)
    return s.split(sep)


def _replace(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("replace", args, 3)
    s, sub, rep = (to_str(a, "argument of replace()") for a in args)
    if isinstance(s, Unk) or isinstance(sub, Unk) or isinstance(rep, Unk):
        return combine_unknown("replace(...)", [s, sub, rep], type="string")
    is_regex = len(sub) >= 2 and sub.startswith("/") and sub.endswith("/")
    if symbols.has_token(sub) or (symbols.has_token(s) and (is_regex or not sub)):
        return unknown_for_token(s if symbols.has_token(s) else sub)
    if symbols.has_token(s) and _substring_may_straddle(s, sub):
        return unknown_for_token(s)
    if is_regex:
        try:
            pattern = re.compile(sub[1:-1])
        except re.error as exc:
            raise EvalError(f"replace(): invalid regular expression: {exc}", line) from None
        return pattern.sub(_go_template(rep), s)
    return s.replace(sub, rep)


def _go_template(rep: str) -> str:
    """Go's ``$1``/``${1}`` references in a replacement, in Python's syntax."""
    out = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", rep.replace("\\", "\\\\"))
    return re.sub(r"\$(\d+)", r"\\g<\1>", out)


def _trim_affix(name: str, prefix: bool) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 2)
        s, affix = to_str(args[0], "string"), to_str(args[1], "affix")
        if isinstance(s, Unk) or isinstance(affix, Unk):
            return combine_unknown(f"{name}(...)", [s, affix], type="string")
        if symbols.has_token(affix):
            return unknown_for_token(affix)
        segs = _segments(s)
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


def _per_rune(s: str, fn: Callable[[str], str]) -> str:
    """Go maps case one rune at a time: a rune without a one-rune mapping (ß) is kept."""
    out = []
    for c in s:
        m = fn(c)
        out.append(m if len(m) == 1 else c)
    return "".join(out)


def _trim_set(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("trim", args, 2)
    s, cutset = to_str(args[0]), to_str(args[1])
    if isinstance(s, Unk) or isinstance(cutset, Unk):
        return combine_unknown("trim(...)", [s, cutset], type="string")
    if symbols.has_token(cutset) or (symbols.has_uncertain_token(s) and cutset):
        return unknown_for_token(s if symbols.has_token(s) else cutset)
    return s.strip(cutset)


def _trimspace(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("trimspace", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("trimspace(...)", type="string")
    segs = _segments(s)
    if segs and (segs[0][0] or segs[-1][0]) and symbols.has_uncertain_token(s):
        return unknown_for_token(s)
    return s.strip()


def _str_predicate(name: str) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 2)
        s, part = to_str(args[0]), to_str(args[1])
        if isinstance(s, Unk) or isinstance(part, Unk):
            return combine_unknown(f"{name}(...)", [s, part], type="bool")
        if symbols.has_token(part):
            return unknown_for_token(part)
        if name == "startswith":
            result = s.startswith(part)
        elif name == "endswith":
            result = s.endswith(part)
        else:
            result = part in s
        if result or not symbols.has_uncertain_token(s):
            return result
        return unknown_for_token(s)

    return run


def _format_verbs(ev: Evaluator, fmt: str, args: list[Any], line: int) -> str | Unk:
    out: list[str] = []
    i = 0
    argi = 0
    n = len(fmt)
    spec_re = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+))?(?:\[(\d+)\])?([a-zA-Z%])")
    while i < n:
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = spec_re.match(fmt, i)
        if m is None:
            raise EvalError("format(): invalid format string", line)
        flags, width, prec, explicit, verb = m.groups()
        i = m.end()
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
        return _json_string(s)
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


def _format(ev: Evaluator, args: list[Any], line: int) -> Any:
    if not args:
        raise EvalError("format() needs a format string", line)
    fmt = to_str(args[0], "format string")
    if isinstance(fmt, Unk) or symbols.has_token(fmt):
        return Unk("format(...)", "the format string is not known")
    for a in args[1:]:
        if isinstance(a, Unk) and a.many:
            return a.derived("format(...)")
    return _format_verbs(ev, fmt, args[1:], line)


def _formatlist(ev: Evaluator, args: list[Any], line: int) -> Any:
    if not args:
        raise EvalError("formatlist() needs a format string", line)
    fmt = to_str(args[0], "format string")
    if isinstance(fmt, Unk) or symbols.has_token(fmt):
        return Unk("formatlist(...)", "the format string is not known", type="list")
    rest = args[1:]
    length: int | None = None
    for a in rest:
        if isinstance(a, Unk):
            return a.derived("formatlist(...)", type="list")
        if isinstance(a, list):
            if any(isinstance(x, Unk) and x.many for x in a):
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


def _substr(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("substr", args, 3)
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


def _chomp(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("chomp", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("chomp(...)", type="string")
    return re.sub(r"(\r\n|\n|\r)+\Z", "", s)


def _regex_fn(name: str) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 2)
        pat, s = to_str(args[0]), to_str(args[1])
        if isinstance(pat, Unk) or isinstance(s, Unk):
            return combine_unknown(f"{name}(...)", [pat, s])
        if symbols.has_token(pat) or symbols.has_token(s):
            return unknown_for_token(s if symbols.has_token(s) else pat)
        try:
            rx = re.compile(pat)
        except re.error as exc:
            raise EvalError(f"{name}(): invalid pattern: {exc}", line) from None
        matches = list(rx.finditer(s))
        def result(m: re.Match[str]) -> Any:
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


def _length(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("length", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived(f"length({v.label})", type="number")
    if isinstance(v, Lazy):
        v = v.materialize()
        if isinstance(v, Unk):
            return v.derived("length(...)", type="number")
    if isinstance(v, str):
        if symbols.has_token(v):
            return unknown_for_token(v)
        return len(v)
    if isinstance(v, list):
        if any(isinstance(x, Unk) and x.many for x in v):
            return Unk("length(...)", "a list of unknown length", type="number")
        return len(v)
    if isinstance(v, dict):
        return len(v)
    raise EvalError(f"length() of a {type_name(v)}", line)


# -- collections --------------------------------------------------------------------------------


def _many(u: Unk) -> Unk:
    return u if u.many else u.as_many()


def _concat(ev: Evaluator, args: list[Any], line: int) -> Any:
    out: list[Any] = []
    for a in args:
        if isinstance(a, Unk):
            out.append(_many(a))
            continue
        out.extend(as_list(a, "argument of concat()"))
    return out


def _flatten(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("flatten", args, 1)
    if isinstance(args[0], Unk):
        return args[0].derived("flatten(...)", type="list")
    out: list[Any] = []

    def walk(v: Any, depth: int) -> None:
        if depth > 100:
            raise EvalError("flatten(): nested too deeply", line)
        for x in v:
            if isinstance(x, list):
                walk(x, depth + 1)
            elif isinstance(x, Unk) and (x.type in (None, "list", "set") or x.many):
                out.append(_many(x))
            else:
                out.append(x)

    walk(as_list(args[0], "argument of flatten()"), 0)
    return out


def _merge(ev: Evaluator, args: list[Any], line: int) -> Any:
    result: dict[str, Any] = {}
    for a in args:
        if a is None:
            continue
        if isinstance(a, Lazy):
            a = a.materialize()
        if isinstance(a, Unk):
            return a.derived("merge(...)", type="map")
        if not isinstance(a, dict):
            raise EvalError(f"merge() takes objects or maps, not a {type_name(a)}", line)
        result.update(a)
    return ObjVal(result)


def _distinct(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("distinct", args, 1)
    lst = args[0]
    if isinstance(lst, Unk):
        return lst.derived("distinct(...)", type="list")
    items = as_list(lst, "argument of distinct()")
    if any(isinstance(x, Unk) for x in items):
        return combine_unknown("distinct(...)", items, type="list")
    out = _dedupe(items)
    return out if out is not None else Unk("distinct(...)", "elements whose equality is not known", type="list")


def _dedupe(items: list[Any]) -> list[Any] | None:
    """Items without repeats, first occurrence kept; None when tokens leave equality open."""
    out: list[Any] = []
    for x in items:
        found = False
        for y in out:
            r = equals(x, y)
            if r is True:
                found = True
                break
            if r is not False:
                return None
        if not found:
            out.append(x)
    return out


def _compact(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("compact", args, 1)
    lst = args[0]
    if isinstance(lst, Unk):
        return lst.derived("compact(...)", type="list")
    out: list[Any] = []
    for x in as_list(lst, "argument of compact()"):
        if x is None or x == "":
            continue
        if isinstance(x, Unk):
            out.append(_many(x))
        elif isinstance(x, str) and symbols.is_entirely_unknown(x):
            out.append(Unk(symbols.render(x), "may be empty", many=True))
        else:
            s = to_str(x)
            out.append(s)
    return out


def _lookup(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("lookup", args, 2, 3)
    m, key = args[0], args[1]
    if isinstance(m, Lazy):
        m = m.materialize()
    if isinstance(m, Unk):
        return m.derived(f"lookup({m.label})")
    if not isinstance(m, dict):
        raise EvalError(f"lookup() needs a map, not a {type_name(m)}", line)
    k = to_str(key, "key")
    if isinstance(k, Unk):
        return k.derived("lookup(...)")
    if k in m:
        return m[k]
    if symbols.has_uncertain_token(k):
        return unknown_for_token(k)
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup(): the key {k!r} is not in the map and no default was given", line)


def _element(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("element", args, 2)
    lst, idx = args
    if isinstance(lst, Unk):
        return lst.derived("element(...)")
    items = as_list(lst, "argument of element()")
    i = to_number(idx, "index")
    if isinstance(i, Unk):
        return i.derived("element(...)")
    if not isinstance(i, int):
        raise EvalError("element(): the index must be a whole number", line)
    if any(isinstance(x, Unk) and x.many for x in items):
        return Unk("element(...)", "a list of unknown length")
    if not items:
        raise EvalError("element(): the list is empty", line)
    if i < 0:
        raise EvalError("element(): the index must not be negative", line)
    return items[i % len(items)]


def _coalesce(ev: Evaluator, args: list[Any], line: int) -> Any:
    for a in args:
        if isinstance(a, Unk):
            return a.derived("coalesce(...)")
        if a is None:
            continue
        if isinstance(a, str):
            if a == "":
                continue
            if symbols.is_entirely_unknown(a):
                return unknown_for_token(a)
        return a
    raise EvalError("coalesce(): no non-null, non-empty argument", line)


def _coalescelist(ev: Evaluator, args: list[Any], line: int) -> Any:
    for a in args:
        if isinstance(a, Unk):
            return a.derived("coalescelist(...)", type="list")
        items = as_list(a, "argument of coalescelist()")
        if any(isinstance(x, Unk) and x.many for x in items):
            return Unk("coalescelist(...)", "a list of unknown length", type="list")
        if items:
            return a
    raise EvalError("coalescelist(): all lists are empty", line)


def _tolist(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("tolist", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived("tolist(...)", type="list")
    if v is None:
        return None
    return unify_primitives(list(as_list(v, "argument of tolist()")))


def _toset(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("toset", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived("toset(...)", type="set")
    if v is None:
        return None
    items = unify_primitives(list(as_list(v, "argument of toset()")))
    if any(isinstance(x, Unk) for x in items):
        return combine_unknown("toset(...)", items, type="set")
    unique = _dedupe(items)
    if unique is None:
        # Two tokens could stand for the same value: the size of the set is not known.
        return Unk("toset(...)", "elements whose equality is not known", type="set")
    return make_set(unique)


def _tomap(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("tomap", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived("tomap(...)", type="map")
    if v is None:
        return None
    if not isinstance(v, dict):
        raise EvalError(f"tomap() needs an object, not a {type_name(v)}", line)
    keys = list(v)
    values = unify_primitives([v[k] for k in keys])
    return ObjVal(dict(zip(keys, values, strict=True)))


def _tostring(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("tostring", args, 1)
    v = args[0]
    if v is None:
        return None
    if isinstance(v, list | dict):
        raise EvalError("tostring() of a collection", line)
    return to_str(v)


def _to_primitive(name: str, convert: Callable[[Any], Any]) -> Fn:
    """``tonumber``/``tobool``: null stays null, anything else converts (or is an error)."""

    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        return None if args[0] is None else convert(args[0])

    return run


def _keys(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("keys", args, 1)
    m = args[0]
    if isinstance(m, Lazy):
        m = m.materialize()
    if isinstance(m, Unk):
        return m.derived(f"keys({m.label})", type="list")
    if not isinstance(m, dict):
        raise EvalError(f"keys() needs a map, not a {type_name(m)}", line)
    return sorted(m)


def _values(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("values", args, 1)
    m = args[0]
    if isinstance(m, Lazy):
        m = m.materialize()
    if isinstance(m, Unk):
        return m.derived(f"values({m.label})", type="list")
    if not isinstance(m, dict):
        raise EvalError(f"values() needs a map, not a {type_name(m)}", line)
    return [m[k] for k in sorted(m)]


def _contains(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("contains", args, 2)
    lst, v = args
    if isinstance(lst, Unk):
        return lst.derived("contains(...)", type="bool")
    items = as_list(lst, "argument of contains()")
    unknown = False
    for x in items:
        r = equals(x, v)
        if r is True:
            return True
        if isinstance(r, Unk):
            unknown = True
    if unknown:
        return combine_unknown("contains(...)", [*items, v], type="bool")
    return False


def _range(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("range", args, 1, 3)
    nums = [to_number(a) for a in args]
    if any(isinstance(n, Unk) for n in nums):
        return combine_unknown("range(...)", nums, type="list")
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], (1 if nums[1] >= nums[0] else -1)
    else:
        start, stop, step = nums
    if step == 0:
        raise EvalError("range(): step must not be zero", line)
    count = math.ceil((stop - start) / step) if (stop - start) * step > 0 else 0
    if count > ev.budget.collection_limit:
        raise EvalError(f"range() of {count} elements is more than why403 evaluates", line)
    return [norm(Fraction(start) + Fraction(step) * i) for i in range(count)]


def _zipmap(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("zipmap", args, 2)
    keys, vals = args
    if isinstance(keys, Unk) or isinstance(vals, Unk):
        return combine_unknown("zipmap(...)", [keys, vals], type="map")
    ks, vs = as_list(keys), as_list(vals)
    if not is_known(ks) or any(isinstance(v, Unk) and v.many for v in vs):
        return combine_unknown("zipmap(...)", ks, type="map")
    if len(ks) != len(vs):
        raise EvalError("zipmap(): lists of different lengths", line)
    out: dict[str, Any] = {}
    for k, v in zip(ks, vs, strict=True):
        s = to_str(k)
        if isinstance(s, Unk):
            return s
        out[s] = v
    return ObjVal(out)


def _slice(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("slice", args, 3)
    lst, a, b = args[0], to_number(args[1]), to_number(args[2])
    if isinstance(lst, Unk) or isinstance(a, Unk) or isinstance(b, Unk):
        return combine_unknown("slice(...)", [lst, a, b], type="list")
    items = as_list(lst)
    if not isinstance(a, int) or not isinstance(b, int) or a < 0 or b > len(items) or a > b:
        raise EvalError("slice(): index out of range", line)
    if any(isinstance(x, Unk) and x.many for x in items[:b]):
        return Unk("slice(...)", "a list of unknown length", type="list")
    return items[a:b]


def _reverse(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("reverse", args, 1)
    if isinstance(args[0], Unk):
        return args[0].derived("reverse(...)", type="list")
    items = as_list(args[0])
    if any(isinstance(x, Unk) and x.many for x in items):
        return Unk("reverse(...)", "a list of unknown length", type="list")
    return list(reversed(items))


def _sort(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("sort", args, 1)
    if isinstance(args[0], Unk):
        return args[0].derived("sort(...)", type="list")
    items = as_list(args[0])
    strs = [to_str(x) for x in items]
    if any(isinstance(s, Unk) or symbols.has_uncertain_token(s) for s in strs):
        return Unk("sort(...)", "elements known only after apply", type="list")
    return sorted(s for s in strs if isinstance(s, str))


def _index_fn(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("index", args, 2)
    lst, v = args
    if isinstance(lst, Unk):
        return lst.derived("index(...)", type="number")
    for i, x in enumerate(as_list(lst)):
        r = equals(x, v)
        if r is True:
            return i
        if isinstance(r, Unk):
            return r.derived("index(...)", type="number")
    raise EvalError("index(): the value is not in the list", line)


def _one(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("one", args, 1)
    v = args[0]
    if isinstance(v, Unk):
        return v.derived("one(...)")
    items = as_list(v)
    if any(isinstance(x, Unk) and x.many for x in items):
        return Unk("one(...)", "a list of unknown length")
    if not items:
        return None
    if len(items) > 1:
        raise EvalError("one(): the list has more than one element", line)
    return items[0]


def _set_op(name: str) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        if not args:
            raise EvalError(f"{name}() needs arguments", line)
        if not all(is_known(a) for a in args) or any(
                isinstance(x, str) and symbols.has_uncertain_token(x) for a in args for x in as_list(a)):
            return combine_unknown(f"{name}(...)", args, type="set")
        sets = [list(as_list(a)) for a in args]
        result = sets[0]
        for other in sets[1:]:
            if name == "setunion":
                result = result + other
            elif name == "setintersection":
                result = [x for x in result if any(equals(x, y) is True for y in other)]
            else:
                result = [x for x in result if not any(equals(x, y) is True for y in other)]
        return make_set(result)

    return run


def _numeric(name: str, fn: Callable[[list[Any]], Any]) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        values = args[0] if name == "sum" and len(args) == 1 and isinstance(args[0], list) else args
        if isinstance(values, Unk):
            return values.derived(f"{name}(...)", type="number")
        nums = [to_number(a) for a in values]
        if any(isinstance(n, Unk) for n in nums):
            return combine_unknown(f"{name}(...)", nums, type="number")
        if not nums:
            raise EvalError(f"{name}() needs at least one number", line)
        return fn(nums)

    return run


def _all_or_any(name: str, decisive: bool) -> Fn:
    """``alltrue`` (one ``false`` decides) and ``anytrue`` (one ``true`` decides): an unknown
    element matters only when no element decides; an empty list gives ``not decisive``."""

    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        if isinstance(args[0], Unk):
            return args[0].derived(f"{name}(...)", type="bool")
        vals = [to_bool(x) for x in as_list(args[0])]
        if any(v is decisive for v in vals):
            return decisive
        if any(isinstance(v, Unk) for v in vals):
            return combine_unknown(f"{name}(...)", vals, type="bool")
        return not decisive

    return run


def _chunklist(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("chunklist", args, 2)
    unk = _unknown_args("chunklist", args)
    if unk is not None:
        return unk
    items, size = as_list(args[0]), to_number(args[1])
    if not isinstance(size, int) or size < 0:
        raise EvalError("chunklist(): bad size", line)
    if size == 0:
        return [items]
    return [items[i : i + size] for i in range(0, len(items), size)]


def _transpose(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("transpose", args, 1)
    unk = _unknown_args("transpose", args)
    if unk is not None:
        return unk
    m = args[0]
    if not isinstance(m, dict):
        raise EvalError("transpose() needs a map of lists", line)
    out: dict[str, list[str]] = {}
    for k in sorted(m):
        for v in as_list(m[k]):
            s = to_str(v)
            assert isinstance(s, str)
            out.setdefault(s, []).append(k)
    return ObjVal({k: sorted(v) for k, v in out.items()})


def _hash(name: str, fn: Callable[[bytes], str]) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        s = to_str(args[0])
        if isinstance(s, Unk):
            return s.derived(f"{name}(...)", type="string")
        if symbols.has_token(s):
            return unknown_for_token(s)
        return fn(s.encode("utf-8"))

    return run


def _base64decode(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("base64decode", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("base64decode(...)", type="string")
    if symbols.has_token(s):
        return unknown_for_token(s)
    try:
        return base64.b64decode(s, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode(): invalid input", line) from None


def _path_fn(name: str) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        s = to_str(args[0])
        if isinstance(s, Unk):
            return s.derived(f"{name}(...)", type="string")
        if symbols.has_token(s) and _token_may_contain_any(s, "/"):
            return unknown_for_token(s)
        if name == "basename":  # Go's filepath.Base
            if s == "":
                return "."
            stripped = s.rstrip("/")
            return stripped.rsplit("/", 1)[-1] if stripped else "/"
        # Go's filepath.Dir: everything up to the last slash, cleaned.
        cut = s.rfind("/")
        head = s[: cut + 1]
        if not head:
            return "."
        cleaned = posixpath.normpath(head)
        return "/" if cleaned.startswith("//") and cleaned.strip("/") == "" else cleaned

    return run


def _token_may_contain_any(s: str, chars: str) -> bool:
    return any(tok and _token_may_contain(seg, chars) for tok, seg in _segments(s))


def _identity(name: str) -> Fn:
    def run(ev: Evaluator, args: list[Any], line: int) -> Any:
        _arity(name, args, 1)
        return args[0]

    return run


def _arn_build(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("arn_build", args, 4)
    parts = [to_str(a) for a in args]
    if any(isinstance(p, Unk) for p in parts):
        return combine_unknown("arn_build(...)", parts, type="string")
    return "arn:" + ":".join(str(p) for p in parts[:3]) + ":" + str(parts[3])


def _arn_parse(ev: Evaluator, args: list[Any], line: int) -> Any:
    _arity("arn_parse", args, 1)
    s = to_str(args[0])
    if isinstance(s, Unk):
        return s.derived("arn_parse(...)", type="map")
    if any(tok and _token_may_contain(seg, ":") for tok, seg in _segments(s)):
        return unknown_for_token(s)
    parts = s.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise EvalError("arn_parse(): not an ARN", line)
    return ObjVal({"partition": parts[1], "service": parts[2], "region": parts[3], "account_id": parts[4],
                   "resource": parts[5]})


_FUNCTIONS: dict[str, Fn] = {
    "jsonencode": jsonencode,
    "jsondecode": jsondecode,
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
    "split": _split,
    "concat": _concat,
    "merge": _merge,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": _compact,
    "lookup": _lookup,
    "element": _element,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "tolist": _tolist,
    "toset": _toset,
    "tomap": _tomap,
    "tostring": _tostring,
    "tonumber": _to_primitive("tonumber", to_number),
    "tobool": _to_primitive("tobool", to_bool),
    "keys": _keys,
    "values": _values,
    "lower": _case("lower", lambda s: _per_rune(s, str.lower)),
    "upper": _case("upper", lambda s: _per_rune(s, str.upper)),
    "trim": _trim_set,
    "title": _case("title", lambda s: re.sub(r"\b\w", lambda m: m.group(0).upper(), s)),
    "replace": _replace,
    "trimprefix": _trim_affix("trimprefix", True),
    "trimsuffix": _trim_affix("trimsuffix", False),
    "trimspace": _trimspace,
    "startswith": _str_predicate("startswith"),
    "endswith": _str_predicate("endswith"),
    "strcontains": _str_predicate("strcontains"),
    "substr": _substr,
    "chomp": _chomp,
    "regex": _regex_fn("regex"),
    "regexall": _regex_fn("regexall"),
    "length": _length,
    "contains": _contains,
    "range": _range,
    "zipmap": _zipmap,
    "slice": _slice,
    "reverse": _reverse,
    "sort": _sort,
    "index": _index_fn,
    "one": _one,
    "setunion": _set_op("setunion"),
    "setintersection": _set_op("setintersection"),
    "setsubtract": _set_op("setsubtract"),
    "sum": _numeric("sum", lambda ns: norm(sum((Fraction(n) for n in ns), Fraction(0)))),
    "min": _numeric("min", lambda ns: min(ns)),
    "max": _numeric("max", lambda ns: max(ns)),
    "abs": _numeric("abs", lambda ns: abs(ns[0])),
    "ceil": _numeric("ceil", lambda ns: math.ceil(ns[0])),
    "floor": _numeric("floor", lambda ns: math.floor(ns[0])),
    "alltrue": _all_or_any("alltrue", False),
    "anytrue": _all_or_any("anytrue", True),
    "chunklist": _chunklist,
    "transpose": _transpose,
    "md5": _hash("md5", lambda b: hashlib.md5(b).hexdigest()),
    "sha1": _hash("sha1", lambda b: hashlib.sha1(b).hexdigest()),
    "sha256": _hash("sha256", lambda b: hashlib.sha256(b).hexdigest()),
    "base64encode": _hash("base64encode", lambda b: base64.b64encode(b).decode("ascii")),
    "base64decode": _base64decode,
    "basename": _path_fn("basename"),
    "dirname": _path_fn("dirname"),
    "sensitive": _identity("sensitive"),
    "nonsensitive": _identity("nonsensitive"),
    "provider::aws::arn_build": _arn_build,
    "provider::aws::arn_parse": _arn_parse,
}


__all__ = ["Expr", "FileAccess", "FunctionTable", "dumps", "jsonencode", "to_json_like"]

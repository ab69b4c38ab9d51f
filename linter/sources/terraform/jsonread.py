"""JSON syntax (``.tf.json``) into the same :mod:`.syntax` nodes as native files.

Python's ``json`` module keeps no positions, and every statement must carry its line, so this is
a small JSON reader that records the line of each value. In Terraform's JSON syntax strings are
templates (``"${var.x}"``) except where the language says otherwise (variable defaults,
descriptions, module sources), and nested blocks are objects under their type name; the mapping
to blocks and attributes follows the language specification for JSON configuration.
"""

from __future__ import annotations

import re
from fractions import Fraction

from why403.sources.terraform.hclread import parse_expression, parse_template
from why403.sources.terraform.numbers import in_range
from why403.sources.terraform.syntax import (
    Attribute,
    BigNumber,
    Block,
    Body,
    Expr,
    Lit,
    ObjectExpr,
    SyntaxProblem,
    Template,
    TupleExpr,
)

_MAX_DEPTH = 400
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WS = " \t\r\n"


class _JsonReader:
    """Reads JSON text into expressions: objects and arrays keep their first and last line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def fail(self, message: str) -> SyntaxProblem:
        return SyntaxProblem(f"invalid JSON: {message}", self.line)

    def skip_ws(self) -> None:
        text = self.text
        n = len(text)
        pos = self.pos
        while pos < n and text[pos] in _WS:
            if text[pos] == "\n":
                self.line += 1
            pos += 1
        self.pos = pos

    def value(self, depth: int) -> Expr:
        if depth > _MAX_DEPTH:
            raise self.fail("nested too deeply")
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of input")
        c = self.text[self.pos]
        line = self.line
        if c == "{":
            return self.obj(depth)
        if c == "[":
            return self.array(depth)
        if c == '"':
            return Lit(self.string(), line)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Lit(val, line)
        m = _NUMBER.match(self.text, self.pos)
        if m is None:
            raise self.fail(f"unexpected character {c!r}")
        self.pos = m.end()
        raw = m.group(0)
        if not in_range(raw):
            return Lit(BigNumber(raw), line)
        number = int(raw) if re.fullmatch(r"-?\d+", raw) else Fraction(raw)
        return Lit(number, line)

    def string(self) -> str:
        text = self.text
        start = self.pos + 1
        i = start
        n = len(text)
        chunks: list[str] = []
        while True:
            j = i
            while j < n and text[j] not in '"\\\n':
                j += 1
            chunks.append(text[i:j])
            if j >= n or text[j] == "\n":
                raise self.fail("unterminated string")
            if text[j] == '"':
                self.pos = j + 1
                return "".join(chunks)
            esc = text[j + 1 : j + 2]
            if esc == "u":
                code = text[j + 2 : j + 6]
                try:
                    cp = int(code, 16)
                except ValueError:
                    raise self.fail("invalid \\u escape") from None
                if 0xD800 <= cp < 0xDC00 and text[j + 6 : j + 8] == "\\u":
                    try:
                        low = int(text[j + 8 : j + 12], 16)
                    except ValueError:
                        low = 0
                    if 0xDC00 <= low < 0xE000:
                        chunks.append(chr(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)))
                        i = j + 12
                        continue
                chunks.append(chr(cp))
                i = j + 6
                continue
            mapped = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"'}.get(esc)
            if mapped is None:
                raise self.fail(f"invalid escape \\{esc}")
            chunks.append(mapped)
            i = j + 2

    def obj(self, depth: int) -> ObjectExpr:
        line = self.line
        self.pos += 1
        items: list[tuple[Expr, Expr]] = []
        closed = self.closes("}")
        while not closed:
            self.skip_ws()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a string key")
            kline = self.line
            key = self.string()
            self.skip_ws()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':'")
            self.pos += 1
            items.append((Lit(key, kline), self.value(depth + 1)))
            closed = self.after_member("}")
        return ObjectExpr(tuple(items), line, self.line)

    def array(self, depth: int) -> TupleExpr:
        line = self.line
        self.pos += 1
        items: list[Expr] = []
        closed = self.closes("]")
        while not closed:
            items.append(self.value(depth + 1))
            closed = self.after_member("]")
        return TupleExpr(tuple(items), line, self.line)

    def closes(self, close: str) -> bool:
        """Whether ``close`` comes next (read past it): an empty object or array."""
        self.skip_ws()
        if self.text.startswith(close, self.pos):
            self.pos += 1
            return True
        return False

    def after_member(self, close: str) -> bool:
        """Past the separator after a member: True at ``close`` (the end), False at a comma.
        (Members are read in the caller's loop, not through a callback: every frame counts
        towards the nesting depth Python allows.)"""
        self.skip_ws()
        if self.text.startswith(",", self.pos):
            self.pos += 1
            return False
        if self.closes(close):
            return True
        raise self.fail(f"expected ',' or '{close}'")


def string_expr(s: str, line: int) -> Expr:
    """A JSON string as a Terraform template."""
    if "${" not in s and "%{" not in s:
        return Lit(s, line)
    parts = parse_template(s, line)
    if len(parts) == 1 and isinstance(parts[0], str):
        return Lit(parts[0], line)
    return Template(tuple(parts), line, line)


def _whole(text: str, what: str) -> Expr:
    """The one JSON value ``text`` holds, with nothing but white space after ``what``."""
    reader = _JsonReader(text)
    value = reader.value(0)
    reader.skip_ws()
    if reader.pos != len(text):
        raise reader.fail(f"extra data after {what}")
    return value


def read_json_value(text: str) -> Expr:
    """JSON text into literal expressions (no templates), as in ``*.tfvars.json``."""
    return _whole(text, "the value")


def parse_json_body(text: str) -> Body:
    """A ``.tf.json`` file's top-level object as a body of blocks."""
    root = _whole(text, "the configuration")
    if not isinstance(root, ObjectExpr):
        raise SyntaxProblem("a .tf.json file must hold a JSON object", root.line)
    blocks: list[Block] = []
    for key, value in root.items:
        assert isinstance(key, Lit) and isinstance(key.value, str)
        kind = key.value
        depth = _LABEL_DEPTH.get(kind)
        if depth is None:
            continue  # "//" comments and unknown keys
        blocks.extend(_labelled(kind, (), value, depth))
    return Body((), tuple(blocks), True)


# How many levels of labels each top-level block type has in JSON syntax.
_LABEL_DEPTH = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0}
# Attributes that are not templates in JSON syntax.
_LITERAL_ATTRS = {"variable": {"default", "description", "type", "sensitive", "nullable"},
                  "module": {"source", "version"}, "output": {"description"}}


def _labelled(kind: str, labels: tuple[str, ...], value: Expr, depth: int) -> list[Block]:
    if depth == 0:
        items = value.items if isinstance(value, TupleExpr) else (value,)
        out = []
        for item in items:
            if isinstance(item, ObjectExpr):
                out.append(Block(kind, labels, _body(kind, item), item.line, item.end_line))
        return out
    if not isinstance(value, ObjectExpr):
        return []
    blocks: list[Block] = []
    for key, inner in value.items:
        if isinstance(key, Lit) and isinstance(key.value, str) and key.value != "//":
            blocks.extend(_labelled(kind, (*labels, key.value), inner, depth - 1))
    return blocks


def _body(kind: str, obj: ObjectExpr) -> Body:
    literal = _LITERAL_ATTRS.get(kind, set())
    attrs = []
    for key, value in obj.items:
        assert isinstance(key, Lit) and isinstance(key.value, str)
        name = key.value
        if name == "//":
            continue
        expr = value if name in literal else _templatize(value)
        if kind == "variable" and name == "type" and isinstance(expr, Lit) and isinstance(expr.value, str):
            expr = parse_expression(expr.value, expr.line)
        attrs.append(Attribute(name, expr, value.line, getattr(value, "end_line", value.line)))
    return Body(tuple(attrs), (), True)


def _templatize(expr: Expr) -> Expr:
    """Strings in JSON syntax are templates (``"${var.x}"``), keys included."""
    if isinstance(expr, Lit):
        return string_expr(expr.value, expr.line) if isinstance(expr.value, str) else expr
    if isinstance(expr, TupleExpr):
        return TupleExpr(tuple(_templatize(e) for e in expr.items), expr.line, expr.end_line)
    if isinstance(expr, ObjectExpr):
        return ObjectExpr(tuple((_templatize(k), _templatize(v)) for k, v in expr.items), expr.line,
                          expr.end_line)
    return expr

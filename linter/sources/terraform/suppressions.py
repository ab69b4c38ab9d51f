"""``# why403:ignore[RULE,...] reason until=YYYY-MM-DD`` comments -> :class:`SuppressionFact`.

A comment covers what starts on its own line (when code precedes it) or on the next code line:
a whole resource or data block, else the statement (a nested block or an object constructor)
starting there. The location spans what it covers, so a rule's finding anywhere inside is
suppressed and nothing outside is.
"""

from __future__ import annotations

import re

from why403.model.facts import SuppressionFact
from why403.model.location import Location
from why403.sources.terraform.syntax import (
    Block,
    Body,
    Conditional,
    Expr,
    ForExpr,
    ObjectExpr,
    ParsedFile,
    TupleExpr,
    expr_end_line,
)

_COMMENT = re.compile(r"why403:ignore\[([^\]]*)\](.*)")
_UNTIL = re.compile(r"\buntil=(\S+)")


def _object_spans(expr: Expr, out: dict[int, tuple[int, int]], depth: int = 0) -> None:
    if depth > 100:
        return
    if isinstance(expr, ObjectExpr):
        out.setdefault(expr.line, (expr.line, expr.end_line))
        for _, v in expr.items:
            _object_spans(v, out, depth + 1)
    elif isinstance(expr, TupleExpr):
        for item in expr.items:
            _object_spans(item, out, depth + 1)
    elif isinstance(expr, ForExpr):
        _object_spans(expr.value_expr, out, depth + 1)
    elif isinstance(expr, Conditional):
        _object_spans(expr.then, out, depth + 1)
        _object_spans(expr.otherwise, out, depth + 1)
    else:
        for arg in getattr(expr, "args", ()):
            _object_spans(arg, out, depth + 1)


def _body_spans(body: Body, out: dict[int, tuple[int, int]], depth: int = 0) -> None:
    if depth > 100:
        return
    for attr in body.attributes:
        _object_spans(attr.expr, out, depth + 1)
    for block in body.blocks_:
        out.setdefault(block.line, (block.line, block.end_line))
        _body_spans(block.body, out, depth + 1)


def _address(block: Block) -> str:
    if block.type == "resource" and len(block.labels) == 2:
        return f"{block.labels[0]}.{block.labels[1]}"
    if block.type == "data" and len(block.labels) == 2:
        return f"data.{block.labels[0]}.{block.labels[1]}"
    return ".".join((block.type, *block.labels))


def suppressions(parsed: ParsedFile) -> list[SuppressionFact]:
    if not parsed.comments:
        return []
    top: dict[int, Block] = {}
    inner: dict[int, tuple[int, int]] = {}
    if parsed.body is not None:
        for block in parsed.body.blocks_:
            top.setdefault(block.line, block)
            _body_spans(block.body, inner)
    comment_lines = {c.line for c in parsed.comments if not c.trailing}
    out: list[SuppressionFact] = []
    for comment in parsed.comments:
        m = _COMMENT.search(comment.text)
        if m is None:
            continue
        rules = tuple(r.strip() for r in m.group(1).split(",") if r.strip())
        rest = m.group(2)
        until_m = _UNTIL.search(rest)
        until = until_m.group(1) if until_m else None
        reason = _UNTIL.sub("", rest).strip()
        target = comment.line
        if not comment.trailing:
            target += 1
            while target in comment_lines:
                target += 1
        here = Location(parsed.name, comment.line)
        enclosing = _enclosing(top, target)
        ref = _address(enclosing) if enclosing is not None else f"{parsed.name}:{target}"
        if target in top:
            block = top[target]
            span = Location(parsed.name, block.line, block.end_line)
        elif target in inner:
            start, end = inner[target]
            span = Location(parsed.name, start, end)
        else:
            span = Location(parsed.name, target, target)
        out.append(SuppressionFact(ref, span, rules, reason, until, here))
    return out


def _enclosing(top: dict[int, Block], line: int) -> Block | None:
    for block in top.values():
        if block.line <= line <= block.end_line:
            return block
    return None


__all__ = ["expr_end_line", "suppressions"]

"""A template as plain, picklable data that still knows its lines.

The decoder (:mod:`~why403.sources.cloudformation.cfnyaml`) returns nodes that carry PyYAML's
marks (objects of PyYAML's, which the parse cache's unpickler does not admit). :class:`Map` and
:class:`Seq` are ordinary ``dict``/``list`` subclasses defined here, carrying only the 1-based
first and last line (and, for a mapping, the line of each key) so that every fact and policy
statement can point at its source. Strings become plain ``str``.
"""

from __future__ import annotations

import datetime
from typing import Any


class Map(dict[str, Any]):
    """A mapping with its first/last line and the line of each key (1-based; 0 when unknown)."""

    __slots__ = ("end_line", "key_lines", "line")

    line: int
    end_line: int
    key_lines: dict[str, int]

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list[Any]):
    """A sequence with its first/last line."""

    __slots__ = ("end_line", "line")

    line: int
    end_line: int


def new_map(line: int = 0, end_line: int = 0) -> Map:
    m = Map()
    m.line, m.end_line, m.key_lines = line, end_line, {}
    return m


def bare_map(line: int) -> Map:
    """An empty mapping on one line whose keys will not record lines of their own (they point at
    ``line``): what the decoder keeps of the parts it does not model."""
    m = Map()
    m.line = m.end_line = line
    m.key_lines = _NO_KEY_LINES
    return m


def new_seq(line: int = 0, end_line: int = 0) -> Seq:
    s = Seq()
    s.line, s.end_line = line, end_line
    return s


_NO_KEY_LINES: dict[str, int] = {}


def convert(node: Any, default_line: int = 0, key_depth: int = 2) -> Any:
    """Deep-convert decoder output to Map/Seq/str/int/float/bool/None.

    The line of each key is kept for the first ``key_depth`` levels of mappings only (a resource
    and its Properties); deeper mappings point at their own first line, which is what statements
    and list items need. ``end_line`` is the first line too: only resources need their last line,
    and decode.py computes it from the text. This is the frontend's hot loop, hence its shape;
    recursive on purpose, callers catch RecursionError.
    """
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dict):
        mark = getattr(node, "start_mark", None)
        first = int(mark.line) + 1 if mark is not None else default_line
        out = Map()
        out.line = out.end_line = first
        if key_depth > 0:
            out.key_lines = key_lines = {}
            depth = key_depth - 1
            for key, value in node.items():
                k = str(key) if isinstance(key, str) else _key_text(key)
                kmark = getattr(key, "start_mark", None)
                kl = int(kmark.line) + 1 if kmark is not None else first
                key_lines[k] = kl
                out[k] = convert(value, kl, depth)
        else:
            out.key_lines = _NO_KEY_LINES
            for key, value in node.items():
                out[str(key) if isinstance(key, str) else _key_text(key)] = convert(value, first, 0)
        return out
    if isinstance(node, list):
        mark = getattr(node, "start_mark", None)
        first = int(mark.line) + 1 if mark is not None else default_line
        seq = Seq([convert(item, first, key_depth) for item in node])
        seq.line = seq.end_line = first
        return seq
    if node is None or isinstance(node, bool | int | float):
        return node
    if isinstance(node, datetime.date | datetime.datetime):
        # YAML reads an unquoted 2010-09-09 as a date; CloudFormation sees the text.
        return node.isoformat()
    return str(node)


def _key_text(key: Any) -> str:
    text = scalar_text(key)
    return text if text is not None else str(key)


def scalar_text(value: Any) -> str | None:
    """A scalar as CloudFormation reads it, as text (``true``, ``5``, ``2010-09-09``); None for
    anything else. Mapping keys, parameter values and resolved values all become text this way."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return None


def line_of(node: Any, default: int = 0) -> int:
    line = getattr(node, "line", None)
    return line if isinstance(line, int) and line > 0 else default

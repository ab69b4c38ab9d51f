"""A policy written as JSON text: decoded, with each statement's line and every defect a Problem.

The decoder marks objects that repeat a key (AWS refuses them), and an iterative scanner finds
where each element of the top-level ``Statement`` array begins, so a policy in a heredoc or a
``.json`` attribute reports each statement at its own line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from why403.model.location import Location, Problem

MAX_POLICY_TEXT = 1_048_576
"""Longest JSON text read as a policy: 32 times the largest size AWS accepts (a KMS key policy,
32 KB), so nothing AWS would store is refused, and a runaway input costs no time."""


class DuplicateKeys(dict[str, Any]):
    """Marks JSON objects whose text repeats a key (AWS refuses such documents)."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dups = []
    for k, v in pairs:
        if k in out:
            dups.append(k)
        out[k] = v
    if dups:
        marked = DuplicateKeys(out)
        marked.duplicates = dups
        return marked
    return out


def decode_policy_text(text: str, location: Location | None,
                       problem: Callable[[Problem], None]) -> tuple[Any, list[int]]:
    """The JSON value of the text and the offsets of its statements; (None, []) when it cannot be
    read, after telling ``problem`` why."""
    if len(text) > MAX_POLICY_TEXT:
        problem(Problem("size", f"the policy document is {len(text):,} characters long; AWS refuses every "
                        "policy type far below that (KMS key policies 32 KB, bucket and VPC endpoint "
                        "policies 20 KB, IAM managed policies 6,144 characters), so it is not read", location))
        return None, []
    stripped = text.lstrip("\ufeff")
    if not stripped.strip():
        problem(Problem("json", "the policy document is empty", location))
        return None, []
    try:
        doc = json.loads(stripped, object_pairs_hook=_pairs_hook)
    except json.JSONDecodeError as exc:
        loc = text_location(stripped, exc.pos, location)
        problem(Problem("json", f"the policy is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})",
                        loc or location))
        return None, []
    except RecursionError:
        problem(Problem("json", "the policy document is nested too deeply to be a policy", location))
        return None, []
    return doc, statement_offsets(stripped)


def text_location(text: str, offset: int, start: Location | None) -> Location | None:
    """Where an offset of the text is, the text starting at ``start``."""
    if start is None:
        return None
    return Location(start.file, start.line + text.count("\n", 0, offset))


def text_locations(text: str, offsets: Sequence[int], start: Location | None) -> list[Location | None]:
    """:func:`text_location` of each offset, counting every newline once when the offsets ascend
    (they do): linear in the text, where one count per statement was quadratic."""
    if start is None:
        return [None] * len(offsets)
    out: list[Location | None] = []
    line = pos = 0
    for off in offsets:
        if off < pos:
            line = pos = 0
        line += text.count("\n", pos, off)
        pos = off
        out.append(Location(start.file, start.line + line))
    return out


def statement_offsets(text: str) -> list[int]:
    """Character offsets where each element of the top-level ``Statement`` array begins.

    A small iterative scanner (no recursion, so deeply nested input cannot overflow it) that lets
    a policy written as JSON text report each statement's own line.
    """
    depth = 0
    i = 0
    n = len(text)
    last_key: str | None = None
    key_depth = -1
    in_statement = False
    statement_depth = 0
    offsets: list[int] = []
    expecting_value = False
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == '"':
                    break
                j += 1
            s = text[i + 1 : j]
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if k < n and text[k] == ":" and depth == 1:
                last_key, key_depth = s, depth
            if in_statement and expecting_value and depth == statement_depth:
                offsets.append(i)
                expecting_value = False
            i = j + 1
            continue
        if c in "{[":
            if in_statement and expecting_value and depth == statement_depth:
                offsets.append(i)
                expecting_value = False
            depth += 1
            if (not in_statement and last_key == "Statement" and key_depth == 1 and depth == 2):
                if c == "[":
                    in_statement, statement_depth, expecting_value = True, 2, True
                else:
                    offsets.append(i)
                last_key = None
        elif c in "}]":
            depth -= 1
            if in_statement and depth < statement_depth:
                in_statement = False
        elif c == "," and in_statement and depth == statement_depth:
            expecting_value = True
        i += 1
    return offsets

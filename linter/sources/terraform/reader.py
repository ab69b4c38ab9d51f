"""One file's bytes -> :class:`~.syntax.ParsedFile`, never raising.

This is the unit a cache keys on and a worker process runs: a pure function of the bytes (and of
whether they are native or JSON syntax). Every way a file can be unreadable (not UTF-8, binary,
too large, rejected by python-hcl2, nested beyond reason) becomes a :class:`~.syntax.ParseError`
with a line, so one bad file never hides the others.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from why403.sources import confine
from why403.sources.terraform.hclread import parse_body
from why403.sources.terraform.jsonread import parse_json_body
from why403.sources.terraform.normalize import normalize
from why403.sources.terraform.syntax import Comment, ParsedFile, ParseError, SyntaxProblem

# python-hcl2 parses about a megabyte every few seconds; real hand-written files are far smaller,
# and a larger .tf is generated or hostile. JSON is read by a linear scanner and may be larger.
MAX_NATIVE_BYTES = 4 * 1024 * 1024
MAX_JSON_BYTES = 32 * 1024 * 1024

_IGNORE = re.compile(r"(#|//)[ \t]*why403:ignore\[[^\]\n]*\][^\n]*")


def parse_file(source: Path | str | bytes, name: str | None = None) -> ParsedFile:
    """Parse a ``.tf`` or ``.tf.json`` file given as a path or as bytes.

    With bytes, ``name`` (the file name) says which syntax; without it, text starting with ``{``
    is taken as JSON.
    """
    if isinstance(source, bytes):
        data = source
        label = name or "<bytes>"
    else:
        path = Path(source)
        label = name or str(path)
        limit = MAX_JSON_BYTES if label.endswith(".json") else MAX_NATIVE_BYTES
        try:
            size = path.stat().st_size
            if size > limit:
                return _too_large(label, size, limit)
            data = confine.read_bytes(path, limit)
        except OSError as exc:
            return ParsedFile(label, None, ParseError(f"cannot read the file: {exc.strerror or exc}", 0))
    is_json = label.endswith(".json") if name or not isinstance(source, bytes) else data.lstrip()[:1] == b"{"
    return parse_bytes(data, label, is_json)


def parse_bytes(data: bytes, label: str, is_json: bool) -> ParsedFile:
    limit = MAX_JSON_BYTES if is_json else MAX_NATIVE_BYTES
    if len(data) > limit:
        return _too_large(label, len(data), limit)
    if b"\x00" in data[:8192]:
        return ParsedFile(label, None, ParseError("binary file (it holds NUL bytes), not Terraform text", 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return ParsedFile(label, None, ParseError("the file is not UTF-8 text, as Terraform requires", line))
    text = normalize(text)
    lines = text.count("\n") + 1
    comments = scan_comments(text)
    with _gc_paused():
        return _parse_text(text, label, is_json, comments, lines)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Lark builds hundreds of thousands of short-lived tree objects that plain reference counting
    frees (they hold no cycles); letting the cyclic collector run meanwhile makes it scan every
    parsed file the run keeps, which measured +15-30% on the sweep. Paused only around a parse,
    and restored to what it was."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_text(text: str, label: str, is_json: bool, comments: tuple[Comment, ...], lines: int) -> ParsedFile:
    try:
        body = parse_json_body(text) if is_json else parse_body(text)
    except SyntaxProblem as exc:
        return ParsedFile(label, None, ParseError(str(exc), exc.line), comments, lines)
    except RecursionError:
        return ParsedFile(label, None, ParseError("the file is nested too deeply to be read", 1), comments, lines)
    except Exception as exc:  # python-hcl2/Lark reject the text: several exception types
        return ParsedFile(label, None, ParseError(_hcl_message(exc), _error_line(exc)), comments, lines)
    return ParsedFile(label, body, None, comments, lines)


def _too_large(label: str, size: int, limit: int) -> ParsedFile:
    return ParsedFile(label, None, ParseError(
        f"the file is {size / 1048576:.1f} MB; why403 reads Terraform files up to {limit // 1048576} MB", 1))


_LARK_LINE = re.compile(r"line (\d+)")


def _error_line(exc: BaseException) -> int:
    """The line a python-hcl2/Lark exception points at (1 when it names none)."""
    line = getattr(exc, "line", None)
    if isinstance(line, int) and line > 0:
        return line
    m = _LARK_LINE.search(str(exc))
    return int(m.group(1)) if m else 1


def _hcl_message(exc: BaseException) -> str:
    """A one-line reason from a Lark exception (they carry the whole context in their text)."""
    token = getattr(exc, "token", None)
    char = getattr(exc, "char", None)
    col = getattr(exc, "column", None)
    where = f" column {col}" if isinstance(col, int) and col > 0 else ""
    if token is not None:
        shown = str(token).strip()
        what = f"{shown[:40]!r}" if shown else ("end of line" if "\n" in str(token) else "end of file")
        return f"python-hcl2 cannot parse this: unexpected {what}{where}"
    if char is not None:
        return f"python-hcl2 cannot parse this: unexpected character {char!r}{where}"
    first = str(exc).strip().splitlines()
    return "python-hcl2 cannot parse this: " + (first[0][:200] if first else type(exc).__name__)


def scan_comments(text: str) -> tuple[Comment, ...]:
    """``why403:ignore`` comments, with whether code precedes them on their line."""
    if "why403:ignore" not in text:
        return ()
    out = []
    for m in _IGNORE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        line = text.count("\n", 0, m.start()) + 1
        before = text[start : m.start()].strip()
        out.append(Comment(line, m.group(0)[len(m.group(1)):].strip(), bool(before)))
    return tuple(out)

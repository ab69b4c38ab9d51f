"""The dump folder: which files it holds, read safely, and their JSON with the line of every value.

A dump folder is untrusted input like any source tree. Only regular files directly in the folder are
read (no symbolic links, no subfolders, nothing outside it), each up to a size bound, and a file
that is not UTF-8/UTF-16 JSON becomes a located error while the other files are still used.

Names follow ``<service>.<command>[.<resource>].json`` (the AWS CLI's JSON output, unchanged), with
an optional ``.err`` file of the same stem holding what the command wrote to standard error: that is
how a bucket with no policy (``NoSuchBucketPolicy``) is told from a policy nobody could read.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from why403.model.facts import Diagnostic
from why403.model.location import Location

MAX_DUMP_BYTES = 64 * 1024 * 1024
"""Largest dump read: an account authorization dump of a few thousand roles is tens of megabytes."""
MAX_ERR_BYTES = 64 * 1024
MAX_FILES = 20_000

_NAME = re.compile(r"(?P<service>[a-z0-9-]+)\.(?P<command>[a-z0-9-]+)(?:\.(?P<resource>[A-Za-z0-9._=-]+?))?"
                   r"\.(?P<ext>json|err)")
_ERROR_CODE = re.compile(r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<op>\w+) operation"
                         r"(?:\s*\([^)]*\))?:?\s*(?P<text>.*)", re.DOTALL)


class DumpError(Exception):
    """A dump that cannot be read as JSON; ``line`` is 1-based, 0 when not known."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DumpName:
    """``s3api.get-bucket-policy.reports-bucket`` split into its parts."""

    service: str
    command: str
    resource: str | None = None

    @property
    def stem(self) -> str:
        return f"{self.service}.{self.command}" + (f".{self.resource}" if self.resource else "")

    @property
    def file(self) -> str:
        return self.stem + ".json"

    @property
    def kind(self) -> tuple[str, str]:
        return self.service, self.command


def parse_name(filename: str) -> tuple[DumpName, str] | None:
    """(name, extension) of a dump file name, None when it is not one."""
    m = _NAME.fullmatch(filename)
    if m is None:
        return None
    return DumpName(m.group("service"), m.group("command"), m.group("resource")), m.group("ext")


def resource_part(value: str) -> str:
    """How an identifier appears in a dump file name: characters a file name cannot hold portably
    (``/`` of ``alias/app``, ``:`` of an ARN) become ``_``."""
    return re.sub(r"[^A-Za-z0-9._=-]", "_", value)


@dataclass(frozen=True)
class CliError:
    """What the AWS CLI wrote to standard error for a dump (``NoSuchBucketPolicy``, ``AccessDenied``)."""

    code: str
    message: str

    @staticmethod
    def of(text: str) -> CliError | None:
        text = text.strip()
        if not text:
            return None
        m = _ERROR_CODE.search(text)
        if m is None:
            return CliError("", text.splitlines()[-1][:300])
        return CliError(m.group("code"), m.group("text").strip()[:300])


# A JSON string as an unrolled loop (runs of plain characters between escapes): several times
# faster than an alternation per character on tens of megabytes.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_TOKEN = re.compile(_STRING.pattern + r"|[{}\[\]:]", re.DOTALL)
_OPEN = re.compile(r"[{\[]")


class Located:
    """A JSON value and the 1-based line where each object and array in it starts."""

    def __init__(self, value: Any, text: str, places: dict[int, tuple[int, int]]) -> None:
        self.value = value
        self._text = text
        self._places = places  # id(node) -> (line, how many containers open before it on that line)
        self._line_starts: list[int] | None = None

    def line(self, node: Any, default: int = 1) -> int:
        place = self._places.get(id(node))
        return default if place is None else place[0]

    def _offset(self, node: Any) -> int | None:
        place = self._places.get(id(node))
        if place is None:
            return None
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self._text))]
        line, rank = place
        start = self._line_starts[line - 1]
        for m in _TOKEN.finditer(self._text, start):
            if m.group() in "{[":
                if rank == 0:
                    return m.start()
                rank -= 1
        return None  # pragma: no cover - the place was computed from this text

    def key_line(self, node: Any, key: str) -> int:
        """The line of ``key`` among the object's own keys (where a string value such as a policy
        document sits); the object's line when the key is not found."""
        start = self._offset(node)
        if start is None:
            return self.line(node)
        depth = 0
        previous = ""
        for m in _TOKEN.finditer(self._text, start):
            tok = m.group()
            if tok in "{[":
                depth += 1
            elif tok in "}]":
                depth -= 1
                if depth == 0:
                    break
            elif tok == ":" and depth == 1 and previous.startswith('"') and json.loads(previous) == key:
                return self._text.count("\n", 0, m.start()) + 1
            previous = tok
        return self.line(node)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise DumpError(f"the key {k!r} appears twice in one object; the AWS CLI never writes that")
        out[k] = v
    return out


def parse_located(text: str) -> Located:
    """Parse JSON text and find the line of every object and array.

    Objects and arrays open, in the text, in exactly the order a pre-order walk of the parsed value
    visits them. JSON strings cannot hold a raw newline, so with every string removed (one pass of
    the regular-expression engine) the lines are unchanged and every remaining brace opens a
    container: the lines of tens of thousands of statements cost one scan, not a slow parser.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DumpError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise DumpError("nested too deeply to be AWS CLI output") from None
    bare = _STRING.sub("", text)
    lines: list[int] = []
    line, last = 1, 0
    for m in _OPEN.finditer(bare):
        pos = m.start()
        line += bare.count("\n", last, pos)
        last = pos
        lines.append(line)
    places: dict[int, tuple[int, int]] = {}
    containers = (dict, list)
    stack: list[Any] = [value]
    index, line_seen, rank = 0, 0, 0
    while stack and index < len(lines):
        node = stack.pop()
        line = lines[index]
        index += 1
        rank = rank + 1 if line == line_seen else 0
        line_seen = line
        places[id(node)] = (line, rank)
        children = node.values() if type(node) is dict else node
        stack.extend([c for c in reversed(list(children)) if type(c) in containers])
    if stack or index != len(lines):
        # More braces than containers: an object repeats a key (the parser kept the last value), which
        # the AWS CLI never writes. Say which, rather than give lines that are off.
        json.loads(text, object_pairs_hook=_reject_duplicates)
        places = {}  # pragma: no cover - the hook above raises
    return Located(value, text, places)


def decode_text(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, which is what Windows
    PowerShell's ``>`` writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DumpError("not valid UTF-16 text") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise DumpError("a binary file, not the AWS CLI's JSON output")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DumpError(f"not UTF-8 text (byte {exc.start})") from None


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refusing symbolic links, devices and FIFOs, and anything over ``limit``."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise DumpError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DumpError("not a regular file")
        if st.st_size > limit:
            raise DumpError(f"{st.st_size:,} bytes; dumps over {limit:,} bytes are not read")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise DumpError(f"over {limit:,} bytes; not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


@dataclass
class DumpFile:
    """One ``.json`` dump (and its ``.err``), read on demand."""

    name: DumpName
    path: Path
    has_json: bool = False
    err_path: Path | None = None
    _located: Located | None = field(default=None, repr=False)
    _error: CliError | None = field(default=None, repr=False)
    _err_read: bool = False

    @property
    def file(self) -> str:
        return str(self.path)

    @property
    def parsed(self) -> Located | None:
        """The JSON, if it has been read already."""
        return self._located

    def location(self, line: int = 1) -> Location:
        return Location(self.file, line)

    def cli_error(self) -> CliError | None:
        """The command's error, when it failed and its standard error was kept."""
        if not self._err_read:
            self._err_read = True
            if self.err_path is not None:
                try:
                    self._error = CliError.of(decode_text(read_bounded(self.err_path, MAX_ERR_BYTES)))
                except DumpError:
                    self._error = CliError("", "the .err file could not be read")
        return self._error

    def read(self) -> Located | None:
        """The parsed JSON; None when the command printed nothing (it failed, or had nothing to say)."""
        if self._located is None and self.has_json:
            text = decode_text(read_bounded(self.path, MAX_DUMP_BYTES))
            if not text.strip():
                return None
            self._located = parse_located(text)
        return self._located


@dataclass
class DumpFolder:
    """Every dump file of a folder by name, and what could not be considered."""

    root: Path
    files: dict[DumpName, DumpFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def get(self, service: str, command: str, resource: str | None = None) -> DumpFile | None:
        return self.files.get(DumpName(service, command, resource))

    def of_kind(self, service: str, command: str) -> Iterator[DumpFile]:
        for name in sorted(self.files, key=lambda n: n.stem):
            if name.kind == (service, command):
                yield self.files[name]


def scan_folder(root: Path) -> DumpFolder:
    """The dump files directly in ``root``; links, subfolders and other names are skipped (links and
    oversized listings with a note, since a dump may be hiding behind them)."""
    folder = DumpFolder(root)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        folder.diagnostics.append(Diagnostic("error", f"cannot list the dump folder: {exc.strerror or exc}",
                                             Location(str(root)), code="dump"))
        return folder
    if len(entries) > MAX_FILES:
        folder.diagnostics.append(Diagnostic("error", f"{len(entries):,} entries; only the first {MAX_FILES:,} "
                                             "are considered", Location(str(root)), code="dump"))
        entries = entries[:MAX_FILES]
    for entry in entries:
        parsed = parse_name(entry.name)
        if parsed is None:
            continue
        name, ext = parsed
        path = root / entry.name
        if entry.is_symlink():
            folder.diagnostics.append(Diagnostic("error", "a symbolic link; dumps are read only from regular "
                                                 "files in the dump folder", Location(str(path)), code="dump"))
            continue
        if not entry.is_file(follow_symlinks=False):
            continue
        dump = folder.files.setdefault(name, DumpFile(name, root / name.file))
        if ext == "json":
            dump.has_json = True
        else:
            dump.err_path = path
    return folder

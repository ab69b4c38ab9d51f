"""A cache of whole ``check`` outcomes, keyed by everything the outcome depends on.

The parse cache makes an unchanged re-run skip parsing, but evaluation, simulation and rules still
take most of a large run. The outcome of ``check`` is a pure function of the files below the paths
it was given (Terraform reads ``file()`` targets, ``.terraform/modules`` and tfvars there too), the
var and parameter files named outside them, the request (settings, options, selection), and
why403's own code. The key hashes all of that; a hit returns the stored outcome. Baseline runs
depend on git history and are never cached.

Entries are JSON (not pickle: nothing from the cache directory is ever executed), written
atomically, and the directory keeps the most recent :data:`KEEP` of them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import time
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from why403.model.facts import SuppressionFact
from why403.model.finding import Access, Finding, InputError, RunResult, Stats, Suppression
from why403.model.location import Location
from why403.sources.discover import walk_files

FORMAT = 1
KEEP = 32
_SUBDIR = "runs"
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
# Files hashed by content up to this size; larger ones (Lambda packages, images) by size and mtime.
_CONTENT_LIMIT = 1024 * 1024
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
                        ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox"})


@functools.cache
def code_fingerprint() -> str:
    """sha256 of why403's version, code and data (the rules and the managed-policy catalogue
    change outcomes; a development install changes them without changing the version)."""
    import why403
    import why403.rules
    from why403.sources.parsecache import code_fingerprint as files_fingerprint

    code = files_fingerprint(*why403.__path__, *why403.rules.__path__, suffixes=(".py", ".json", ".yaml"),
                             recursive=True)
    return hashlib.sha256(f"{why403.__version__}\0{code}".encode()).hexdigest()


def _walk_inputs(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            out.append(p)
            continue
        out.extend(walk_files(p, lambda d: d.name not in _SKIP_DIRS))
    return out


def key(request: Any) -> str | None:
    """The key of a request's outcome, or None when it cannot be cached (baseline, unreadable input)."""
    if request.settings.baseline:
        return None
    h = hashlib.sha256()
    h.update(f"why403 run cache {FORMAT}\0{code_fingerprint()}\0".encode())
    h.update(repr((tuple(os.path.abspath(p) for p in request.paths), request.source_options, request.settings,
                   request.select, request.ignore, request.exclude)).encode())
    extra = (*request.source_options.tf_var_files, *request.source_options.cfn_parameter_files)
    for path in [*_walk_inputs(request.paths), *(Path(p) for p in extra)]:
        try:
            st = path.stat()
            h.update(f"\0{os.path.abspath(path)}\0{st.st_size}\0".encode())
            if st.st_size <= _CONTENT_LIMIT:
                h.update(path.read_bytes())
            else:
                h.update(str(st.st_mtime_ns).encode())
        except OSError:
            return None
    return h.hexdigest()


# -- JSON form of an outcome ---------------------------------------------------------------------------


def _location(d: dict[str, Any] | None) -> Location | None:
    return None if d is None else Location(**d)


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(
        rule=d["rule"], kind=d["kind"], severity=d["severity"], message=d["message"],
        location=_location(d["location"]), layer=d["layer"], denial=d["denial"],
        access=Access(**d["access"]) if d["access"] else None, trace=tuple(d["trace"]),
        suggestion=d["suggestion"], related=tuple(Location(**r) for r in d["related"]),
        identity=tuple(d["identity"]),
        suppressed=Suppression(reason=d["suppressed"]["reason"], location=_location(d["suppressed"]["location"]),
                               until=d["suppressed"]["until"]) if d.get("suppressed") else None,
    )


def _suppression(d: dict[str, Any]) -> SuppressionFact:
    return SuppressionFact(ref=d["ref"], location=Location(**d["location"]), rules=tuple(d["rules"]),
                           reason=d["reason"], until=d["until"], comment_location=_location(d["comment_location"]))


def _plain(value: Any) -> Any:
    """A dataclass tree as plain JSON values. Strings of the frontends may be str subclasses that
    carry their source position (and cannot be copied the way ``dataclasses.asdict`` copies)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


def dump(result: RunResult, suppressions: tuple[SuppressionFact, ...]) -> str:
    return json.dumps({
        "format": FORMAT,
        "findings": [_plain(f) for f in result.findings],
        "errors": [_plain(e) for e in result.errors],
        "stats": _plain(result.stats),
        "files": [str(f) for f in result.files],
        "suppressions": [_plain(s) for s in suppressions],
    })


def load(text: str) -> tuple[RunResult, tuple[SuppressionFact, ...]] | None:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            return None
        stats_fields = {f.name for f in fields(Stats)}
        result = RunResult(
            findings=tuple(_finding(f) for f in data["findings"]),
            errors=tuple(InputError(**e) for e in data["errors"]),
            stats=Stats(**{k: v for k, v in data["stats"].items() if k in stats_fields}),
            files=tuple(data["files"]),
        )
        return result, tuple(_suppression(s) for s in data["suppressions"])
    except (ValueError, KeyError, TypeError):
        return None  # a damaged entry is ignored (and rewritten by the run)


# -- storage ----------------------------------------------------------------------------------------------


class RunCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / _SUBDIR

    def get(self, run_key: str) -> tuple[RunResult, tuple[SuppressionFact, ...]] | None:
        try:
            text = (self.directory / f"{run_key}.json").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return load(text)

    def put(self, run_key: str, result: RunResult, suppressions: tuple[SuppressionFact, ...]) -> None:
        from why403.sources.parsecache import atomic_write

        try:
            data = dump(result, suppressions).encode("utf-8")
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self.directory / f"{run_key}.json", data)
            self._evict()
        except Exception:  # a cache that cannot be written only costs time, never the run
            return

    def _evict(self) -> None:
        """Keep the :data:`KEEP` newest entries. Another run's write in progress (a temporary
        file) is neither an entry nor removed, unless a killed run left it long ago."""
        from why403.sources.parsecache import is_stale_temp

        now = time.time()
        entries: list[tuple[float, Path]] = []
        for path in self.directory.iterdir():
            with contextlib.suppress(OSError):
                mtime = path.stat().st_mtime
                if is_stale_temp(path.name, mtime, now):
                    path.unlink()
                elif _ENTRY.fullmatch(path.name):
                    entries.append((mtime, path))
        entries.sort(reverse=True)
        for _, old in entries[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()

"""A cache of whole ``check`` outcomes, keyed by everything the outcome depends on.

The parse cache makes an unchanged re-run skip parsing, but evaluation, simulation and rules still
take most of a large run. The outcome of ``check`` is a pure function of the files below the paths
it was given, the files it read elsewhere (a child module in ``../modules``, a ``file()`` target,
var and parameter files), the request (settings, options, selection), and why403's own code.

- **Key**: sha256 over why403's code, the request, the name of every file below the paths, and the
  state of each that discovery or a frontend may open by its name (Terraform files and variable
  files, JSON and YAML that may be templates or plans): its content hash whatever its size (a file
  too large to be read by any frontend counts by its size, which is all the run can learn of it),
  or why the confinement refuses it (a link out of the repository, a FIFO): never size and
  modification time, which a tree can forge. The rest (images, code, archives: most of the bytes of
  a repository) counts by name only, so a cold run with the cache costs about what ``--no-cache``
  does.
- **Files read that the key does not cover** (outside the paths, or below them with another
  suffix or in a folder the key skips: a ``file()`` target, a policy document) are listed in the
  entry with their content hashes and checked on every hit: a change there is a miss.
- **Entries** are a header line (format, key, sha256 of the body) and a JSON body (not pickle:
  nothing from the cache directory is ever executed). A damaged, truncated or foreign entry (another
  key's, another format's) is a miss and is rewritten; anything malformed in the directory is
  rebuilt, never raised. Writes are atomic and the directory keeps the :data:`KEEP` newest entries.
- Baseline runs depend on git history and are never cached.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from why403.model.facts import SuppressionFact
from why403.model.finding import Access, Finding, InputError, RunResult, Stats, Step, Suppression
from why403.model.location import Location
from why403.sources.discover import INFRA_SUFFIXES, walk_files

FORMAT = 2
KEEP = 32
_SUBDIR = "runs"
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_HEADER = "why403 run cache"
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
                        ".pytest_cache", ".ruff_cache", ".hypothesis", ".tox"})


@functools.cache
def code_fingerprint() -> str:
    """sha256 of why403's version, code and data (the rules and the managed-policy catalogue
    change outcomes; a development install changes them without changing the version). An
    installed wheel is fingerprinted by its ``RECORD`` (the hashes of every file it installed)."""
    import why403
    import why403.rules
    from why403.sources.fingerprint import code_fingerprint as files_fingerprint
    from why403.sources.fingerprint import installed_fingerprint

    code = installed_fingerprint("why403", "why403") or files_fingerprint(
        *why403.__path__, *why403.rules.__path__, suffixes=(".py", ".json", ".yaml"), recursive=True)
    return hashlib.sha256(f"{why403.__version__}\0{code}".encode()).hexdigest()


def _keyed(path: str | os.PathLike[str]) -> bool:
    """Whether the key covers the file's content: those discovery or a frontend opens because of
    their name. Any other file the run reads is recorded with its content by :func:`elsewhere`."""
    return os.fspath(path).lower().endswith(INFRA_SUFFIXES)


def _walk_inputs(paths: tuple[str, ...]) -> list[tuple[Path, bool]]:
    """Each file below ``paths`` and whether the key covers its content (a path given as a file
    always is)."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            out.append((p, True))
            continue
        out.extend((f, _keyed(f.name)) for f in walk_files(p, lambda d: d.name not in _SKIP_DIRS))
    return out


def key(request: Any) -> str | None:
    """The key of a request's outcome, or None when it cannot be cached (baseline)."""
    if request.settings.baseline:
        return None
    h = hashlib.sha256()
    h.update(f"why403 run cache {FORMAT}\0{code_fingerprint()}\0".encode())
    h.update(repr((tuple(os.path.abspath(p) for p in request.paths), request.source_options, request.settings,
                   request.select, request.ignore, request.exclude, request.roots)).encode())
    extra = (*request.source_options.tf_var_files, *request.source_options.cfn_parameter_files)
    for path, content in [*_walk_inputs(request.paths), *((Path(p), True) for p in extra)]:
        h.update(f"\0{os.path.abspath(path)}\0".encode() + (file_state(path) if content else b"named"))
    return h.hexdigest()


def file_state(path: str | os.PathLike[str]) -> bytes:
    """What a run can learn of one file: the sha256 of its content, or why it cannot be read. Only
    regular files inside the run's confinement are opened (never a FIFO or a device)."""
    from why403.sources import confine

    try:
        real = confine.check(path)
        size = os.stat(real).st_size
        if size > confine.MAX_FILE_BYTES:
            return f"large {size}".encode()
        return b"sha256 " + confine.digest(real).encode()
    except OSError as exc:
        return f"unreadable {exc.strerror or exc}".encode()


def _covered(path: str, paths: tuple[str, ...]) -> bool:
    """Whether the key hashes the content of ``path``: a path given as a file, or a file of a kind
    :func:`_keyed` names that :func:`_walk_inputs` reaches (below a given path, in no folder it skips)."""
    absolute = os.path.abspath(path)
    for top in map(os.path.abspath, paths):
        if absolute == top:
            return True
        prefix = top.rstrip(os.sep) + os.sep
        if absolute.startswith(prefix) and _keyed(absolute) \
                and _SKIP_DIRS.isdisjoint(absolute[len(prefix):].split(os.sep)[:-1]):
            return True
    return False


def elsewhere(read: frozenset[str] | set[str], paths: tuple[str, ...]) -> dict[str, str]:
    """The files a run read whose content the key does not cover (outside ``paths``, below them but
    not of a kind the key hashes, or in a folder it skips), with their state."""
    return {p: file_state(p).decode() for p in sorted(read) if not _covered(p, paths)}


# -- JSON form of an outcome ---------------------------------------------------------------------------


def _location(d: dict[str, Any] | None) -> Location | None:
    return None if d is None else Location(**d)


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(
        rule=d["rule"], kind=d["kind"], severity=d["severity"], message=d["message"],
        location=_location(d["location"]), layer=d["layer"], denial=d["denial"],
        access=_access(d["access"]), trace=tuple(d["trace"]),
        suggestion=d["suggestion"], related=tuple(Location(**r) for r in d["related"]),
        chain=tuple(Step(s["layer"], s["outcome"], s["what"], _location(s["location"])) for s in d["chain"]),
        identity=tuple(d["identity"]),
        suppressed=Suppression(reason=d["suppressed"]["reason"], location=_location(d["suppressed"]["location"]),
                               until=d["suppressed"]["until"]) if d.get("suppressed") else None,
        unit=d.get("unit"),
    )


def _access(d: dict[str, Any] | None) -> Access | None:
    return None if not d else Access(**{**d, "actions": tuple(d["actions"])})


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


def dump(result: RunResult, suppressions: tuple[SuppressionFact, ...],
         read_elsewhere: dict[str, str] | None = None) -> str:
    return json.dumps({
        "format": FORMAT,
        "elsewhere": read_elsewhere or {},
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
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # a damaged entry is ignored (and rewritten by the run)


# -- storage ----------------------------------------------------------------------------------------------


class RunCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / _SUBDIR

    def get(self, run_key: str) -> tuple[RunResult, tuple[SuppressionFact, ...]] | None:
        """The outcome stored under ``run_key``, or None: absent, damaged, foreign, or made from
        files elsewhere that have changed since."""
        from why403.sources import confine

        try:
            blob = confine.read_private(self.directory / f"{run_key}.json")
            head, _, body = blob.partition(b"\n")
            fields_ = head.decode("ascii").split("\t")
            if (len(fields_) != 4 or fields_[0] != _HEADER or fields_[1] != str(FORMAT) or fields_[2] != run_key
                    or fields_[3] != hashlib.sha256(body).hexdigest()):
                return None
            data = json.loads(body.decode("utf-8"))
            read = data.get("elsewhere", {}) if isinstance(data, dict) else None
            if not isinstance(read, dict) or any(file_state(p).decode() != state for p, state in read.items()):
                return None
            return load(body.decode("utf-8"))
        except Exception:  # unreadable, not UTF-8, not JSON, a directory: a miss, rewritten by put
            return None

    def put(self, run_key: str, result: RunResult, suppressions: tuple[SuppressionFact, ...],
            read_elsewhere: dict[str, str] | None = None) -> None:
        from why403.sources.parsecache import atomic_write

        try:
            body = dump(result, suppressions, read_elsewhere or {}).encode("utf-8")
            head = "\t".join((_HEADER, str(FORMAT), run_key, hashlib.sha256(body).hexdigest())).encode("ascii")
            if self.directory.is_symlink() or (self.directory.exists() and not self.directory.is_dir()):
                self.directory.unlink()  # not a directory of ours: rebuilt
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = self.directory / f"{run_key}.json"
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            atomic_write(target, head + b"\n" + body)
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
                mtime = path.lstat().st_mtime
                if is_stale_temp(path.name, mtime, now):
                    path.unlink()
                elif _ENTRY.fullmatch(path.name):
                    entries.append((mtime, path))
        entries.sort(reverse=True)
        for _, old in entries[KEEP:]:
            with contextlib.suppress(OSError):
                old.unlink()

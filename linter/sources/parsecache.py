"""A content-addressed, on-disk cache of parse results.

Parsing is most of a run (python-hcl2 and cfn-lint's decoder are slow), and a parse result is a
pure function of a file's bytes, of the parser and of why403's own code. So a result is stored
under the sha256 of exactly those, and found again whatever the file is called or wherever it is:
the pre-commit hook after a one-file change, the ``--baseline`` export of the same sources, a
module vendored twice.

What makes it safe to rely on:

- **Keys**: sha256 over a *salt* (the kind of parse, the format of this cache, why403's version,
  Python's version, the versions of the parsing libraries, and a hash of the source code of the
  frontend that produced the result) and the file's bytes. A new why403, a new python-hcl2 or an
  edited frontend gives new keys; old entries are never read again and age out.
- **Writes are atomic**: each entry is written to a temporary file in its own directory and moved
  into place with :func:`os.replace`, so concurrent runs (two hooks, a hook and an editor) read
  either a whole entry or none; two writers of one key write the same bytes.
- **Entries are checked, never trusted**: an entry holds a magic header, its own key and the sha256
  of its payload; a mismatch, a truncated file or an unreadable one is a miss (and the entry is
  rewritten by the run that parses the file again). The payload is unpickled by an unpickler that
  only knows the plain data classes of the parse results (no functions, no other classes), and
  the result must have the expected type.
- **The directory is the user's**: a cache directory that another user owns or may write to
  (group or world writable), or that lies inside the tree under check (whose files a pull request
  writes), is refused: entries there could have been planted to hide findings. See
  :func:`directory_problem`.
- **Bounded size**: after a run that wrote entries, the oldest entries (by modification time; a
  hit refreshes an entry's time at most once an hour) are removed until the cache is under
  ``max_bytes``, down to 80% of it so that the next runs do not evict again. Counting the cache
  means listing every entry, which a pre-commit hook that wrote one entry cannot afford on every
  commit: a run counts when it wrote 1% of ``max_bytes`` or more, or when no run counted in the
  last ten minutes (the ``parse.counted`` stamp), so the cache exceeds its bound by at most what ten
  minutes of small runs write.

Nothing here imports a parser: the caller names the kind of parse and gives the result.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
MAGIC = b"why403 parse cache\x00" + FORMAT.to_bytes(2, "big")
_HEADER = len(MAGIC) + 32 + 32  # magic, key, sha256 of the payload
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
_TOUCH_AFTER = 3600.0  # a hit refreshes its entry's mtime (its place in eviction order) at most hourly
_STALE_TEMP = 3600.0  # temporary files older than this were left by a killed run
_COUNT_EVERY = 600.0  # small runs count the cache's size at most this often
_STAMP = "parse.counted"  # beside the entries' folder, which holds entries only
_SUBDIR = "parse"
TEMP_PREFIX = ".tmp-"


def default_cache_dir() -> Path:
    """The user's cache directory for why403: ``%LOCALAPPDATA%\\why403\\Cache`` on Windows,
    ``$XDG_CACHE_HOME/why403`` when that is an absolute path, else ``~/.cache/why403``."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        if local:
            return Path(local) / "why403" / "Cache"
        return Path.home() / "AppData" / "Local" / "why403" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "why403"
    return Path.home() / ".cache" / "why403"


def directory_problem(directory: Path, roots: Iterable[Path] = ()) -> str | None:
    """Why ``directory`` must not hold a cache, or None. Creates it (private) when it is missing.

    Refused: a directory inside one of ``roots`` (the tree under check), one owned by another user,
    one that others may write to, or anything else than a directory. On Windows only the first and
    last are checked (permissions there are ACLs)."""
    from why403.sources import confine

    if any(confine.within_roots(directory, [root]) for root in roots):
        return "it is inside the tree under check, whose files a pull request may have written"
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"it cannot be created: {exc.strerror or exc}"
    for folder in (directory, directory / _SUBDIR, directory / "runs"):
        try:
            st = os.stat(folder) if folder == directory else os.lstat(folder)
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"{folder} cannot be read: {exc.strerror or exc}"
        if not stat.S_ISDIR(st.st_mode):
            if folder == directory:
                return f"{folder} is not a directory"
            try:  # a damaged cache of ours: rebuilt
                os.unlink(folder)
            except OSError as exc:
                return f"{folder} is not a directory and cannot be removed: {exc.strerror or exc}"
            continue
        if sys.platform == "win32":
            continue
        if st.st_uid != os.geteuid():
            return f"{folder} belongs to another user (uid {st.st_uid})"
        if st.st_mode & 0o022:
            return f"{folder} may be written by other users (mode {stat.S_IMODE(st.st_mode):o}; chmod go-w fixes it)"
    return None


def salt(kind: str, *parts: str) -> bytes:
    """Everything besides the bytes that decides a ``kind`` parse result, as key material."""
    from why403 import __version__

    fields = (f"format={FORMAT}", f"kind={kind}", f"why403={__version__}",
              f"python={sys.version_info[0]}.{sys.version_info[1]}", *parts)
    return "\n".join(fields).encode() + b"\n\x00"


def content_key(salt_bytes: bytes, data: bytes) -> str:
    """The key of a file's parse: hex sha256 of the salt and the bytes."""
    return hashlib.sha256(salt_bytes + data).hexdigest()


# -- payloads -----------------------------------------------------------------------------------


class UnsafePayload(pickle.UnpicklingError):
    """A payload names a class or function outside the allowed parse-result classes."""


class _Unpickler(pickle.Unpickler):
    """Resolves only the classes listed in ``allowed`` (module -> names)."""

    def __init__(self, data: bytes, allowed: dict[str, frozenset[str]]) -> None:
        super().__init__(io.BytesIO(data))
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if name in self._allowed.get(module, ()):
            return super().find_class(module, name)
        raise UnsafePayload(f"{module}.{name} is not a parse-result class")


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(payload: bytes, allowed: dict[str, frozenset[str]], expected: type) -> Any:
    """Unpickle a payload made of the ``allowed`` classes only; it must be an ``expected``."""
    value = _Unpickler(payload, allowed).load()
    if not isinstance(value, expected):
        raise UnsafePayload(f"the payload is a {type(value).__name__}, not a {expected.__name__}")
    return value


# -- the store ----------------------------------------------------------------------------------


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    corrupt: int = 0
    writes: int = 0
    write_errors: int = 0
    evicted: int = 0


class ParseCache:
    """Entries under ``directory/parse/<2 hex>/<64 hex>``; see the module docstring."""

    def __init__(self, directory: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.root = self.directory / _SUBDIR
        self.max_bytes = max_bytes
        self.stats = CacheStats()
        self._made: set[str] = set()
        self._written = 0

    def path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The payload stored under ``key``, or None (absent, unreadable or corrupt)."""
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
                mtime = os.fstat(handle.fileno()).st_mtime
        except OSError:
            self.stats.misses += 1
            return None
        payload = self._payload(blob, key)
        if payload is None:
            self.stats.corrupt += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        if time.time() - mtime > _TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(path)
        return payload

    @staticmethod
    def _payload(blob: bytes, key: str) -> bytes | None:
        if len(blob) < _HEADER or not blob.startswith(MAGIC):
            return None
        at = len(MAGIC)
        if blob[at:at + 32] != bytes.fromhex(key):
            return None
        payload = blob[_HEADER:]
        if hashlib.sha256(payload).digest() != blob[at + 32:_HEADER]:
            return None
        return payload

    def reject(self, key: str) -> None:
        """The entry's payload was intact but not a valid result: count it as corrupt (it will be
        overwritten by the next :meth:`put` of the key)."""
        self.stats.corrupt += 1
        self.stats.hits -= 1
        self.stats.misses += 1

    def put(self, key: str, payload: bytes) -> None:
        """Store a payload atomically; failures (read-only or full disk) only cost the cache."""
        folder = self.root / key[:2]
        blob = MAGIC + bytes.fromhex(key) + hashlib.sha256(payload).digest() + payload
        try:
            if key[:2] not in self._made:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(key[:2])
            atomic_write(folder / key, blob)
        except OSError:
            self.stats.write_errors += 1
            return
        self.stats.writes += 1
        self._written += len(blob)

    def eviction_due(self, now: float | None = None) -> bool:
        """Whether this run should count the cache (see the module docstring, *Bounded size*)."""
        if not self.stats.writes:
            return False
        if self._written * 100 >= self.max_bytes:
            return True
        now = time.time() if now is None else now
        try:
            return now - os.stat(self.directory / _STAMP).st_mtime >= _COUNT_EVERY
        except OSError:
            return True

    def evict(self, now: float | None = None) -> None:
        """Remove the oldest entries while the cache holds more than ``max_bytes``, down to 80% of
        it; also remove temporary files that a killed run left behind."""
        now = time.time() if now is None else now
        with contextlib.suppress(OSError), open(self.directory / _STAMP, "wb"):
            os.utime(self.directory / _STAMP, (now, now))
        entries: list[tuple[float, int, str]] = []
        total = 0
        for path, size, mtime, temp in _scan(self.root):
            if temp:
                if now - mtime > _STALE_TEMP:
                    _unlink(path)
                continue
            entries.append((mtime, size, path))
            total += size
        if total <= self.max_bytes:
            return
        target = self.max_bytes * 0.8
        entries.sort()
        for _, size, path in entries:
            if total <= target:
                break
            if _unlink(path):
                self.stats.evicted += 1
            total -= size

    def size(self) -> int:
        """Bytes held by entries (not temporary files)."""
        return sum(size for _, size, _, temp in _scan(self.root) if not temp)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the whole file or none of it: into a
    temporary file (named ``.tmp-*``, which cache readers and eviction skip) in the same directory,
    then renamed over ``path``. On any failure the temporary file is removed and the error raised."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        _unlink(temp)
        raise


def is_stale_temp(name: str, mtime: float, now: float) -> bool:
    """A temporary file of :func:`atomic_write` that a killed run left behind."""
    return name.startswith(TEMP_PREFIX) and now - mtime > _STALE_TEMP


def _scan(root: Path) -> Iterable[tuple[str, int, float, bool]]:
    """(path, size, mtime, is a temporary file) of every file in the fan-out folders."""
    try:
        folders = list(os.scandir(root))
    except OSError:
        return
    for folder in folders:
        if not folder.is_dir(follow_symlinks=False):
            continue
        try:
            files = list(os.scandir(folder.path))
        except OSError:
            continue
        for entry in files:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            yield entry.path, st.st_size, st.st_mtime, entry.name.startswith(TEMP_PREFIX)


def _unlink(path: str | Path) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True

"""How one run parses its files: from the cache, in worker processes, or here.

The frontends read and parse each file through one function they are given (``parse`` of
:func:`why403.sources.terraform.load_module` and
:func:`why403.sources.cloudformation.load_templates`). A :class:`ParseSession` provides those
functions for a run:

1. :meth:`ParseSession.prefetch` reads the files the run will parse (each root module's files and
   tfvars, every template), finds the ones already in the :mod:`~why403.sources.parsecache`, and
   parses the others in ``jobs`` worker processes, keeping each result as its pickled payload.
   A small remainder (the pre-commit hook after a one-file change) is left to be parsed here: a
   pool costs more than it saves below a few tens of kilobytes of source.
2. :meth:`ParseSession.terraform` and :meth:`ParseSession.cloudformation` are the hooks: they
   return the prefetched result of a file, or its cached one, or parse it on the spot (files the
   prefetch did not know of: child modules outside the paths, ``.terraform/modules``).

Whatever the number of workers, the frontends run here, in their own order, on results equal to
what they would have parsed themselves: the output does not depend on ``jobs``. A result is
computed under a placeholder name and given the file's name when it is handed out, because the
cache is addressed by content: two files with the same bytes share one entry.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.sources import parsecache, parsekind
from why403.sources.parsecache import ParseCache
from why403.sources.parsekind import CFN, TF, terraform_kind

if TYPE_CHECKING:
    from why403.model.tally import Tally
    from why403.sources.cloudformation.decode import ParsedTemplate
    from why403.sources.terraform.syntax import ParsedFile

log = logging.getLogger(__name__)

# Files larger than this are left to the frontend's own reader, which refuses them cheaply.
_MAX_BYTES = 32 * 1024 * 1024
# Below this much source to parse, a pool costs more than it saves (python-hcl2 parses roughly
# 250 kB a second; forking and feeding workers costs tens of milliseconds).
MIN_POOL_BYTES = 48 * 1024
MIN_POOL_FILES = 4

def default_jobs() -> int:
    """The CPUs this process may run on (a CI container's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# -- a run's session ----------------------------------------------------------------------------


@dataclass
class SessionStats:
    """What a run's parsing did: ``parsed_here`` and ``parsed_in_workers`` count actual parses."""

    parsed_here: int = 0
    parsed_in_workers: int = 0
    from_cache: int = 0
    workers: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def parsed(self) -> int:
        return self.parsed_here + self.parsed_in_workers


class ParseSession:
    """One run's parsing: ``cache`` (None to bypass it) and at most ``jobs`` worker processes;
    each file parsed or taken from the cache is counted in ``tally`` (the progress line's)."""

    def __init__(self, cache: ParseCache | None, jobs: int | None = None, tally: Tally | None = None) -> None:
        self.cache = cache
        self.jobs = max(1, jobs if jobs is not None else default_jobs())
        self.stats = SessionStats()
        self.tally = tally
        self._keys: dict[str, tuple[str, str]] = {}  # path -> (kind, key), as read by prefetch
        self._payloads: dict[str, bytes] = {}  # key -> pickled result prefetched, until handed out
        self._wanted: dict[str, int] = {}  # key -> prefetched files with those bytes not yet handed out

    # -- the hooks the frontends call -----------------------------------------------------------

    def terraform(self, path: Path) -> ParsedFile:
        """``parse`` for :func:`why403.sources.terraform.load_module`."""
        result: ParsedFile = self.get(terraform_kind(path), path)
        return result

    def cloudformation(self, path: Path) -> ParsedTemplate:
        """``parse`` for :func:`why403.sources.cloudformation.load_templates`."""
        result: ParsedTemplate = self.get(CFN, path)
        return result

    def get(self, kind: str, path: Path) -> Any:
        label = str(path)
        known = self._keys.pop(label, None)
        if known is not None and known[0] == kind:
            key = known[1]
            result = self._ready(kind, key)
            if result is not None:
                return parsekind.relabel(kind, result, label)
        data = _read(path)
        if data is None:
            return _fallback(kind, path)  # the frontend's reader says why it cannot be read
        key = self._key(kind, data)
        result = self._ready(kind, key)
        if result is None:
            result = self._parse_here(kind, key, data)
        return parsekind.relabel(kind, result, label)

    def _key(self, kind: str, data: bytes) -> str:
        """The key of a file's parse: the cache's (salted) key, or without a cache one that only has
        to tell files apart within this run."""
        return parsecache.content_key(parsekind.salt(kind) if self.cache is not None else kind.encode() + b"\x00", data)

    def _ready(self, kind: str, key: str) -> Any:
        """The result prefetched or cached under ``key``, or None (absent, corrupt, not valid).

        A prefetched payload is dropped once every prefetched file with its bytes has had it:
        holding every result of a large run until its end would add to its peak memory."""
        wanted = self._wanted.get(key, 0) - 1
        if wanted > 0:
            self._wanted[key] = wanted
            payload = self._payloads.get(key)
        else:
            self._wanted.pop(key, None)
            payload = self._payloads.pop(key, None)
        from_disk = payload is None
        if payload is None:
            if self.cache is None:
                return None
            payload = self.cache.get(key)
            if payload is None:
                return None
        try:
            result = parsecache.loads(payload, parsekind.allowed_classes(kind), parsekind.result_type(kind))
        except parsekind.BAD_PAYLOAD:
            if self.cache is not None:
                self.cache.reject(key)
            return None
        if from_disk:
            self.stats.from_cache += 1
            self._counted()
        return result

    def _counted(self) -> None:
        if self.tally is not None:
            self.tally.files += 1

    def _parse_here(self, kind: str, key: str, data: bytes) -> Any:
        result = parsekind.parse(kind, data)
        self.stats.parsed_here += 1
        self._counted()
        self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
        if self.cache is not None:
            try:
                payload = parsecache.dumps(result)
            except (RecursionError, pickle.PicklingError, MemoryError):
                return result
            self.cache.put(key, payload)
        return result

    # -- before the frontends run ---------------------------------------------------------------

    def prefetch(self, files: Iterable[tuple[str, Path]]) -> None:
        """Read ``(kind, path)`` files, take what the cache has, and parse the rest in workers when
        there is enough of it. Anything left is parsed by the hooks, on demand."""
        if self.jobs <= 1:
            return  # the hooks read the cache and parse on demand, holding nothing ahead
        todo: dict[str, tuple[str, bytes]] = {}
        for kind, path in files:
            label = str(path)
            if label in self._keys:
                continue
            data = _read(path)
            if data is None:
                continue
            key = self._key(kind, data)
            self._keys[label] = (kind, key)
            self._wanted[key] = self._wanted.get(key, 0) + 1
            if key in todo or key in self._payloads:
                continue
            payload = self.cache.get(key) if self.cache is not None else None
            if payload is not None:
                self._payloads[key] = payload
                self.stats.from_cache += 1
                self._counted()
            else:
                todo[key] = (kind, data)
        size = sum(len(data) for _, data in todo.values())
        if self.jobs > 1 and len(todo) >= MIN_POOL_FILES and size >= MIN_POOL_BYTES:
            self._parse_in_workers(todo)

    def _parse_in_workers(self, todo: dict[str, tuple[str, bytes]]) -> None:
        # Imported here: they bring in multiprocessing, which only a large run needs.
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # Largest first, so that no worker is left with a big file at the end.
        order = sorted(todo, key=lambda k: -len(todo[k][1]))
        workers = min(self.jobs, len(order), 61 if sys.platform == "win32" else len(order))  # Windows' pool limit
        chunk = max(1, min(16, len(order) // (workers * 8)))
        self.stats.workers = workers
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=parsekind.init_worker,
                                     initargs=(sys.getrecursionlimit(),)) as pool:
                results = pool.map(parsekind.work, [todo[k][0] for k in order], [todo[k][1] for k in order],
                                   chunksize=chunk)
                for key, payload in zip(order, results, strict=True):
                    if payload is None:
                        continue
                    self._payloads[key] = payload
                    self.stats.parsed_in_workers += 1
                    self._counted()
                    kind = todo[key][0]
                    self.stats.by_kind[kind] = self.stats.by_kind.get(kind, 0) + 1
                    if self.cache is not None:
                        self.cache.put(key, payload)
        except (BrokenProcessPool, OSError) as exc:
            # A worker died (killed, out of memory) or none could start: what is missing is parsed here.
            log.warning("parse workers failed (%s); parsing the remaining files in this process", exc)
        except Exception as exc:  # never fatal: the hooks parse whatever the workers did not return
            log.warning("parse workers failed (%s: %s); parsing the remaining files in this process",
                        type(exc).__name__, exc)

    def finish(self) -> None:
        """Keep the cache within its size and say what the run's parsing did (debug log)."""
        if self.cache is not None and self.cache.eviction_due():
            self.cache.evict()
        s = self.stats
        log.debug("parsed %d files (%d in %d workers), %d from the cache; cache: %s",
                  s.parsed, s.parsed_in_workers, s.workers, s.from_cache,
                  self.cache.stats if self.cache is not None else "off",
                  extra={"why403_parse": {"parsed": s.parsed, "in_workers": s.parsed_in_workers, "workers": s.workers,
                                          "from_cache": s.from_cache, "by_kind": dict(s.by_kind),
                                          "cache": asdict(self.cache.stats) if self.cache is not None else None}})


def warm_in_background(session: ParseSession, paths: Sequence[Path]) -> Callable[[], None]:
    """Parse the Terraform files ``paths`` into the session's cache in a forked child process while
    this one goes on; the function returned waits for the child. Afterwards each path is a cache
    hit here.

    The pre-commit hook is given the files a commit changed, which the cache has not seen: their
    parse (python-hcl2's import, its grammar tables, the parse itself) and the hook's own start
    (the caller search, importing the engine) need not wait for each other. Nothing is handed over
    but cache entries, written atomically and checked on read like any other; a child that fails
    or is killed only leaves a miss, which this process parses as usual. Only where forking is
    safe and cheap (:func:`_forks_cheaply`), with a cache, and with a second CPU to run on; the
    child runs under the same confinement and limits (it inherits them), reports nothing, and
    leaves through ``os._exit`` so that none of this process's clean-up runs twice."""
    if session.cache is None or not paths or default_jobs() < 2 or not _forks_cheaply():
        return lambda: None
    try:
        pid = os.fork()
    except OSError:
        return lambda: None
    if pid == 0:  # the child
        status = 1
        try:
            import signal

            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            logging.disable(logging.CRITICAL)
            for path in paths:
                session.terraform(path)
            status = 0
        finally:
            os._exit(status)

    def wait() -> None:
        with contextlib.suppress(ChildProcessError):  # already waited for
            os.waitpid(pid, 0)

    return wait


def _forks_cheaply() -> bool:
    """Linux, where fork is safe and cheap. Asked without importing multiprocessing, which the
    pre-commit hook would otherwise import only to learn this."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _context() -> Any:
    """fork where it is safe and cheap (Linux): workers start with the parser already imported."""
    if not _forks_cheaply():
        return None
    import multiprocessing

    return multiprocessing.get_context("fork")


def _read(path: Path) -> bytes | None:
    """The file's bytes, or None when it is too large, unreadable or refused by the confinement
    (the frontend's own reader reports why)."""
    from why403.sources import confine

    try:
        return confine.read_bytes(path, _MAX_BYTES)
    except OSError:
        return None


def _fallback(kind: str, path: Path) -> Any:
    if kind == CFN:
        from why403.sources.cloudformation import parse_file as parse_template_file

        return parse_template_file(path)
    from why403.sources.terraform.reader import parse_file

    return parse_file(path)


def session_for(cache_dir: str | None, use_cache: bool, jobs: int | None, tally: Tally | None = None) -> ParseSession:
    """The session of a run with these settings: no cache when the directory is not fit for one
    (:func:`~why403.sources.parsecache.directory_problem`; ``check`` says why on standard error)."""
    from why403.sources import confine

    directory = Path(cache_dir) if cache_dir else parsecache.default_cache_dir()
    current = confine.active()
    if use_cache and parsecache.directory_problem(directory, current.roots if current else ()) is None:
        return ParseSession(ParseCache(directory), jobs, tally)
    return ParseSession(None, jobs, tally)


def terraform_files(directories: Sequence[Path]) -> list[tuple[str, Path]]:
    """The files the Terraform frontend parses in these module directories: ``*.tf``, ``*.tf.json``
    and the native-syntax tfvars it reads for a root (``terraform.tfvars``, ``*.auto.tfvars``)."""
    from why403.sources.terraform.config import module_files

    out: list[tuple[str, Path]] = []
    for directory in directories:
        for path in module_files(directory):
            out.append((terraform_kind(path), path))
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
                out.append((TF, directory / name))
    return out

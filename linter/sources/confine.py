"""Every read of the tree under check: inside its roots, regular files only, bounded.

The tree is untrusted (a pull request anyone may open, on a CI runner that holds secrets). A
symbolic link committed in it, a ``file("/proc/self/environ")``, a module ``source`` of
``"../../../.."`` or a variable file named by its configuration could make why403 read any file of
the runner, and a finding would quote it. A FIFO or a device would hang the run or fill its memory.
So the frontends, the caches and discovery read through here:

- **Roots.** A run reads below its *roots*: for each path checked, the git work tree holding it
  (the nearest directory above with a ``.git`` entry, which no tree can contain), else the working
  directory when the path is inside it, else the path itself. A path is inside when its *resolved*
  real path is: a symbolic link anywhere on the way is followed first, so a link out of the
  roots is refused however it is spelled. Files the user named on the command line (``--var-file``,
  ``--parameter-file``) are trusted and readable wherever they are.
- **Regular files only.** A FIFO, a socket, a device or a directory is refused before it is
  opened (and checked again on the open descriptor, opened non-blocking).
- **Bounds.** :data:`MAX_FILE_BYTES` per file and :data:`MAX_RUN_BYTES` for the whole run; a file
  that grows past its size while read (``/proc``) is refused too.

A refused read raises :class:`RefusedRead`, an :class:`OSError` whose ``strerror`` says why in
words fit for a finding; callers already turn an unreadable file into a located error or an
unknown value, never into content. Outside a run (a test calling a frontend directly) there are
no roots, and the other checks still apply.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_RUN_BYTES = 512 * 1024 * 1024
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))


class RefusedRead(OSError):
    """A read the confinement refused; ``strerror`` says why (outside the roots, not a regular
    file, too large)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(errno.EACCES, reason, os.fspath(path))


@dataclass
class Confinement:
    """The roots of one run and what it has read so far."""

    roots: tuple[Path, ...]
    trusted: frozenset[Path] = frozenset()
    max_file_bytes: int = MAX_FILE_BYTES
    max_run_bytes: int = MAX_RUN_BYTES
    bytes_read: int = 0
    read: set[str] = field(default_factory=set)

    def allows(self, real: Path) -> bool:
        return real in self.trusted or any(inside(real, root) for root in self.roots)


_ACTIVE: ContextVar[Confinement | None] = ContextVar("why403_confinement", default=None)


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or below it (both already resolved). Compared as text: every
    read asks this of every root, and ``folder in path.parents`` builds and compares a Path per
    level (seconds on a tree of thousands of files under dozens of roots)."""
    text, top = os.path.normcase(os.fspath(path)), os.path.normcase(os.fspath(folder))
    return text == top or text.startswith(top.rstrip(os.sep) + os.sep)


def root_of(path: str | os.PathLike[str], cwd: str | os.PathLike[str] | None = None) -> Path:
    """The root a checked path's reads are confined to (see the module docstring)."""
    real = Path(os.path.realpath(path))
    folder = real if real.is_dir() else real.parent
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    here = Path(os.path.realpath(cwd if cwd is not None else os.getcwd()))
    return here if inside(folder, here) else folder


def roots_for(paths: Iterable[str | os.PathLike[str]], cwd: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(root_of(p, cwd) for p in paths))


def within_roots(path: str | os.PathLike[str], roots: Iterable[Path]) -> bool:
    """Whether ``path`` (resolved) is inside one of ``roots``."""
    real = Path(os.path.realpath(path))
    return any(inside(real, Path(os.path.realpath(root))) for root in roots)


@contextmanager
def confined(roots: Iterable[Path], trusted: Iterable[str | os.PathLike[str]] = (),
             max_file_bytes: int = MAX_FILE_BYTES, max_run_bytes: int = MAX_RUN_BYTES) -> Iterator[Confinement]:
    """Confine the reads made inside to ``roots`` (and the ``trusted`` files)."""
    confinement = Confinement(tuple(Path(os.path.realpath(r)) for r in roots),
                              frozenset(Path(os.path.realpath(t)) for t in trusted), max_file_bytes, max_run_bytes)
    token = _ACTIVE.set(confinement)
    try:
        yield confinement
    finally:
        _ACTIVE.reset(token)


def active() -> Confinement | None:
    return _ACTIVE.get()


def may_read_below(directory: str | os.PathLike[str]) -> bool:
    """Whether files below ``directory`` (resolved) may be read: a Terraform module outside the
    roots is not loaded at all, rather than file by file refused."""
    confinement = _ACTIVE.get()
    return confinement is None or confinement.allows(Path(os.path.realpath(directory)))


def check(path: str | os.PathLike[str]) -> Path:
    """The resolved real path of ``path`` if the confinement lets it be read (a regular file
    inside the roots), else :class:`RefusedRead`."""
    real = Path(os.path.realpath(path))
    confinement = _ACTIVE.get()
    if confinement is not None and not confinement.allows(real):
        shown = f" (it leads to {real})" if str(real) != os.path.abspath(path) else ""
        raise RefusedRead(path, f"outside the tree under check{shown}; why403 reads only files of the repository")
    st = os.stat(real)
    if not stat.S_ISREG(st.st_mode):
        raise RefusedRead(path, f"not a regular file ({_kind(st.st_mode)})")
    return real


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a special file"


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of a regular file inside the roots, at most ``limit`` (default: the run's bound
    per file) of them; a larger file is refused, never truncated."""
    real = check(path)
    confinement = _ACTIVE.get()
    data = _read_counted(path, real, limit, confinement)
    if confinement is not None:
        confinement.read.add(str(real))
    return data


def _read_counted(path: str | os.PathLike[str], real: str | os.PathLike[str], limit: int | None,
                  confinement: Confinement | None) -> bytes:
    """The bytes of ``real``, within the run's bound per file and counted against its bound per run."""
    bound = min(limit if limit is not None else MAX_FILE_BYTES,
                confinement.max_file_bytes if confinement is not None else MAX_FILE_BYTES)
    data = _read_regular(path, real, bound)
    if confinement is not None:
        confinement.bytes_read += len(data)
        if confinement.bytes_read > confinement.max_run_bytes:
            raise RefusedRead(path, f"the run has read more than {_size(confinement.max_run_bytes)} of files")
    return data


def read_private(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of why403's own (a cache entry), not of the tree: no roots, but
    still never a FIFO or a device, and bounded."""
    return _read_regular(path, path, limit)


def _read_regular(path: str | os.PathLike[str], real: str | os.PathLike[str], bound: int) -> bytes:
    """The bytes of ``real`` (``path`` as resolved), refused unless it is a regular file once open
    (it may have been swapped since it was checked) of at most ``bound`` bytes, by its size and by
    what reading it gives (it may grow meanwhile)."""
    fd = os.open(real, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise RefusedRead(path, f"not a regular file ({_kind(st.st_mode)})")
        if st.st_size > bound:
            raise RefusedRead(path, f"larger than {_size(bound)}")
        data = os.read(fd, st.st_size + 1)  # one call for the usual file, which does not grow meanwhile
        if len(data) > st.st_size:
            data += _read_fd(fd, bound - len(data)) if len(data) <= bound else b""
    finally:
        os.close(fd)
    if len(data) > bound:
        raise RefusedRead(path, f"larger than {_size(bound)}")
    return data


def digest(path: str | os.PathLike[str]) -> str:
    """The hex sha256 of a regular file the confinement lets be read (streamed, not counted
    against the run's bound: the run cache hashes files it may never read)."""
    import hashlib

    real = check(path)
    fd = os.open(real, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RefusedRead(path, "not a regular file")
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int | None = None, encoding: str = "utf-8") -> str:
    """:func:`read_bytes` decoded (``UnicodeDecodeError`` when it is not ``encoding``)."""
    return read_bytes(path, limit).decode(encoding)


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a regular file inside the roots (a sniff; not counted against
    the run's bound, since it is small and followed by the full read when it matters)."""
    real = check(path)
    fd = os.open(real, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RefusedRead(path, "not a regular file")
        return os.read(fd, size)
    finally:
        os.close(fd)


def read_walked(path: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file that a walk from a root reached without entering any symbolic
    link to a directory (:func:`why403.sources.discover.walk_files` walks so): it is opened without
    following a link in its last component, so no component of the path is a link and the file is
    where the walk found it, inside the root, with no need to resolve the path (which costs a
    system call per component: the pre-commit hook searches a whole repository this way). Never a
    FIFO or a device; a file larger than ``limit`` or the run's bound per file is refused, never
    truncated, and what is read counts against the run's bound, as :func:`read_bytes` does."""
    return _read_counted(path, path, limit, _ACTIVE.get())


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file the confinement would let be read."""
    try:
        check(path)
    except OSError:
        return False
    return True


def _read_fd(fd: int, bound: int) -> bytes:
    """Up to ``bound + 1`` bytes (one more than allowed tells a file that grew past its bound)."""
    chunks = []
    left = bound + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"

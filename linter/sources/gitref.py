"""The sources as they were at a git revision, for ``--baseline REF``.

git runs only as :mod:`why403.sources.gitrepo` runs it: in the repository located without git,
with an explicit ``--git-dir`` and ``--work-tree``, a rebuilt environment and ``-c`` overrides
that switch off whatever could run a command or open a connection. The base is read as raw
objects: ``ls-tree`` lists the blobs below the paths checked and ``cat-file --batch`` streams them.
Neither applies attributes, filters or conversions (never ``archive`` or ``checkout``, which do).
Only regular files are written (no symbolic links, no submodules), each within a size bound, into
a private temporary directory that is removed when the run ends, is interrupted (SIGINT) or is
terminated (SIGTERM). Every failure is a :class:`~why403.sources.gitrepo.BaselineError`.
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

from why403.sources.confine import inside
from why403.sources.gitrepo import BaselineError, Repository, Revision

# What a base file may weigh (larger ones are not infrastructure code why403 could read either)
# and what one baseline may write in all.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 20
# Modes of the tree entries written out: regular files, executable or not (not 120000 symbolic
# links, not 160000 submodules).
_FILE_MODES = frozenset({"100644", "100755"})


@dataclass(frozen=True)
class _Blob:
    mode: str
    oid: str
    size: int
    path: str  # relative to the top, with forward slashes


def _list_blobs(repo: Repository, commit: str, paths: Iterable[str]) -> list[_Blob]:
    """The regular files below ``paths`` (relative to the top) at ``commit``."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    out = repo.run("ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *wanted)
    blobs = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()
        if len(fields) != 4 or fields[1] != "blob" or fields[0] not in _FILE_MODES or not fields[3].isdigit():
            continue  # symbolic links, submodules
        blobs.append(_Blob(fields[0], fields[2], int(fields[3]), os.fsdecode(name)))
    return blobs


def blob_at(repo: Repository, commit: str, path: str, limit: int) -> bytes | None:
    """The content of the regular file ``path`` (relative to the top) at ``commit``, or None when
    there is none (or it is a link, a submodule, or larger than ``limit``)."""
    blobs = [b for b in _list_blobs(repo, commit, [path]) if b.path == path]
    if not blobs or blobs[0].size > limit:
        return None
    return repo.run("cat-file", "blob", blobs[0].oid)


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..", ".git") for p in parts)


def _write_blobs(repo: Repository, blobs: list[_Blob], dest: Path) -> None:
    """Stream the blobs through one ``cat-file --batch`` into ``dest`` (same relative layout)."""
    total = 0
    todo = [b for b in blobs if b.size <= MAX_FILE_BYTES and _safe_relative(b.path)]
    if not todo:
        return
    proc = repo.popen("cat-file", "--batch")
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for blob in todo:
            total += blob.size
            if total > MAX_TOTAL_BYTES:
                raise BaselineError(f"--baseline: the files to compare weigh more than {MAX_TOTAL_BYTES >> 20} MiB; "
                                    "check fewer paths")
            proc.stdin.write(blob.oid.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline(200).split()
            if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit() or int(header[2]) != blob.size:
                raise BaselineError(f"--baseline: git could not read {blob.path} at the base revision "
                                    "(a partial or damaged clone? fetch the full history: fetch-depth: 0)")
            target = dest / blob.path
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(target, "xb") as handle:
                _copy(proc.stdout, handle, blob.size)
            if proc.stdout.read(1) != b"\n":
                raise BaselineError("--baseline: git cat-file answered out of step")
    except (OSError, ValueError) as exc:
        raise BaselineError(f"--baseline: cannot write the base revision's files: {exc}") from None
    finally:
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()


def _copy(source: IO[bytes], target: IO[bytes], size: int) -> None:
    left = size
    while left:
        chunk = source.read(min(_CHUNK, left))
        if not chunk:
            raise BaselineError("--baseline: git cat-file ended early")
        target.write(chunk)
        left -= len(chunk)


@contextmanager
def _removed_on_termination() -> Iterator[None]:
    """SIGTERM (a cancelled CI job) unwinds like SIGINT, so that the ``with`` blocks inside clean
    up; the previous handler is put back afterwards. Only the main thread can set handlers."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except (AttributeError, ValueError):
        yield
        return
    if previous not in (signal.SIG_DFL, None):
        yield  # the embedding program handles it
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def relative_to_top(repo: Repository, paths: Iterable[str]) -> list[str]:
    """``paths`` (relative to the working directory) as paths relative to the repository's top."""
    out = []
    for p in paths:
        absolute = Path(p).resolve()
        if not inside(absolute, repo.top):
            raise BaselineError(f"--baseline: {p} is outside the git repository {repo.top}")
        out.append(absolute.relative_to(repo.top).as_posix() or ".")
    return out


@dataclass(frozen=True)
class Export:
    """The copy of a revision: ``root`` stands for the repository's ``top``, ``paths`` are the
    paths checked, mapped into it."""

    root: Path
    paths: tuple[str, ...]
    top: Path

    def in_tree(self, path: str) -> str:
        """A file of the copy as the absolute path of the same file in the work tree, whatever form
        the paths were given in (``.``, ``infra/``, absolute, from a subdirectory); a path outside
        the copy is returned unchanged."""
        absolute = Path(os.path.abspath(path))
        if not inside(absolute, self.root):
            return path
        return str(self.top / absolute.relative_to(self.root))


@contextmanager
def checkout(at: Revision, paths: tuple[str, ...], also: Iterable[str] = ()) -> Iterator[Export]:
    """A temporary copy of the files of ``paths`` at the commit ``at`` names (same layout relative to
    the repository's top). ``also`` names more files whose directories are copied too (the child
    modules and variable files the run read outside ``paths``); those outside the repository are
    left out."""
    repo, commit = at.repo, at.commit
    relative = relative_to_top(repo, paths)
    folders = set(relative)
    for file in also:
        absolute = Path(file).resolve()
        if inside(absolute, repo.top) and not any(inside(absolute, repo.top / r) for r in relative):
            folders.add(absolute.parent.relative_to(repo.top).as_posix() or ".")
    with _removed_on_termination(), tempfile.TemporaryDirectory(prefix="why403-baseline-") as tmp:
        root = Path(tmp).resolve() / "tree"
        root.mkdir(mode=0o700)
        blobs = _list_blobs(repo, commit, sorted(folders))
        wanted = set(relative)
        # A copied directory of ``also`` holds that module's own files, not its subdirectories.
        blobs = [b for b in blobs if any(b.path == r or r == "." or b.path.startswith(r + "/") for r in wanted)
                 or (os.path.dirname(b.path) or ".") in folders]
        _write_blobs(repo, blobs, root)
        yield Export(root, tuple(str(root / r) if r != "." else str(root) for r in relative), repo.top)

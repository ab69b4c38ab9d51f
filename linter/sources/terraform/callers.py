"""Who may call a module: the directories whose Terraform files name it in a local ``source``.

The pre-commit hook checks a changed module as part of every root module that expands it, so each
commit asks the whole repository who names the changed directory. Reading every Terraform file of
a large repository for that cost more than checking the unit itself. :class:`CallerIndex` keeps,
in the user's cache directory, what each file mentions together with the file's state when it was
read (size, modification and change times in nanoseconds, inode number): a file found in the same
state is not read again. That is how git's index tells an unchanged file without reading it, with
git's answer to the same-tick problem: a file whose times are not at least :data:`RACY_NS` older
than the search that read it may have changed again within one clock tick without its state
changing, so its entry is not trusted and it is read again.

The search only proposes callers: the hook parses each proposed directory to confirm the call,
so a stale entry could only hide a caller that an edit made in the same state added. Nothing the
index holds is executed or trusted beyond that: it is JSON behind a header with its own sha256,
and a damaged, foreign or unreadable index is a miss (the repository is read, and the index
rewritten).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from why403.sources import confine
from why403.sources.discover import SKIP_DIRS
from why403.sources.terraform.layout import local_sources

FORMAT = 1
RACY_NS = 2_000_000_000  # coarser than any file system's time stamps (FAT: 2 s)
SAVE_AFTER_READS = 32
_HEADER = "why403 caller index"
_SUBDIR = "callers"

# (size, mtime_ns, ctime_ns, inode, local source strings) per file, by path relative to the top.
Entry = list[Any]


class CallerIndex:
    """The remembered ``source`` strings of one repository's Terraform files (see the module docstring)."""

    def __init__(self, directory: Path, top: Path) -> None:
        self.path = directory / _SUBDIR / (hashlib.sha256(str(top).encode()).hexdigest()[:32] + ".json")
        self.top = str(top)
        self.started = 0
        self.files: dict[str, Entry] = {}

    def load(self) -> None:
        try:
            blob = confine.read_private(self.path)
            head, _, body = blob.partition(b"\n")
            fields = head.decode("ascii").split("\t")
            if fields != [_HEADER, str(FORMAT), hashlib.sha256(body).hexdigest()]:
                return
            data = json.loads(body)
            if data["top"] == self.top and isinstance(data["started"], int) and isinstance(data["files"], dict):
                self.started, self.files = data["started"], data["files"]
        except Exception:  # absent, unreadable, damaged, another format: the repository is read again
            return

    def save(self, started: int, files: dict[str, Entry]) -> None:
        from why403.sources.parsecache import atomic_write

        body = json.dumps({"top": self.top, "started": started, "files": files}, separators=(",", ":")).encode()
        head = "\t".join((_HEADER, str(FORMAT), hashlib.sha256(body).hexdigest())).encode("ascii")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(self.path, head + b"\n" + body)
        except OSError:
            return  # an index that cannot be written only costs time

    def known(self, relative: str, st: os.stat_result) -> list[str] | None:
        """The sources remembered for a file in this state, or None when it must be read."""
        entry = self.files.get(relative)
        if (entry is None or len(entry) != 5 or entry[:4] != [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                or max(st.st_mtime_ns, st.st_ctime_ns) > self.started - RACY_NS
                or not isinstance(entry[4], list)):
            return None
        return entry[4]


class Callers(Mapping[Path, list[Path]]):
    """Module directory -> the directories naming it, made into paths only when asked: the hook
    asks about the few directories a commit changed, of the thousand a repository may have."""

    def __init__(self, found: dict[str, dict[str, None]]) -> None:
        self._found = found

    def __getitem__(self, directory: Path) -> list[Path]:
        return [Path(d) for d in self._found[str(directory)]]

    def __iter__(self) -> Iterator[Path]:
        return (Path(target) for target in self._found)

    def __len__(self) -> int:
        return len(self._found)


def mentioned_callers(top: Path, index_directory: Path | None = None) -> Callers:
    """Module directory -> the directories below ``top`` whose Terraform files name it in a local
    ``source`` string (a superset of its callers). It walks with plain strings and reads with
    :func:`~why403.sources.confine.read_walked` (no symbolic link is entered or opened, so nothing
    outside ``top`` is read), and looks further only at files that hold a ``".`` at all. With an
    ``index_directory`` (the cache's), files found in a remembered state are not read."""
    index = CallerIndex(index_directory, top) if index_directory is not None else None
    if index is not None:
        index.load()
    started = time.time_ns()
    files: dict[str, Entry] = {}
    read = 0
    found: dict[str, dict[str, None]] = {}  # paths as strings: a Path per file would cost more than the search
    prefix = len(str(top)) + 1
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIP_DIRS:
                        stack.append(entry.path)
                    continue
            except OSError:
                continue
            if not name.endswith((".tf", ".tf.json")) or name.startswith("."):
                continue
            sources = _sources(entry, index, files, prefix)
            if sources is None:
                continue
            read += sources[1]
            for source in sources[0]:
                target = os.path.normpath(os.path.join(folder, source))
                if target != folder:
                    found.setdefault(target, {})[folder] = None
    if index is not None and _worth_saving(read, files, index):
        index.save(started, files)
    return Callers(found)


def _worth_saving(read: int, files: dict[str, Entry], index: CallerIndex) -> bool:
    """Whether to rewrite the index: when there was none (or it was damaged), when files are gone
    from it, or when enough were read that reading them again would cost more than rewriting it.
    A commit changes a few files, which are read again on each search until then (a few
    microseconds each), instead of rewriting the whole index on every commit."""
    return (not index.files or any(name not in files for name in index.files)
            or read > max(SAVE_AFTER_READS, len(files) // 100))


def _sources(entry: os.DirEntry[str], index: CallerIndex | None, files: dict[str, Entry],
             prefix: int) -> tuple[list[str], bool] | None:
    """(the local sources one file names, whether it was read), or None when it cannot be read."""
    st = None
    if index is not None:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            return None
        relative = entry.path[prefix:]
        known = index.known(relative, st)
        if known is not None:
            files[relative] = index.files[relative]
            return known, False
    try:
        data = confine.read_walked(entry.path)
    except OSError:
        return None  # the check says why, if the file is in a unit it reads
    sources = list(local_sources(data)) if b'".' in data else []
    if st is not None:
        files[entry.path[prefix:]] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, sources]
    return sources, True

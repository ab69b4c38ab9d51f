"""The sources as they were at a git revision, for ``--baseline REF``.

The tree under check is untrusted (a pull request anyone may open), and git honours a great deal
of what a tree can hold: a directory laid out as a bare repository is *discovered* as the
repository when git runs inside it, and its ``config`` may name filter drivers, an fsmonitor or
hooks that git runs as commands; a ``.gitattributes`` may ask for filters that the runner's
global configuration defines (git-lfs fetches over the network with the runner's credentials).
So git is run here only as follows:

- The repository is located once, by looking for the ``.git`` entry (a directory, or the file of a
  linked worktree) at or above the first path, which git never lets a tree contain; every git
  command then gets it as an explicit ``--git-dir`` with an explicit ``--work-tree``, so that no
  repository is ever discovered from inside the tree. ``GIT_CEILING_DIRECTORIES`` stops any
  discovery above it too.
- The environment is rebuilt from a short allow-list: no ``GIT_DIR``, ``GIT_INDEX_FILE``
  (pre-commit runs hooks with those set), ``GIT_SSH_COMMAND`` ... from the caller; no system
  or global configuration (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL=/dev/null``), whose only
  setting that matters here, ``safe.directory``, is read separately and passed on.
- ``-c`` overrides switch off what could still run a command or open a connection:
  ``safe.bareRepository=explicit``, ``core.fsmonitor=false``, ``core.hooksPath=/dev/null``,
  ``core.attributesFile=/dev/null``, ``protocol.allow=never`` (no lazy fetch of a partial clone),
  ``core.sshCommand=false``, no credential helper.
- The base is read as raw objects: ``ls-tree`` lists the blobs below the paths checked and
  ``cat-file --batch`` streams them. Neither applies attributes, filters or conversions (never
  ``archive`` or ``checkout``, which do). Only regular files are written (no symbolic links, no
  submodules), each within a size bound, into a private temporary directory that is removed when
  the run ends, is interrupted (SIGINT) or is terminated (SIGTERM).

Every failure is a :class:`BaselineError` phrased for the user, with the fix when there is one
(a shallow clone needs its history: ``fetch-depth: 0``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

# What a base file may weigh (larger ones are not infrastructure code why403 could read either)
# and what one baseline may write in all.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
_TIMEOUT = 300
_CHUNK = 1 << 20
# Modes of the tree entries written out: regular files, executable or not (not 120000 symbolic
# links, not 160000 submodules).
_FILE_MODES = frozenset({"100644", "100755"})

# The configuration every git command runs with; the environment does the rest (see _environment).
ISOLATION = (
    "safe.bareRepository=explicit",
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",
    f"core.attributesFile={os.devnull}",
    "protocol.allow=never",
    "core.sshCommand=false",
    "credential.helper=",
    "core.untrackedCache=false",
    "gc.auto=0",
    "maintenance.auto=false",
)
_KEPT_ENV = ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


class BaselineError(Exception):
    """The revision cannot be read; the message says why and how to fix it, in one line."""


@dataclass(frozen=True)
class Repository:
    """A git repository located without running git: ``top`` is the work tree, ``git_dir`` the
    ``.git`` entry in it (a directory, or the ``gitdir:`` file of a linked worktree)."""

    top: Path
    git_dir: Path
    git: str
    safe_directories: tuple[str, ...] = ()

    def command(self, *args: str) -> list[str]:
        flags = [f"--git-dir={self.git_dir}", f"--work-tree={self.top}", "--literal-pathspecs", "--no-replace-objects"]
        for setting in (*ISOLATION, *(f"safe.directory={d}" for d in self.safe_directories)):
            flags += ["-c", setting]
        return [self.git, *flags, *args]

    def run(self, *args: str) -> bytes:
        try:
            proc = subprocess.run(self.command(*args), cwd=self.top, env=_environment(self.top), capture_output=True,
                                  stdin=subprocess.DEVNULL, check=False, timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BaselineError(f"git {args[0]} took more than {_TIMEOUT} s in {self.top}") from None
        except OSError as exc:
            raise BaselineError(f"cannot run git: {exc.strerror or exc}") from None
        if proc.returncode != 0:
            raise BaselineError(_git_failure(self, args, proc.stderr))
        return proc.stdout

    def is_shallow(self) -> bool:
        try:
            return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"
        except BaselineError:
            return False


def _git_failure(repo: Repository, args: tuple[str, ...], stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    text = " ".join(lines)
    if "dubious ownership" in text:
        return (f"git refuses the repository {repo.top}: it is owned by another user; if it is yours to check, "
                f"mark it safe with: git config --global --add safe.directory {repo.top}")
    last = lines[-1] if lines else "no message"
    return f"git {args[0]} failed in {repo.top}: {_one_line(last)}"


def _one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:300]


def _environment(top: Path) -> dict[str, str]:
    """The environment git runs with: the allow-listed variables of ours (PATH with its relative
    entries dropped, so that no program of the tree is found) and the isolation settings."""
    env = {name: os.environ[name] for name in _KEPT_ENV if name in os.environ}
    env["PATH"] = _absolute_path_entries()
    env.update({
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(top.parent),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
    })
    return env


def _absolute_path_entries() -> str:
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.isabs(p))


def find_git() -> str:
    """The git program on PATH (absolute entries only: never a ``git`` of the working directory)."""
    git = shutil.which("git", path=_absolute_path_entries())
    if git is None:
        raise BaselineError("--baseline needs the git program, which is not on PATH")
    return os.path.abspath(git)


def find_repository(start: Path) -> Repository:
    """The repository holding ``start``: the nearest directory at or above it with a ``.git``
    entry. A tree cannot contain ``.git`` (git refuses such paths), so this is never one a pull
    request brought; a bare repository committed into the tree is never taken for one."""
    here = start.resolve()
    folder = here if here.is_dir() else here.parent
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if dot_git.is_dir() or dot_git.is_file():
            git = find_git()
            if _inside(Path(git).resolve(), candidate):
                raise BaselineError(f"the git program found on PATH ({git}) is inside the repository {candidate}; "
                                    "put the system's git first on PATH")
            return Repository(candidate, dot_git, git, _trusted_safe_directories(git, candidate))
    raise BaselineError(f"--baseline compares with a git revision, but {start} is not inside a git repository "
                        "(check the sources out with git, e.g. actions/checkout)")


def _trusted_safe_directories(git: str, top: Path) -> tuple[str, ...]:
    """``safe.directory`` as the user's own (global and system) configuration sets it: git refuses
    a repository another user owns unless it is listed there, and that list is the one setting of
    those files that must survive their being switched off (CI containers rely on it)."""
    env = {name: os.environ[name] for name in (*_KEPT_ENV, "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL")
           if name in os.environ}
    env.update(PATH=_absolute_path_entries(), LC_ALL="C", GIT_CEILING_DIRECTORIES=str(top.parent))
    found: list[str] = []
    for scope in ("--system", "--global"):
        try:
            proc = subprocess.run([git, "-c", "safe.bareRepository=explicit", "config", scope, "--get-all",
                                   "safe.directory"], cwd=top.parent, env=env, capture_output=True,
                                  stdin=subprocess.DEVNULL, check=False, timeout=_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            continue
        if proc.returncode == 0:
            found.extend(line for line in proc.stdout.decode("utf-8", "replace").splitlines() if line.strip())
    return tuple(dict.fromkeys(found))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_commit(repo: Repository, ref: str) -> str:
    """The commit ``ref`` names, or a :class:`BaselineError` saying how to make it available."""
    if not ref or ref.startswith("-") or any(not ch.isprintable() or ch.isspace() for ch in ref):
        raise BaselineError(f"--baseline {_one_line(ref)!r}: not a git revision name")
    try:
        commit = repo.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except BaselineError:
        commit = ""
    if commit:
        return commit
    if repo.is_shallow():
        raise BaselineError(f"--baseline {ref}: not in the history of this shallow clone of {repo.top}; fetch the "
                            "history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)")
    raise BaselineError(f"--baseline {ref}: no such revision in {repo.top}; fetch it first (e.g. git fetch origin "
                        "main, or actions/checkout with fetch-depth: 0)")


@dataclass(frozen=True)
class Revision:
    """A revision name resolved, once per run, to the commit it names then: every later read
    (the configuration, the baseline file, the sources) is of that commit, so that a ref that
    moves during the run (a fetch, a push to the branch) cannot give them different answers."""

    repo: Repository
    commit: str
    ref: str  # as the user wrote it, for messages


def revision(ref: str, start: Path) -> Revision:
    """``ref`` resolved in the repository holding ``start`` (see :func:`find_repository`)."""
    repo = find_repository(start)
    return Revision(repo, resolve_commit(repo, ref), ref)


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
    env = _environment(repo.top)
    try:
        proc = subprocess.Popen(repo.command("cat-file", "--batch"), cwd=repo.top, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError as exc:
        raise BaselineError(f"cannot run git: {exc.strerror or exc}") from None
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
        if not _inside(absolute, repo.top):
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
        if not _inside(absolute, self.root):
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
        if _inside(absolute, repo.top) and not any(_inside(absolute, repo.top / r) for r in relative):
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

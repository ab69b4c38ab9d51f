"""The git repository of the tree under check, located and run in isolation, and a revision resolved in it.

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

A revision name is resolved once per run (:func:`revision`); :mod:`why403.sources.gitref` reads
its files. Every failure is a :class:`BaselineError` phrased for the user, with the fix when there
is one (a shallow clone needs its history: ``fetch-depth: 0``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from why403.sources.confine import inside

_TIMEOUT = 300

# The configuration every git command runs with; the environment does the rest (see environment).
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
            proc = subprocess.run(self.command(*args), cwd=self.top, env=environment(self.top), capture_output=True,
                                  stdin=subprocess.DEVNULL, check=False, timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BaselineError(f"git {args[0]} took more than {_TIMEOUT} s in {self.top}") from None
        except OSError as exc:
            raise BaselineError(f"cannot run git: {exc.strerror or exc}") from None
        if proc.returncode != 0:
            raise BaselineError(_git_failure(self, args, proc.stderr))
        return proc.stdout

    def popen(self, *args: str) -> subprocess.Popen[bytes]:
        """A git command streaming through pipes (``cat-file --batch``), isolated like :meth:`run`."""
        try:
            return subprocess.Popen(self.command(*args), cwd=self.top, env=environment(self.top),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise BaselineError(f"cannot run git: {exc.strerror or exc}") from None

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


def environment(top: Path) -> dict[str, str]:
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
            if inside(Path(git).resolve(), candidate):
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

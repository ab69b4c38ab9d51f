"""Small git histories for the hostile tests (git run the ordinary way, by the test, never by why403)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "hostile-base"\n}\n'


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    proc = subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True, env=env)
    return proc.stdout.decode().strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A", "-f")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def embedded_bare_repository(into: Path, scratch: Path, marker: Path) -> None:
    """Write into ``into`` a bare repository layout whose configuration runs ``touch marker`` as a
    filter driver, makes itself its own work tree, and whose history has two commits with a
    ``.gitattributes`` asking for that filter: git run inside ``into`` discovers it, and archiving
    its ``HEAD~1`` runs the command. A pull request can commit exactly these files."""
    bare = scratch / "embedded.git"
    git(scratch, "init", "-q", "--bare", str(bare))
    work = new_repo(scratch / "embedded-work")
    (work / ".gitattributes").write_text("* filter=evil\n")
    (work / "main.tf").write_text(BUCKET)
    commit_all(work, "one")
    (work / "main.tf").write_text(BUCKET + "# two\n")
    commit_all(work, "two")
    git(work, "push", "-q", str(bare), "HEAD:refs/heads/main")
    git(bare, "symbolic-ref", "HEAD", "refs/heads/main")
    git(bare, "config", "core.bare", "false")
    git(bare, "config", "core.worktree", ".")
    git(bare, "config", "filter.evil.smudge", f"touch {marker}; cat")
    git(bare, "config", "filter.evil.clean", "cat")
    git(bare, "config", "core.fsmonitor", f"touch {marker}.fsmonitor; false")
    shutil.copytree(bare, into, dirs_exist_ok=True)

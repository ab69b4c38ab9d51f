"""Point 1: ``--baseline`` runs no command of the tree, reads only what it checks, leaves nothing behind.

The attack is the one a pull request can make: commit a directory laid out as a bare git
repository whose ``config`` names a filter driver and an fsmonitor. git run inside that directory
discovers it as *the* repository; archiving a revision there runs the filter. why403 must locate
the real repository itself and read base blobs raw.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.hostile.gitrepo import BUCKET, commit_all, embedded_bare_repository, git, needs_git, new_repo
from why403.cli.main import main
from why403.sources import gitref, gitrepo

pytestmark = needs_git


def test_a_committed_bare_repository_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(BUCKET)
    commit_all(repo, "base")
    marker = tmp_path / "PWNED"
    embedded_bare_repository(repo / "infra", tmp_path, marker)
    commit_all(repo, "the pull request")
    monkeypatch.chdir(repo)
    # The runner's environment may carry git variables (pre-commit sets GIT_INDEX_FILE, others GIT_DIR).
    monkeypatch.setenv("GIT_DIR", str(repo / "infra"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.fsmonitor'='touch {marker}.env; false'")
    code = main(["check", "infra", "--baseline", "HEAD~1", "--no-cache", "--no-config", "--format", "json"])
    capsys.readouterr()
    assert code in (0, 1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("PWNED")) == []


def test_only_the_checked_files_are_read_from_the_base(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    for name in ("infra", "other", "modules/child"):
        (repo / name).mkdir(parents=True)
        (repo / name / "main.tf").write_text(BUCKET)
    (repo / "other" / "big.bin").write_bytes(os.urandom(1 << 16))
    (repo / "infra" / "link.tf").symlink_to("/etc/passwd")
    base = commit_all(repo, "base")
    (repo / "infra" / "main.tf").write_text(BUCKET + "# changed\n")
    commit_all(repo, "change")
    also = [str(repo / "modules" / "child" / "main.tf")]
    with gitref.checkout(gitrepo.revision(base, repo), (str(repo / "infra"),), also) as export:
        (infra,) = export.paths
        tree = export.root
        written = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file() or p.is_symlink())
        assert written == ["infra/main.tf", "modules/child/main.tf"]  # no other/, no symbolic link
        assert (Path(infra) / "main.tf").read_text() == BUCKET
    assert not tree.exists()


def test_git_runs_with_explicit_git_dir_and_isolation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "main.tf").write_text(BUCKET)
    base = commit_all(repo, "base")
    seen: list[list[str]] = []
    real_run, real_popen = gitrepo.subprocess.run, gitrepo.subprocess.Popen

    def spy_run(args: list[str], **kwargs: object) -> object:
        seen.append(list(args))
        return real_run(args, **kwargs)  # type: ignore[call-overload]

    def spy_popen(args: list[str], **kwargs: object) -> object:
        seen.append(list(args))
        return real_popen(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(gitrepo.subprocess, "run", spy_run)
    monkeypatch.setattr(gitrepo.subprocess, "Popen", spy_popen)
    with gitref.checkout(gitrepo.revision(base, repo), (str(repo),)):
        pass
    repo_commands = [a for a in seen if "config" not in a]
    assert any("cat-file" in a for a in repo_commands) and any("ls-tree" in a for a in repo_commands)
    for args in repo_commands:
        assert f"--git-dir={repo / '.git'}" in args and f"--work-tree={repo}" in args
        for setting in ("safe.bareRepository=explicit", "core.fsmonitor=false", "protocol.allow=never"):
            assert setting in args
        assert not {"archive", "checkout", "worktree"} & set(args)


def test_terminated_runs_remove_their_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "main.tf").write_text(BUCKET)
    base = commit_all(repo, "base")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(gitref.tempfile, "tempdir", str(temp))
    at = gitrepo.revision(base, repo)
    for sig in (signal.SIGTERM, signal.SIGINT):
        with pytest.raises((SystemExit, KeyboardInterrupt)), gitref.checkout(at, (str(repo),)) as export:
            assert Path(export.paths[0], "main.tf").is_file()
            os.kill(os.getpid(), sig)
            for _ in range(1000):  # the handler runs between bytecodes
                pass
        assert list(temp.iterdir()) == [], sig
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert git(repo, "status", "--porcelain") == ""

"""Point 8: what CI gets wrong is an error naming the fix (exit 2, one line), never "this is a bug"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.gitrepo import BUCKET, commit_all, git, needs_git, new_repo
from why403.cli.main import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    err = capsys.readouterr().err
    return code, err


def _one_line_error(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("why403: error: "), err
    assert "internal error" not in err and "bug" not in err
    for needle in needles:
        assert needle in lines[0], err


def test_baseline_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(BUCKET)
    monkeypatch.chdir(tmp_path)
    code, err = _run(["check", ".", "--baseline", "origin/main", "--no-cache", "--no-config"], capsys)
    assert code == 2
    _one_line_error(err, "not inside a git repository")


@needs_git
def test_baseline_missing_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "main.tf").write_text(BUCKET)
    commit_all(repo, "one")
    monkeypatch.chdir(repo)
    code, err = _run(["check", ".", "--baseline", "origin/main", "--no-cache", "--no-config"], capsys)
    assert code == 2
    _one_line_error(err, "origin/main", "fetch-depth: 0")


@needs_git
def test_baseline_in_a_shallow_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    origin = new_repo(tmp_path / "origin")
    (origin / "main.tf").write_text(BUCKET)
    commit_all(origin, "one")
    (origin / "main.tf").write_text(BUCKET + "# two\n")
    commit_all(origin, "two")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "shallow")
    monkeypatch.chdir(tmp_path / "shallow")
    code, err = _run(["check", ".", "--baseline", "HEAD~1", "--no-cache", "--no-config"], capsys)
    assert code == 2
    _one_line_error(err, "shallow", "fetch-depth: 0")


@needs_git
def test_baseline_ref_that_looks_like_an_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "main.tf").write_text(BUCKET)
    commit_all(repo, "one")
    monkeypatch.chdir(repo)
    code, err = _run(["check", ".", "--baseline=--output=/tmp/x", "--no-cache", "--no-config"], capsys)
    assert code == 2
    _one_line_error(err, "not a git revision name")


def test_a_thousand_deep_tree_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    deepest = "/".join(["d"] * 1000)
    for depth in range(1, 1001):  # os.makedirs itself recurses
        os.mkdir("/".join(["d"] * depth))
    Path(deepest, "main.tf").write_text(BUCKET)
    try:
        for cache in ("--no-cache", f"--cache-dir={tmp_path.parent / (tmp_path.name + '-cache')}"):
            code = main(["check", ".", cache, "--no-config", "--format", "json"])
            captured = capsys.readouterr()
            assert code == 0, captured.err
            assert '"files": 1' in captured.out
    finally:  # pytest removes old temporary trees with a recursive rmtree: leave it a shallow one
        Path(deepest, "main.tf").unlink()
        for depth in range(1000, 0, -1):
            os.rmdir("/".join(["d"] * depth))

"""Under audit: a check and a ``--baseline`` check run no program but isolated git, open no
socket, and open no file outside the repository to read the tree.

An audit hook (sys.addaudithook: it sees C code too) records every ``subprocess.Popen``,
``os.system``/``exec``/``spawn``/``fork``, every socket event and every ``open`` while the command
runs. Files opened that are not the tree's -- Python's own modules, why403's code, the cache, the
temporary copy of the base revision, /dev/null -- are told apart by where they are.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest

import why403
from tests.hostile.gitrepo import BUCKET, commit_all, embedded_bare_repository, needs_git, new_repo
from why403.cli.main import main
from why403.sources import gitref

_events: list[tuple[str, tuple[Any, ...]]] = []
_recording: list[bool] = []
_WATCHED = ("open", "subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
            "os.forkpty", "socket.", "ctypes.dlopen")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _recording and event.startswith(_WATCHED):
        _events.append((event, args))


sys.addaudithook(_hook)  # hooks cannot be removed; it records only while _recording is set


def _audited(argv: list[str]) -> tuple[int, list[tuple[str, tuple[Any, ...]]]]:
    _events.clear()
    _recording.append(True)
    try:
        code = main(argv)
    finally:
        _recording.clear()
    return code, list(_events)


def _outside(path: str, allowed: list[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return not any(real == a or a in real.parents for a in allowed)


@needs_git
def test_check_and_baseline_under_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(BUCKET)
    (repo / "outside-link.tf").symlink_to("/etc/hostname")
    commit_all(repo, "base")
    embedded_bare_repository(repo / "infra", tmp_path, tmp_path / "PWNED")
    commit_all(repo, "change")
    cache, temp = tmp_path / "cache", tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(gitref.tempfile, "tempdir", str(temp))
    monkeypatch.chdir(repo)
    python = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                          *sysconfig.get_paths().values()) if p}
    allowed = [repo.resolve(), cache.resolve(), temp.resolve(), Path(why403.__file__).resolve().parent.parent,
               *python, Path(os.devnull)]
    for argv in (["check", ".", "--no-config", "--jobs", "1", f"--cache-dir={cache}", "--format", "json"],
                 ["check", ".", "--no-config", "--jobs", "1", f"--cache-dir={cache}", "--format", "json",
                  "--baseline", "HEAD~1"]):
        code, events = _audited(argv)
        capsys.readouterr()
        assert code in (0, 1)
        programs = [args for event, args in events if event == "subprocess.Popen"]
        others = [(e, a) for e, a in events if e.startswith(("os.", "ctypes.", "socket."))]
        assert others == [], others
        for executable, args, *_ in programs:
            assert Path(os.fsdecode(executable)).name == "git", args
            flat = [os.fsdecode(a) for a in args]
            if "config" in flat and "safe.directory" in flat:
                continue  # reading the user's own safe.directory list: no repository involved
            assert f"--git-dir={repo.resolve() / '.git'}" in flat and f"--work-tree={repo.resolve()}" in flat
            for setting in ("safe.bareRepository=explicit", "core.fsmonitor=false", "protocol.allow=never",
                            f"core.hooksPath={os.devnull}"):
                assert setting in flat, flat
        assert ("--baseline" in argv) == bool(programs)
        opened = [os.fsdecode(a[0]) for e, a in events if e == "open" and isinstance(a[0], str | bytes)]
        strays = sorted({p for p in opened if _outside(p, allowed)})
        assert strays == [], strays
    assert not (tmp_path / "PWNED").exists()


@needs_git
def test_the_baseline_revision_is_resolved_once_and_read_as_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--baseline REF`` names one commit for the whole run: the configuration, the configured
    baseline file and the sources are all read at the commit REF named when the run began, and git
    resolves REF once (a ref that moves mid-run, a fetch in another job, changes nothing)."""
    from tests.hostile.gitrepo import git
    from why403 import pipeline

    repo = new_repo(tmp_path / "repo")
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(BUCKET)
    (repo / ".why403.yaml").write_text("baseline-file: accepted.json\n")
    (repo / "accepted.json").write_text('{"format": "why403-baseline/1", "findings": []}\n')
    base = commit_all(repo, "base")
    git(repo, "branch", "base", base)
    public = BUCKET + ('resource "aws_s3_bucket_policy" "p" {\n  bucket = aws_s3_bucket.b.id\n'
                      '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
                      'Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*"}]})\n}\n')
    (repo / "infra" / "main.tf").write_text(public)
    change = commit_all(repo, "change: the bucket becomes public")
    monkeypatch.chdir(repo)
    real_run_check = pipeline.run_check

    def ref_moves_mid_run(request: pipeline.CheckRequest) -> pipeline.CheckOutcome:
        git(repo, "branch", "-f", "base", change)  # read at the moved ref, nothing would be new
        return real_run_check(request)

    monkeypatch.setattr(pipeline, "run_check", ref_moves_mid_run)
    code, events = _audited(["check", "infra", "--no-cache", "-q", "--format", "json", "--baseline", "base"])
    out = capsys.readouterr().out
    assert code == 1 and '"W403-N401"' in out, out  # new at base; nothing is new at the moved ref
    programs = [[os.fsdecode(a) for a in args[1]] for event, args in events if event == "subprocess.Popen"]
    resolved = [p for p in programs if "rev-parse" in p and "--verify" in p]
    assert len(resolved) == 1 and resolved[0][-1] == "base^{commit}", resolved
    assert sum(1 for p in programs if "safe.directory" in p) == 2, "the repository is located once"
    assert sum(1 for p in programs if base in p) >= 3  # configuration, baseline file, sources: all at base

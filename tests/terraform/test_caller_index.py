"""The caller search's index: a file in a remembered state is not read again, and what the search
answers is what reading every file answers, whatever changed in between."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from why403.sources import confine
from why403.sources.terraform import callers as callers_module
from why403.sources.terraform.callers import RACY_NS, CallerIndex, mentioned_callers

CALL = 'module "m" {{\n  source = "{source}"\n}}\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    top = tmp_path / "repo"
    _write(top / "envs" / "prod" / "main.tf", CALL.format(source="../../modules/data"))
    _write(top / "envs" / "dev" / "main.tf", CALL.format(source="../../modules/data"))
    _write(top / "modules" / "data" / "main.tf", CALL.format(source="../key"))
    _write(top / "modules" / "key" / "main.tf", 'resource "aws_kms_key" "k" {}\n')
    return top


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the search reads."""
    seen: list[str] = []
    real = confine.read_walked

    def counting(path: str, limit: int = confine.MAX_FILE_BYTES) -> bytes:
        seen.append(os.path.basename(os.path.dirname(path)))
        return real(path, limit)

    monkeypatch.setattr(confine, "read_walked", counting)
    return seen


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Searches from now on happen ``seconds`` later: the files written so far are no longer racy."""
    now = time.time_ns() + int(seconds * 1e9)
    monkeypatch.setattr(callers_module.time, "time_ns", lambda: now)


def _answer(top: Path, index: Path | None) -> dict[Path, list[Path]]:
    return {k: sorted(v) for k, v in mentioned_callers(top, index).items()}


def test_unchanged_files_are_not_read_again(repo: Path, tmp_path: Path, reads: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    expected = _answer(repo, None)
    assert expected == {repo / "modules" / "data": [repo / "envs" / "dev", repo / "envs" / "prod"],
                        repo / "modules" / "key": [repo / "modules" / "data"]}
    _later(monkeypatch, 10)
    reads.clear()
    assert _answer(repo, cache) == expected and len(reads) == 4  # the first search reads every file
    reads.clear()
    assert _answer(repo, cache) == expected and reads == []


def test_a_changed_added_or_removed_file_changes_the_answer(repo: Path, tmp_path: Path, reads: list[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    _later(monkeypatch, 10)
    _answer(repo, cache)
    _write(repo / "envs" / "dev" / "main.tf", CALL.format(source="../../modules/other"))
    _write(repo / "envs" / "qa" / "main.tf", CALL.format(source="../../modules/key"))
    (repo / "envs" / "prod" / "main.tf").unlink()
    _later(monkeypatch, 20)
    reads.clear()
    answer = _answer(repo, cache)
    assert answer == _answer(repo, None)
    assert answer[repo / "modules" / "key"] == [repo / "envs" / "qa", repo / "modules" / "data"]
    assert answer[repo / "modules" / "other"] == [repo / "envs" / "dev"]
    assert repo / "modules" / "data" not in answer
    assert sorted(reads[:2]) == ["dev", "qa"]


def test_a_file_changed_in_the_same_tick_as_the_search_is_read_again(repo: Path, tmp_path: Path,
                                                                     reads: list[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Same size, and a modification time the clock's resolution cannot tell from the search's:
    only reading it tells, so a file that recent is never taken from the index (git's racy-clean
    rule)."""
    cache = tmp_path / "cache"
    _answer(repo, cache)  # the files were written just now: all racy
    index = CallerIndex(cache, repo)
    index.load()
    assert index.files and all(max(e[1], e[2]) > index.started - RACY_NS for e in index.files.values())
    same_size = CALL.format(source="../../modules/dat2")
    path = repo / "envs" / "dev" / "main.tf"
    stamp = path.stat()
    path.write_text(same_size)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    reads.clear()
    answer = _answer(repo, cache)
    assert "dev" in reads and answer[repo / "modules" / "dat2"] == [repo / "envs" / "dev"]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"why403 caller index\t1\t00\n{}",
                                    b"why403 caller index\t99\tx\n{}"])
def test_a_damaged_or_foreign_index_is_rebuilt(repo: Path, tmp_path: Path, damage: bytes,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    _later(monkeypatch, 10)
    expected = _answer(repo, cache)
    index = CallerIndex(cache, repo)
    index.path.write_bytes(damage)
    assert _answer(repo, cache) == expected
    index.load()
    assert len(index.files) == 4, "rewritten"


def test_another_repository_s_index_is_not_used(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    _later(monkeypatch, 10)
    _answer(repo, cache)
    other = tmp_path / "other"
    _write(other / "main.tf", CALL.format(source="./x"))
    assert _answer(other, cache) == {other / "x": [other]}
    assert CallerIndex(cache, repo).path != CallerIndex(cache, other).path


def test_an_entry_is_trusted_only_in_the_same_state_and_older_than_a_tick(tmp_path: Path) -> None:
    index = CallerIndex(tmp_path, tmp_path)
    index.started = 100 * RACY_NS
    old = 90 * RACY_NS
    index.files = {"main.tf": [12, old, old, 7, ["../m"]]}

    def state(size: int = 12, mtime: int = old, ctime: int = old, inode: int = 7) -> os.stat_result:
        times = {"st_mtime_ns": mtime, "st_ctime_ns": ctime}
        return os.stat_result((0o100644, inode, 0, 1, 0, 0, size, 0, 0, 0), times)

    assert index.known("main.tf", state()) == ["../m"]
    assert index.known("other.tf", state()) is None
    assert index.known("main.tf", state(size=13)) is None
    assert index.known("main.tf", state(mtime=old + 1)) is None
    assert index.known("main.tf", state(ctime=old + 1)) is None
    assert index.known("main.tf", state(inode=8)) is None
    index.started = old + RACY_NS // 2  # the file's times are within a tick of the search that read it
    assert index.known("main.tf", state()) is None


def test_a_few_changed_files_are_read_again_rather_than_the_index_rewritten(repo: Path, tmp_path: Path,
                                                                            reads: list[str],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit changes a few files: rewriting the whole index for them on every commit would cost
    more than reading them again; many changed files (a pull, a checkout) rewrite it."""
    cache = tmp_path / "cache"
    _later(monkeypatch, 10)
    _answer(repo, cache)
    index = CallerIndex(cache, repo)
    written = index.path.stat().st_mtime_ns
    _write(repo / "envs" / "dev" / "main.tf", CALL.format(source="../../modules/key"))
    _later(monkeypatch, 20)
    for _ in range(2):
        reads.clear()
        answer = _answer(repo, cache)
        assert reads == ["dev"]
        assert answer[repo / "modules" / "key"] == [repo / "envs" / "dev", repo / "modules" / "data"]
    assert index.path.stat().st_mtime_ns == written, "not rewritten for one file"
    for i in range(callers_module.SAVE_AFTER_READS + 1):
        _write(repo / "many" / f"m{i}" / "main.tf", CALL.format(source="../../modules/key"))
    _later(monkeypatch, 30)
    _answer(repo, cache)
    reads.clear()
    _later(monkeypatch, 40)
    _answer(repo, cache)
    assert reads == [], "rewritten after many reads, the changed file included"


def test_the_search_keeps_to_the_run_s_bounds(repo: Path, tmp_path: Path) -> None:
    """A hostile tree of many large files: the search's reads count against the run's bound per
    file and per run, as every other read of the tree does (docs/security.md)."""
    _write(repo / "big" / "main.tf", CALL.format(source="../modules/key") + "#" * 4096 + "\n")
    with confine.confined([repo], max_file_bytes=1024) as bounds:
        answer = _answer(repo, None)
    assert repo / "big" not in answer.get(repo / "modules" / "key", []), "a file over the bound is not read"
    assert 0 < bounds.bytes_read < 1024 * 4
    with confine.confined([repo], max_run_bytes=60) as bounds:
        answer = _answer(repo, None)
    assert sum(len(v) for v in answer.values()) < 3, "reads stop at the run's bound"

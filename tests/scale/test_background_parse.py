"""The hook's background parse: a forked child fills the cache with the changed files' parses,
and whatever happens to the child, this process gets the same results."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from why403.sources import parsekind, parsing
from why403.sources.parsecache import ParseCache
from why403.sources.parsing import ParseSession, warm_in_background

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")

TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "acme-${var.env}"\n}\n'


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    out = []
    for name in ("main.tf", "other.tf"):
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TF + f"# {name}\n")
        out.append(path)
    return out


@pytest.fixture(autouse=True)
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "default_jobs", lambda: 2)


def test_the_child_leaves_every_parse_in_the_cache(tmp_path: Path, files: list[Path]) -> None:
    session = ParseSession(ParseCache(tmp_path / "cache"), 1)
    warm_in_background(session, files)()
    results = [session.terraform(p) for p in files]
    assert session.stats.from_cache == 2 and session.stats.parsed == 0, "nothing parsed here"
    fresh = ParseSession(None, 1)
    assert results == [fresh.terraform(p) for p in files]


def test_a_failing_child_leaves_misses_and_this_process_parses(tmp_path: Path, files: list[Path],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    session = ParseSession(ParseCache(tmp_path / "cache"), 1)
    real = parsekind.parse

    def broken(kind: str, data: bytes) -> object:
        raise KeyboardInterrupt  # even an interrupt in the child ends only the child

    monkeypatch.setattr(parsekind, "parse", broken)
    warm_in_background(session, files)()
    monkeypatch.setattr(parsekind, "parse", real)
    results = [session.terraform(p) for p in files]
    assert session.stats.parsed == 2 and session.stats.from_cache == 0
    assert results == [ParseSession(None, 1).terraform(p) for p in files]


@pytest.mark.parametrize("why", ["no cache", "one CPU", "nothing to parse"])
def test_no_child_when_it_cannot_help(tmp_path: Path, files: list[Path], monkeypatch: pytest.MonkeyPatch,
                                      why: str) -> None:
    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    cache = None if why == "no cache" else ParseCache(tmp_path / "cache")
    if why == "one CPU":
        monkeypatch.setattr(parsing, "default_jobs", lambda: 1)
    warm_in_background(ParseSession(cache, 1), [] if why == "nothing to parse" else files)()

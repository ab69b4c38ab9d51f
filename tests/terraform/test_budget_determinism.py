"""Where evaluation of a big root stops is decided by its step budget, never by the clock: a loaded
machine (a clock that jumps) reads exactly what an idle one reads; only the wall-time backstop,
far beyond, depends on the clock, and its note says so."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from why403.model.facts import BucketFact, SourceResult
from why403.sources.terraform import context
from why403.sources.terraform.evaluate import BACKSTOP_SECONDS

from .helpers import errors, facts, load, write

BUCKETS = 40


def big_root(directory: Path) -> Path:
    """A root of buckets whose names each take a few thousand evaluation steps."""
    blocks = [f'''
        resource "aws_s3_bucket" "b{i:02d}" {{
          bucket = "b{i:02d}-${{length([for x in range(1500) : x if x % 7 != 3])}}"
        }}
        ''' for i in range(BUCKETS)]
    return write(directory, {"main.tf": "".join(blocks)})


def jumping_clock(jump: float) -> Callable[[], float]:
    """A clock whose first reading is now and every later one ``jump`` seconds on."""
    start = time.monotonic()
    readings = iter([start])
    return lambda: next(readings, start + jump)


def limits(result: SourceResult) -> list[str]:
    return [d.message for d in errors(result) if d.code == "limit"]


@pytest.fixture
def small_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """A total step budget that stops the big root part way (the real one is far larger)."""
    monkeypatch.setattr(context, "STEPS_TOTAL", 60_000)


@pytest.mark.usefixtures("small_total")
def test_the_step_budget_stops_a_big_root_at_the_same_place_however_slow_the_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = big_root(tmp_path)
    idle = load(root)
    read = [f.name for f in facts(idle, BucketFact)]
    assert 0 < len(read) < BUCKETS
    (stopped,) = limits(idle)
    assert "needs more work than why403 allows" in stopped
    monkeypatch.setattr(time, "monotonic", jumping_clock(BACKSTOP_SECONDS - 1))
    loaded = load(root)
    assert loaded.facts == idle.facts
    assert loaded.diagnostics == idle.diagnostics


def test_a_root_within_the_budget_is_read_in_full_however_slow_the_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = big_root(tmp_path)
    monkeypatch.setattr(time, "monotonic", jumping_clock(BACKSTOP_SECONDS - 1))
    result = load(root)
    assert len(facts(result, BucketFact)) == BUCKETS
    assert not limits(result)


def test_the_wall_time_backstop_says_it_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = big_root(tmp_path)
    monkeypatch.setattr(time, "monotonic", jumping_clock(BACKSTOP_SECONDS + 1))
    result = load(root)
    (stopped,) = limits(result)
    assert f"more than {BACKSTOP_SECONDS:.0f} s" in stopped and "depends on the machine's speed" in stopped
    assert "needs more work" not in stopped
    assert len(facts(result, BucketFact)) < BUCKETS

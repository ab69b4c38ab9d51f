"""bench/engine.py keeps working: its world builds (50 policies of 20 statements, all valid enough
to parse) and a slice of its random requests runs through the engine without an exception or an
``unknown`` (the benchmark's world is fully known)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engine.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("why403_bench_engine", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_world_and_requests() -> None:
    bench = _load()
    world = bench.World(403)
    assert len(world.policies) == 50
    assert {len(p.statements) for p in world.policies} == {20}
    outcomes = bench.run(world.requests(300, 403), world.env)
    assert sum(outcomes.values()) == 300
    assert "unknown" not in outcomes
    assert outcomes["allowed"] > 0 and len(outcomes) > 3

"""Plan JSON (placeholder, replaced below)."""

from __future__ import annotations

from pathlib import Path

from why403.model.facts import SourceOptions, SourceResult


def is_plan_json(path: Path | str) -> bool:
    return False


def load_plan(path: Path, options: SourceOptions) -> SourceResult:
    return SourceResult()

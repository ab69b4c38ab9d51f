"""Fixtures for the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_pipeline import FakePipeline

from why403 import pipeline


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePipeline]:
    """Working directory ``tmp_path/repo`` holding main.tf; the pipeline replaced by a fake."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    monkeypatch.chdir(repo)
    monkeypatch.delenv("NO_COLOR", raising=False)
    stand_in = FakePipeline(repo)
    monkeypatch.setattr(pipeline, "run_check", stand_in, raising=False)
    yield stand_in

"""Fixtures for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import make_report

from why403.report.base import Report


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return make_report(tmp_path)

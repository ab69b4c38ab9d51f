"""Run the real pipeline on small sources written into a temporary directory."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from why403.model.finding import Finding
from why403.model.settings import Organization, Settings
from why403.pipeline import CheckRequest, run_check

Lint = Callable[..., list[Finding]]


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    def run(files: dict[str, str], *, account_id: str | None = None, organization: Organization | None = None,
            **settings: object) -> list[Finding]:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip())
        from why403.model.facts import SourceOptions

        request = CheckRequest(
            paths=(str(tmp_path),),
            source_options=SourceOptions(account_id=account_id),
            settings=Settings(account_id=account_id, organization=organization, **settings),  # type: ignore[arg-type]
        )
        outcome = run_check(request)
        assert not outcome.result.errors, outcome.result.errors
        return list(outcome.result.findings)

    return run


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]

"""``why403 rules`` and the generated docs/rules.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from why403.cli.main import main
from why403.cli.rules_cmd import markdown
from why403.rules import all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_docs_rules_md_is_generated_from_the_docstrings() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown(), (
        "docs/rules.md is stale: regenerate it with "
        "`.venv/bin/why403 rules --format markdown > docs/rules.md`"
    )


def test_every_rule_is_documented() -> None:
    text = markdown()
    for rule in all_rules():
        assert f"## {rule.id}\n" in text
        assert rule.doc, f"{rule.id} has no docstring"
        assert len(rule.doc.splitlines()) > 3, (
            f"{rule.id}: the docstring should say what, why, an example, the fix"
        )


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule in all_rules():
        line = next(row for row in out.splitlines() if row.startswith(rule.id))
        assert rule.kind in line and rule.severity in line and rule.summary in line


def test_one_rule_prints_its_full_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "w403-e001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("W403-E001  source  error\n")
    assert "**How to fix.**" in out


def test_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "W403-E"]) == 2
    assert "no rule 'W403-E'; rules starting so: W403-E001, W403-E002" in capsys.readouterr().err

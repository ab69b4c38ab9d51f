"""``why403 rules`` and the generated docs/rules.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from why403.cli.main import main
from why403.cli.rules_cmd import markdown, rule_page
from why403.rules import all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
PAGES = DOCS.parent / "rules"


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


def test_one_page_per_rule_generated_from_its_docstring() -> None:
    """docs/rules/<ID>.md is what SARIF's helpUri names: one page per rule, none for rules that are gone."""
    pages = {p.name for p in PAGES.glob("*.md")}
    assert pages == {f"{rule.id}.md" for rule in all_rules()}, (
        "docs/rules/ is stale: regenerate it with `.venv/bin/why403 rules --pages docs/rules`")
    for rule in all_rules():
        assert (PAGES / f"{rule.id}.md").read_text(encoding="utf-8") == rule_page(rule), (
            f"docs/rules/{rule.id}.md is stale: regenerate it with `.venv/bin/why403 rules --pages docs/rules`")


def test_pages_are_written_and_stale_pages_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "W403-Z999.md").write_text("a rule that no longer exists")
    (tmp_path / "index.md").write_text("not a rule page: kept")
    assert main(["rules", "--pages", str(tmp_path)]) == 0
    assert (tmp_path / "index.md").exists() and not (tmp_path / "W403-Z999.md").exists()
    page = (tmp_path / "W403-D103.md").read_text()
    assert page.startswith("# W403-D103: ") and "**How to fix.**" in page


@pytest.mark.parametrize("name", ["D103", "d103", "W403-D103", "w403-d103", " D103 "])
def test_a_rule_by_its_short_id(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", name]) == 0
    assert capsys.readouterr().out.startswith("W403-D103  denied  error\n")


def test_a_near_miss_suggests_the_closest_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "D1033"]) == 2
    assert "did you mean W403-D103" in capsys.readouterr().err
    assert main(["rules", "D10"]) == 2
    assert "rules starting so: W403-D101, W403-D102" in capsys.readouterr().err

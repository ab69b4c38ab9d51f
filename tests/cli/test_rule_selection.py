"""Rule selection means one thing wherever it is applied: the rules the pipeline runs, the
findings the command reports and the suppressions it calls unused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_pipeline import frontend_ready

from why403.cli.main import main
from why403.rules import rule_selected

KMS_403 = Path(__file__).resolve().parents[2] / "examples" / "kms-403"


@pytest.mark.parametrize("select", [("ALL",), ("*",), ("all",), ("w403-d",), ("W403-D103",), ()])
def test_select_all_star_and_prefixes_select(select: tuple[str, ...]) -> None:
    assert rule_selected("W403-D103", select, ())


def test_ignore_wins_over_select() -> None:
    assert not rule_selected("W403-D103", ("ALL",), ("W403-D",))
    assert not rule_selected("W403-D103", (), ("*",))
    assert not rule_selected("W403-D103", ("W403-B",), ())
    assert rule_selected("W403-D103", ("W403-B", "W403-D1"), ("W403-D104",))


@pytest.mark.skipif(not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend")
@pytest.mark.parametrize("select", ["ALL", "*", "W403-D"])
def test_select_all_reports_what_no_select_reports(
    select: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ["check", str(KMS_403), "--no-config", "--cache-dir", str(tmp_path), "-f", "json"]
    assert main(base) == 1
    everything = [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert "W403-D103" in everything
    assert main([*base, "--select", select]) == 1
    selected = [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert selected == [r for r in everything if r.startswith("W403-D")] if select == "W403-D" else everything

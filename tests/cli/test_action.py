"""The composite GitHub Action: its inputs, and its check step run by bash as the runner would.

The install and upload steps need GitHub; the check step is plain bash around why403, so it is
run here with the runner's variables (RUNNER_TEMP, GITHUB_OUTPUT) pointing into a temp folder
and the why403 installed beside these tests standing in for the one the action installs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_pipeline import frontend_ready

from tests.actionstep import ACTION
from tests.actionstep import run_check_step as _run_check_step

CHECKOUT = Path(__file__).resolve().parents[2]
needs_pipeline = pytest.mark.skipif(
    not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend"
)


def test_action_declares_its_inputs_and_steps() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "baseline", "fail-level"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["fail-level"]["default"] == "warning"
    uses = [step.get("uses", "") for step in ACTION["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)


def test_check_step_stops_on_a_usage_error(tmp_path: Path) -> None:
    code, outputs, log = _run_check_step(tmp_path, tmp_path, paths="no-such-folder")
    assert code == 2
    assert outputs == {"exit-code": "2"}
    assert "no such file or directory: no-such-folder" in log


@needs_pipeline
def test_check_step_writes_sarif_and_annotations_and_reports_the_status(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    (work / "infra" / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    code, outputs, log = _run_check_step(tmp_path, work, paths="infra")
    assert code == 0  # the step itself succeeds so that the SARIF upload runs; a later step fails the job
    assert outputs == {"exit-code": "1"}
    sarif = json.loads((work / "why403.sarif").read_text())
    assert sarif["runs"][0]["results"]
    assert all("helpUri" not in rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"])  # not published
    assert "::error file=infra/main.tf," in log
    code, outputs, _ = _run_check_step(tmp_path, work, paths="infra", **{"fail-level": "never"})
    assert (code, outputs) == (0, {"exit-code": "0"})


@needs_pipeline
def test_check_step_links_alerts_to_the_rule_pages(tmp_path: Path) -> None:
    """The docs-url input (by default the action's own repository at the version in use) becomes
    each SARIF rule's helpUri."""
    assert "github.action_repository" in ACTION["inputs"]["docs-url"]["default"]
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    (work / "infra" / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    _run_check_step(tmp_path, work, paths="infra", **{"docs-url": "https://example.test/o/why403/blob/v1/docs/rules"})
    rules = json.loads((work / "why403.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["helpUri"] for rule in rules} >= {"https://example.test/o/why403/blob/v1/docs/rules/W403-D103.md"}

"""The composite GitHub Action: its inputs, and its check step run by bash as the runner would.

The install and upload steps need GitHub; the check step is plain bash around why403, so it is
run here with the runner's variables (RUNNER_TEMP, GITHUB_OUTPUT) pointing into a temp folder
and the why403 installed beside these tests standing in for the one the action installs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_pipeline import frontend_ready

CHECKOUT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((CHECKOUT / "action.yml").read_text())
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


def _check_step() -> dict[str, object]:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == "check")


def _run_check_step(tmp_path: Path, workdir: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    runner_temp = tmp_path / "runner"
    installed = runner_temp / "why403" / "bin" / "why403"
    if not installed.exists():
        installed.parent.mkdir(parents=True)
        installed.symlink_to(Path(sys.executable).with_name("why403"))
    output = tmp_path / "github_output"
    output.write_text("")
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    step = _check_step()
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    for name, expression in dict(step["env"]).items():  # type: ignore[call-overload]
        key = str(expression).removeprefix("${{ inputs.").removesuffix(" }}")
        env[name] = values[key]
    proc = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs, proc.stdout + proc.stderr


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
    assert "::error file=infra/main.tf," in log
    code, outputs, _ = _run_check_step(tmp_path, work, paths="infra", **{"fail-level": "never"})
    assert (code, outputs) == (0, {"exit-code": "0"})

"""The GitHub action's check step, run by bash as the runner would (tests/cli and tests/hostile).

The install and upload steps need GitHub; the check step is plain bash around why403, so it is
run with the runner's variables (RUNNER_TEMP, GITHUB_OUTPUT) pointing into a temp folder and the
why403 installed beside the tests standing in for the one the action installs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

CHECKOUT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((CHECKOUT / "action.yml").read_text())


def check_step() -> dict[str, object]:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == "check")


def run_check_step(tmp_path: Path, workdir: Path, baseline: str = "", **inputs: str) -> tuple[int, dict[str, str], str]:
    """The check step with these inputs; ``baseline`` stands for the ref the baseline step found."""
    return run_step("check", tmp_path, workdir, inputs, {"steps.baseline.outputs.ref": baseline})


def run_step(step_id: str, tmp_path: Path, workdir: Path, inputs: dict[str, str],
             context: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """Run the step ``step_id`` by bash. ``${{ inputs.NAME }}`` in its env is the input (or its
    default); any other ``${{ EXPRESSION }}`` is ``context[EXPRESSION]``, empty when not given (as
    ``github.event.pull_request...`` is outside a pull request)."""
    runner_temp = tmp_path / "runner"
    installed = runner_temp / "why403" / "bin" / "why403"
    if not installed.exists():
        installed.parent.mkdir(parents=True)
        installed.symlink_to(Path(sys.executable).with_name("why403"))
    output = tmp_path / "github_output"
    output.write_text("")
    # An expression default (${{ github... }}) is empty outside the event it is about.
    values = {name: "" if str(spec.get("default", "")).startswith("${{") else str(spec.get("default", ""))
              for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    for name, expression in dict(step["env"]).items():
        inner = str(expression).removeprefix("${{").removesuffix("}}").strip()
        given = (context or {}).get(inner, "")
        env[name] = values[inner.removeprefix("inputs.")] if inner.startswith("inputs.") else given
    proc = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs, proc.stdout + proc.stderr

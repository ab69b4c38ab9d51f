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


def run_check_step(tmp_path: Path, workdir: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
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
    step = check_step()
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    for name, expression in dict(step["env"]).items():  # type: ignore[call-overload]
        key = str(expression).removeprefix("${{ inputs.").removesuffix(" }}")
        env[name] = values[key]
    proc = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs, proc.stdout + proc.stderr

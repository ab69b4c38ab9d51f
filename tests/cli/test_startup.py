"""The pre-commit hook starts why403 on every commit: a Terraform-only check must not import the
CloudFormation decoder, YAML, JSON Schema, XML or the report formats it does not write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_pipeline import frontend_ready

CHECKOUT = Path(__file__).resolve().parents[2]
HEAVY = ("cfnlint", "yaml", "jsonschema", "xml", "tomllib", "why403.report.sarif", "why403.report.junit",
         "why403.report.json_report", "why403.report.github", "why403.report.gitlab", "why403.sources.cloudformation",
         "importlib.metadata", "email", "multiprocessing")

PROBE = """
import json, sys
from why403.cli.main import main
sys.argv = ["why403", "check", "main.tf"]
code = main()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.skipif(not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend")
def test_terraform_check_imports_nothing_it_does_not_need(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert data["code"] == 1, proc.stderr
    loaded = [m for m in data["modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []


@pytest.mark.parametrize(("args", "code", "out", "err"), [
    (["check", "main.tf", "--format", "json"], 1, '"findings"', ""),
    (["--version"], 0, "why403 ", ""),
    (["check", "--no-such-option"], 2, "", "unrecognized arguments"),
    (["check", "missing.tf"], 2, "", "no such file or directory"),
])
def test_the_command_leaves_fast_with_every_byte_written_and_main_s_status(tmp_path: Path, args: list[str], code: int,
                                                                         out: str, err: str) -> None:
    """``why403`` skips the interpreter's clean-up (os._exit): the status is still main's, and the
    report, block-buffered into a pipe, still arrives whole."""
    (tmp_path / "main.tf").write_text((CHECKOUT / "examples" / "kms-403" / "main.tf").read_text())
    proc = subprocess.run([sys.executable, "-m", "why403", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == code, proc.stderr
    assert out in proc.stdout and err in proc.stderr
    if args[-1] == "json":
        assert json.loads(proc.stdout)["findings"]

"""The real ``terraform`` as the reference the frontend is held to.

The machine image carries terraform 1.11 and the AWS provider 5.100 in a filesystem mirror. A
configuration plans offline with fake credentials and ``-refresh=false`` as long as no data
source calls AWS; ``terraform apply`` of outputs alone needs no provider at all. Everything here
runs in temporary directories; tests skip with a reason when the binary or the mirror is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

MIRROR_CANDIDATES = (os.environ.get("WHY403_TF_MIRROR", ""), "/opt/tf-plugins")

FAKE_PROVIDER = """
provider "aws" {{
  {alias}region                      = "{region}"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
"""


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def mirror() -> Path | None:
    for candidate in MIRROR_CANDIDATES:
        if candidate and (Path(candidate) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return Path(candidate)
    return None


def unavailable_reason() -> str | None:
    if terraform_binary() is None:
        return "the terraform binary is not installed (differential tests need it as the oracle)"
    return None


def provider_unavailable_reason() -> str | None:
    reason = unavailable_reason()
    if reason:
        return reason
    if mirror() is None:
        return "the AWS provider mirror (/opt/tf-plugins or WHY403_TF_MIRROR) is not available"
    return None


class Terraform:
    """Runs terraform in one working directory with an offline CLI configuration."""

    def __init__(self, workdir: Path, cache_dir: Path) -> None:
        self.workdir = workdir
        cache_dir.mkdir(parents=True, exist_ok=True)
        (cache_dir / "plugins").mkdir(exist_ok=True)
        rc = cache_dir / "terraformrc"
        mirror_path = mirror()
        install = (f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror_path}"\n  }}\n}}\n'
                   if mirror_path else "")
        rc.write_text(f'plugin_cache_dir = "{cache_dir / "plugins"}"\n'
                      "plugin_cache_may_break_dependency_lock_file = true\n" + install, encoding="utf-8")
        self.env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                    "TF_INPUT": "0"}
        self.env.pop("TF_LOG", None)

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        binary = terraform_binary()
        assert binary is not None
        proc = subprocess.run([binary, *args], cwd=self.workdir, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"terraform {' '.join(args)} failed:\n{proc.stderr[-4000:]}")
        return proc

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color", "-backend=false")

    def outputs(self) -> dict[str, Any]:
        """Apply a configuration of outputs (no provider) and return each output's JSON value."""
        self.run("apply", "-auto-approve", "-input=false", "-no-color", "-lock=false")
        data = json.loads(self.run("output", "-json", "-no-color").stdout)
        return {name: entry["value"] for name, entry in data.items()}

    def plan_json(self, state: dict[str, Any] | None = None) -> dict[str, Any]:
        args = ["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"]
        state_file = self.workdir / "terraform.tfstate"
        if state is not None:
            state_file.write_text(json.dumps(state), encoding="utf-8")
        elif state_file.exists():
            state_file.unlink()
        self.run(*args)
        data: dict[str, Any] = json.loads(self.run("show", "-json", "-no-color", "plan.bin").stdout)
        return data


def fake_provider(alias: str = "", region: str = "us-east-1") -> str:
    return FAKE_PROVIDER.format(alias=f'alias = "{alias}"\n  ' if alias else "", region=region)

"""The pre-commit hook, run by the real pre-commit in a temporary git repository.

The hook is declared in .pre-commit-hooks.yaml with ``language: python``, which makes pre-commit
build a fresh virtualenv and pip-install this repository into it: that needs the package index.
So the main test runs the same hook definition (files, exclude, pass_filenames, entry) as a
local hook whose entry is the why403 installed beside these tests; ``WHY403_TEST_TRY_REPO=1``
also runs ``pre-commit try-repo`` against this checkout exactly as a user's repository would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_pipeline import frontend_ready

CHECKOUT = Path(__file__).resolve().parents[2]
WHY403 = Path(sys.executable).with_name("why403")
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
KMS_403 = (CHECKOUT / "examples" / "kms-403" / "main.tf").read_text()
# the same module, fixed: S3 asks KMS for GenerateDataKey on the uploader's behalf
KMS_OK = KMS_403.replace('Action   = "kms:Encrypt"', 'Action   = "kms:GenerateDataKey"')

pytestmark = [
    pytest.mark.skipif(not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend"),
    pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None, reason="needs pre-commit and git"),
]


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["why403"]
    return dict(hooks[0])


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run(
        [str(PRE_COMMIT), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def infra_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "infra"
    (repo / "exports").mkdir(parents=True)
    (repo / "exports" / "main.tf").write_text(KMS_OK)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    _git(repo, "init", "-q")
    return repo


def _local_config(repo: Path) -> None:
    hook = _hook()
    local = {
        key: hook[key] for key in ("id", "name", "files", "exclude", "pass_filenames", "require_serial") if key in hook
    }
    assert str(hook["entry"]).startswith("why403 ")
    local["entry"] = str(WHY403) + str(hook["entry"])[len("why403") :]
    local["language"] = _language_for_a_command()
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _language_for_a_command() -> str:
    """pre-commit 4.4 renamed ``system`` (run a command as it is) to ``unsupported``."""
    from pre_commit.all_languages import languages

    return "unsupported" if "unsupported" in languages else "system"


def test_hook_fails_on_a_kms_403_and_passes_on_a_clean_change(infra_repo: Path) -> None:
    _local_config(infra_repo)
    _git(infra_repo, "add", "-A")
    clean = _pre_commit(infra_repo, "run")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "why403" in clean.stdout and "Passed" in clean.stdout

    (infra_repo / "exports" / "main.tf").write_text(KMS_403)
    _git(infra_repo, "add", "-A")
    broken = _pre_commit(infra_repo, "run")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "exports/main.tf:" in broken.stdout and "kms:GenerateDataKey" in broken.stdout

    # a change to a file that is neither Terraform nor a template does not run the check at all
    (infra_repo / "exports" / "main.tf").write_text(KMS_OK)
    (infra_repo / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {}\n")
    _git(infra_repo, "add", "-A")
    only_yaml = _pre_commit(infra_repo, "run", "--files", ".github/workflows/ci.yml")
    assert only_yaml.returncode == 0, only_yaml.stdout + only_yaml.stderr


@pytest.mark.skipif(os.environ.get("WHY403_TEST_TRY_REPO") != "1", reason="installs from the package index")
def test_try_repo_installs_and_runs_the_published_hook(infra_repo: Path) -> None:
    (infra_repo / "exports" / "main.tf").write_text(KMS_403)
    _git(infra_repo, "add", "-A")
    result = _pre_commit(infra_repo, "try-repo", str(CHECKOUT), "why403", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kms:GenerateDataKey" in result.stdout

"""The pre-commit hook, run by the real pre-commit in a temporary git repository.

The hook is declared in .pre-commit-hooks.yaml with ``language: python``, which makes pre-commit
build a fresh virtualenv and pip-install this repository into it: that needs the package index.
So the first test runs the same hook definition (files, exclude, pass_filenames, entry) as a
local hook whose entry is the why403 installed beside these tests; the others run ``pre-commit
try-repo`` against this checkout, and the README's configuration against a clone of it, exactly as
a user's repository would (they are skipped when the package index cannot be reached).
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


# What pip says when the package index cannot be reached (the hook's environment cannot be built).
_OFFLINE = ("Failed to establish a new connection", "Temporary failure in name resolution",
            "Network is unreachable", "No matching distribution found", "Could not find a version")


def _skip_when_offline(repo: Path, result: subprocess.CompletedProcess[str]) -> None:
    """Skip when pre-commit could not build the hook's environment for want of the package index
    (its log, in the PRE_COMMIT_HOME of :func:`_pre_commit`, has pip's error); fail otherwise."""
    if result.returncode in (0, 1) and "An unexpected error has occurred" not in result.stdout:
        return
    log = repo.parent / "pre-commit-home" / "pre-commit.log"
    text = result.stdout + result.stderr + (log.read_text(errors="replace") if log.exists() else "")
    if any(marker in text for marker in _OFFLINE):
        pytest.skip("the package index is not reachable: pre-commit cannot build the hook's environment")


def test_try_repo_installs_and_runs_the_published_hook(infra_repo: Path) -> None:
    """``pre-commit try-repo`` builds the hook as a user's pre-commit does (pip installs this
    checkout and its dependencies from the package index into a fresh virtualenv)."""
    (infra_repo / "exports" / "main.tf").write_text(KMS_403)
    _git(infra_repo, "add", "-A")
    result = _pre_commit(infra_repo, "try-repo", str(CHECKOUT), "why403", "--all-files")
    _skip_when_offline(infra_repo, result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kms:GenerateDataKey" in result.stdout


def _readme_config() -> str:
    """The ``.pre-commit-config.yaml`` the README tells users to write."""
    readme = (CHECKOUT / "README.md").read_text()
    section = readme[readme.index("## pre-commit\n"):]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


@pytest.mark.skipif(not (CHECKOUT / ".git").exists(), reason="needs this repository's git history")
def test_the_readme_configuration_works_from_a_fresh_clone(infra_repo: Path) -> None:
    """The README's configuration and commands, with the repository hosted at a path: its ``rev``
    names something that exists, ``pre-commit autoupdate`` pins the commit, and the hook runs."""
    hosted = infra_repo.parent / "why403.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(hosted)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(CHECKOUT), "push", "-q", str(hosted), "HEAD:refs/heads/main"], check=True,
                   capture_output=True)
    head = subprocess.run(["git", "-C", str(hosted), "rev-parse", "main"], check=True, capture_output=True,
                          text=True).stdout.strip()
    config = _readme_config()
    url = "https://github.com/your-org/why403"
    assert url in config
    (infra_repo / ".pre-commit-config.yaml").write_text(config.replace(url, str(hosted)))
    readme = (CHECKOUT / "README.md").read_text()
    assert f"pre-commit autoupdate --repo {url}" in readme
    update = _pre_commit(infra_repo, "autoupdate", "--repo", str(hosted))
    assert update.returncode == 0, update.stdout + update.stderr
    pinned = yaml.safe_load((infra_repo / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert pinned == head
    (infra_repo / "exports" / "main.tf").write_text(KMS_403)
    _git(infra_repo, "add", "-A")
    result = _pre_commit(infra_repo, "run", "--all-files")
    _skip_when_offline(infra_repo, result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mutable reference" not in result.stdout + result.stderr
    assert "exports/main.tf:" in result.stdout and "kms:GenerateDataKey" in result.stdout

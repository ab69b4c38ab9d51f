"""What the pipeline counts and reads: each file once, and a child module only through its callers."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from why403.pipeline import CheckRequest, run_check

KMS_403 = Path(__file__).resolve().parents[2] / "examples" / "kms-403" / "main.tf"
CHILD = """
variable "name" {}
resource "aws_s3_bucket" "b" {
  bucket = var.name
}
"""


def _caller(name: str) -> str:
    return f'module "store" {{\n  source = "../modules/store"\n  name   = "{name}"\n}}\n'


def _tree(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for root in ("a", "b"):
        (repo / root).mkdir(parents=True)
        (repo / root / "main.tf").write_text(_caller(f"bucket-{root}"))
    (repo / "modules" / "store").mkdir(parents=True)
    (repo / "modules" / "store" / "main.tf").write_text(CHILD)
    return repo


def test_a_child_module_called_twice_counts_once(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    result = run_check(CheckRequest(paths=(str(repo),), use_cache=False)).result
    assert len(result.files) == 3
    assert result.stats.files == 3  # not 4: both roots read the child's main.tf


def test_an_editor_lock_file_does_not_make_a_child_module_a_root(tmp_path: Path) -> None:
    """Terraform (and the frontend) skip dotfiles such as emacs' ``.#main.tf`` lock: so does the
    test that a directory was already read through a root module."""
    repo = _tree(tmp_path)
    (repo / "modules" / "store" / ".#main.tf").symlink_to("someone@host.1234:1700000000")
    result = run_check(CheckRequest(paths=(str(repo),), use_cache=False)).result
    assert result.errors == ()
    assert len(result.files) == 3
    # Read as a root, the child would add a bucket with an unknown name to the two named ones.
    assert result.stats.resources == run_check(CheckRequest(paths=(str(_tree(tmp_path / "x")),),
                                                            use_cache=False)).result.stats.resources


def test_discovery_and_the_hook_take_the_frontends_view_of_a_module(tmp_path: Path) -> None:
    from why403.cli.precommit import targets
    from why403.sources.discover import discover

    module = tmp_path / "mod"
    module.mkdir()
    (module / ".#main.tf").write_text("")  # an editor's copy, which Terraform does not read
    assert discover((str(tmp_path),)).terraform_dirs == []
    (module / "main.tf").write_text(CHILD)
    assert discover((str(tmp_path),)).terraform_dirs == [module]
    assert targets([str(module / "main.tf")]) == (os.path.relpath(module / "main.tf"),)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_baseline_runs_only_the_selected_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The baseline world is only there to drop findings the change did not add: rules left out of
    the run have no findings to drop, so they are not run on it either."""
    from dataclasses import replace

    from why403 import rules
    from why403.model.settings import Settings

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(KMS_403.read_text())
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    ran: list[str] = []
    real = rules.all_rules()

    def spied(rule: rules.Rule) -> rules.Rule:
        def check(analysis: Any) -> Any:
            ran.append(rule.id)
            return rule.check(analysis)

        return replace(rule, check=check)

    monkeypatch.setattr(rules, "all_rules", lambda: tuple(spied(r) for r in real))
    request = CheckRequest(paths=(str(repo),), use_cache=False, select=("W403-D",),
                           settings=Settings(baseline="HEAD"))
    assert run_check(request).result.findings == ()  # nothing the change adds: there is no change
    assert ran and all(rule.startswith("W403-D") for rule in ran), sorted(set(ran))

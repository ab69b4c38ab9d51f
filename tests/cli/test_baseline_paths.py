"""``--baseline REF`` gives the same answer however the checked path is written.

A finding already present at REF is dropped by comparing fingerprints, which include the file;
the files of REF's copy and of the work tree must therefore be named alike whatever the path
form: ``.``, ``./``, none, ``infra``, ``infra/``, ``./infra/``, an absolute path, or a relative
path from a subdirectory. Each form is run on one temporary git repository holding a
CloudFormation template (tests/world/test_baseline.py's: a KMS 403 at REF, a wildcard "fix" in
the change) and a Terraform root
module whose child module, outside the checked folder, has a finding at REF already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.world.test_baseline import TEMPLATE, WILDCARD_FIX
from why403.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MODULE = """variable "name" { type = string }

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.this.arn}/*"
    }]
  })
}
"""
ROOT = """module "assets" {
  source = "../modules/bucket"
  name   = "assets-bkt-example"
}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose last commit is REF; the work tree then adds the wildcard fix and moves
    the child module's lines (a finding that moved is still the same finding)."""
    top = tmp_path_factory.mktemp("baseline-paths") / "repo"
    (top / "infra" / "live").mkdir(parents=True)
    (top / "infra" / "modules" / "bucket").mkdir(parents=True)
    (top / "infra" / "reports.yaml").write_text(TEMPLATE % "")
    (top / "infra" / "live" / "main.tf").write_text(ROOT)
    (top / "infra" / "modules" / "bucket" / "main.tf").write_text(MODULE)
    _git(top, "init", "-q")
    _git(top, "config", "user.email", "dev@example.com")
    _git(top, "config", "user.name", "dev")
    _git(top, "add", ".")
    _git(top, "commit", "-q", "-m", "base")
    (top / "infra" / "reports.yaml").write_text(TEMPLATE % WILDCARD_FIX)
    (top / "infra" / "modules" / "bucket" / "main.tf").write_text("\n\n# moved down\n" + MODULE)
    return top


def _findings(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path,
              *args: str) -> set[tuple[str, str]]:
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    status = main(["check", *args, "--baseline", "HEAD", "--no-cache", "--no-config",
                   "--account-id", "111111111111", "--format", "json", "--fail-level", "never"])
    out, err = capsys.readouterr()
    assert status == 0, err
    return {(f["rule"], f["fingerprint"]) for f in json.loads(out)["findings"]}


FROM_TOP = ([], ["."], ["./"], ["infra"], ["infra/"], ["./infra/"], ["ABSOLUTE/infra"], ["ABSOLUTE/infra/"])


@pytest.mark.parametrize("args", FROM_TOP, ids=lambda a: " ".join(a) or "(no path)")
def test_every_path_form_reports_what_the_change_adds_and_only_that(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    given = [a.replace("ABSOLUTE", str(repo)) for a in args]
    found = _findings(monkeypatch, capsys, repo, *given)
    expected = _findings(monkeypatch, capsys, repo, str(repo / "infra"))
    assert found == expected
    rules = {rule for rule, _ in found}
    # the wildcard statement is new: its broad allow and the access it adds are reported ...
    assert "W403-B302" in rules and any(r.startswith("W403-N") for r in rules), rules
    # ... the KMS 403 and the child module's public policy were there at REF: not repeated
    assert not rules & {"W403-D103", "W403-B307", "W403-B301"}, rules


@pytest.mark.parametrize("args", [[], ["."], ["./"], [".."], ["../infra/"]], ids=lambda a: " ".join(a) or "(no path)")
def test_from_a_subdirectory_too(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                 args: list[str]) -> None:
    expected_here = _findings(monkeypatch, capsys, repo, "infra")
    # ``..`` is the whole repository: every file is in infra/ there
    assert _findings(monkeypatch, capsys, repo / "infra", *args) == expected_here


def test_a_child_module_outside_the_checked_folder_is_compared_too(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["infra/live"], ["infra/live/"], ["./infra/live"]):
        assert _findings(monkeypatch, capsys, repo, *args) == set(), args
    # without the baseline the module's finding is there: the test above can fail
    monkeypatch.chdir(repo)
    capsys.readouterr()
    main(["check", "infra/live", "--no-cache", "--no-config", "--account-id", "111111111111",
          "--format", "json", "--fail-level", "never"])
    assert json.loads(capsys.readouterr().out)["findings"]


def test_the_same_lines_are_reported_from_anywhere(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Findings are named relative to where the command runs; their places are the same files."""
    places = []
    for cwd, arg in ((repo, "infra/"), (repo / "infra", ".")):
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        main(["check", arg, "--baseline", "HEAD", "--no-cache", "--no-config", "--account-id", "111111111111",
              "--format", "json", "--fail-level", "never"])
        report = json.loads(capsys.readouterr().out)
        places.append(sorted((os.path.normpath(cwd / f["location"]["file"]), f["location"]["line"])
                             for f in report["findings"]))
    assert places[0] == places[1] and places[0]

"""Where findings point and which configuration applies (issue 14, point 7): text and JSON name
files from the working directory, SARIF from the repository root; the configuration is found from
the checked paths up to the repository root, not from where the command runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from why403.cli.main import main

from .helpers import check_text, write_tree

ROOT_MODULE = """\
provider "aws" { region = "eu-west-1" }
resource "aws_s3_bucket" "data" { bucket = "acme-prod-data" }
resource "aws_iam_role" "etl" {
  name = "etl"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "glue.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{Sid = "EtlEverything", Effect = "Allow",
    Principal = {AWS = aws_iam_role.etl.arn}, Action = "s3:*",
    Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]}]})
}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout (``.git``) with a root module two folders down that has one warning (W403-B304)."""
    root = tmp_path / "checkout"
    write_tree(root, {"infra/prod/main.tf": ROOT_MODULE})
    (root / ".git").mkdir()
    return root


def _sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["check", *args, "--format", "sarif", "--no-config", "--no-cache"]) == 1
    run: dict[str, object] = json.loads(capsys.readouterr().out)["runs"][0]
    return run


def _first_location(run: dict[str, object]) -> tuple[str, str | None, str]:
    (result,) = [r for r in run["results"] if r["ruleId"] == "W403-B304"]  # type: ignore[attr-defined]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    return artifact["uri"], artifact.get("uriBaseId"), result["partialFingerprints"]["why403/v1"]


def test_sarif_is_relative_to_the_repository_root_wherever_the_check_runs(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo / "infra")
    inside = _sarif(capsys, "prod")
    assert inside["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    uri, base, fingerprint = _first_location(inside)
    assert (uri, base) == ("infra/prod/main.tf", "%SRCROOT%")
    # The same alert from the repository root, and from outside the repository.
    monkeypatch.chdir(repo)
    assert _first_location(_sarif(capsys, "infra/prod")) == (uri, base, fingerprint)
    monkeypatch.chdir(repo.parent)
    assert _first_location(_sarif(capsys, "checkout/infra/prod")) == (uri, base, fingerprint)
    # Text (and JSON) name the file from the working directory.
    monkeypatch.chdir(repo / "infra")
    _, out, _ = check_text(capsys, "prod")
    assert out.startswith("prod/main.tf:10:1: W403-B304 warning")


def test_config_is_found_from_the_target_not_the_working_directory(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".why403.yaml").write_text("fail-level: error\n")
    monkeypatch.chdir(repo.parent)  # outside the repository: the configuration is still the repository's
    assert main(["check", "checkout/infra/prod", "--no-cache"]) == 0
    capsys.readouterr()
    # A nearer one, beside the root module, wins.
    (repo / "infra" / "prod" / ".why403.yaml").write_text("fail-level: warning\n")
    assert main(["check", "checkout/infra/prod", "--no-cache"]) == 1


def test_no_configuration_above_the_repository_applies(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.parent / ".why403.yaml").write_text("fail-level: never\n")  # a folder holding checkouts
    monkeypatch.chdir(repo / "infra")
    assert main(["check", "prod", "--no-cache"]) == 1
    capsys.readouterr()

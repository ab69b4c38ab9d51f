"""``why403 config [PATH]``: the effective settings of a check of PATH and where each came from."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from why403.cli.config_cmd import key_line
from why403.cli.main import main

YAML = """# the team's gate
fail-level: error
ignore: [W403-D105]
account-id: "123456789012"
terraform:
  vars: {env: prod}
suppressions:
  forbid: [W403-B]
"""
PYPROJECT = """[project]
name = "infra"

[tool.ruff]
select = ["E"]
ignore = ["E501"]

[tool.why403]
fail-level = "note"
ignore = ["W403-D105"]

[tool.why403.terraform]
var-files = ["env/prod.tfvars"]

[tool.why403.suppressions]
inline = false
"""


def _settings(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, tuple[str, str]]:
    capsys.readouterr()
    code = main(["config", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {s["key"]: (s["value"], s["from"]) for s in json.loads(out)["settings"]}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    top = tmp_path / "repo"
    (top / "infra" / "app").mkdir(parents=True)
    (top / ".git").mkdir()
    (top / ".why403.yaml").write_text(YAML)
    monkeypatch.chdir(top)
    return top


def test_each_setting_says_where_it_comes_from(repo: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    got = _settings(capsys, "app")
    assert got["configuration"] == ("../.why403.yaml", "found from the target up")
    assert got["fail-level"] == ("error", "../.why403.yaml:2")
    assert got["ignore"] == ("W403-D105", "../.why403.yaml:3")
    assert got["account-id"] == ("123456789012", "../.why403.yaml:4")
    assert got["terraform.vars"] == ("env=prod", "../.why403.yaml:6")
    assert got["suppressions.forbid"] == ("W403-B", "../.why403.yaml:8")
    assert got["select"] == ("every rule", "default")
    assert got["terraform.var-files"] == ("none", "default")
    assert got["region"] == ("left open", "default")


def test_flags_override_as_they_do_for_check(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = _settings(capsys, "infra", "--fail-level", "warning", "--ignore", "W403-N", "--var", "env=dev",
                    "--region", "eu-west-1", "--no-cache")
    assert got["fail-level"] == ("warning", "--fail-level")
    assert got["ignore"] == ("W403-D105, W403-N", ".why403.yaml:3, --ignore")
    assert got["terraform.vars"] == ("env=dev", ".why403.yaml:6, --var")
    assert got["region"] == ("eu-west-1", "--region")
    assert got["cache-dir"] == ("off", "--no-cache")
    assert _settings(capsys, "--no-config")["fail-level"] == ("warning", "default")


def test_pyproject_lines_are_those_of_the_why403_tables(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".why403.yaml").unlink()
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "env").mkdir()
    (repo / "env" / "prod.tfvars").write_text('env = "prod"\n')
    got = _settings(capsys)
    assert got["fail-level"] == ("note", "pyproject.toml:9")
    assert got["ignore"] == ("W403-D105", "pyproject.toml:10"), "not [tool.ruff]'s ignore on line 6"
    assert got["select"] == ("every rule", "default"), "not [tool.ruff]'s select"
    assert got["terraform.var-files"] == ("env/prod.tfvars", "pyproject.toml:13")
    assert got["suppressions.inline"] == ("not honoured", "pyproject.toml:16")


def test_found_from_the_target_up_to_the_repository_root_not_from_cwd(
    tmp_path: Path, repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".why403.yaml").write_text("fail-level: never\n")
    monkeypatch.chdir(elsewhere)
    assert _settings(capsys, str(repo / "infra"))["fail-level"][0] == "error"
    # a file above the repository configures nothing in it
    (tmp_path / ".why403.yaml").write_text("fail-level: never\n")
    (repo / ".why403.yaml").unlink()
    got = _settings(capsys, str(repo / "infra"))
    assert got["configuration"][0] == "(none)" and got["fail-level"] == ("warning", "default")


def test_text_output_and_mistakes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["config", "infra"]) == 0
    out = capsys.readouterr().out
    assert any(line.split() == ["fail-level", "error", ".why403.yaml:2"] for line in out.splitlines()), out
    assert main(["config", "-f", "sarif"]) == 2
    assert "--format json" in capsys.readouterr().err
    (repo / ".why403.yaml").write_text("fail-levle: error\n")
    assert main(["config"]) == 2
    assert "fail-levle: unknown key" in capsys.readouterr().err


def test_key_lines_one_level_down() -> None:
    assert key_line("terraform:\n  var-files: [a]\n  vars: {x: 1}\nregion: x\n", "terraform.vars", False) == 3
    assert key_line("terraform: {vars: {x: 1}}\n", "terraform.vars", False) == 1
    assert key_line("terraform:\n  vars: {}\nregion: x\n", "terraform.var-files", False) is None
    assert key_line("[tool.why403]\nterraform = {vars = {x = '1'}}\n", "terraform.vars", True) == 2
    assert key_line("[tool.why403.terraform]\nvars = {}\n[tool.other]\nvar-files = []\n",
                    "terraform.var-files", True) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_at_a_revision_the_values_and_lines_are_those_of_the_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    top = tmp_path / "gitrepo"
    top.mkdir()
    monkeypatch.chdir(top)
    for args in (["init", "-q"], ["config", "user.email", "d@example.com"], ["config", "user.name", "d"]):
        subprocess.run(["git", *args], check=True, capture_output=True)
    (top / ".why403.yaml").write_text(YAML)
    subprocess.run(["git", "add", "."], check=True, capture_output=True)
    subprocess.run(["git", "commit", "-qm", "gate"], check=True, capture_output=True)
    (top / ".why403.yaml").write_text("fail-level: never\n")  # the change switches the gate off
    capsys.readouterr()
    assert main(["config", "--config-from", "HEAD", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    got = {s["key"]: (s["value"], s["from"]) for s in report["settings"]}
    assert got["fail-level"] == ("error", ".why403.yaml:2 at HEAD")
    assert any("weakens the gate: fail-level never (was error)" in note for note in report["notes"])
    head = subprocess.run(["git", "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    capsys.readouterr()
    assert main(["config", "--baseline", "HEAD", "--format", "json"]) == 0
    got = {s["key"]: (s["value"], s["from"]) for s in json.loads(capsys.readouterr().out)["settings"]}
    assert got["baseline"] == (f"HEAD (commit {head[:12]})", "--baseline"), "the commit the check compares with"
    assert got["fail-level"] == ("error", ".why403.yaml:2 at HEAD")


BUCKET_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "reports"\n}\n'


@pytest.mark.parametrize(("configuration", "flags", "error"), [
    ("select: [W403-Q999]\n", [], "select[0]: 'W403-Q999' is no rule id"),
    ("", ["--ignore", "Q999"], "--ignore 'Q999' is no rule id"),
    ("terraform:\n  var-files: [missing.tfvars]\n", [], "no such file:"),
    ("", ["--var-file", "missing.tfvars"], "no such file: missing.tfvars"),
    ("cache-dir: /tmp/why403-elsewhere\n", [], "cache-dir /tmp/why403-elsewhere is outside"),
    ("baseline-file: missing.json\n", [], "baseline file missing.json: no such file"),
    ("", ["--account-id", "12"], "--account-id: expected 12 digits"),
])
def test_config_refuses_what_check_refuses_with_the_same_error(
    repo: Path, capsys: pytest.CaptureFixture[str], configuration: str, flags: list[str], error: str
) -> None:
    (repo / "infra" / "main.tf").write_text(BUCKET_TF)
    (repo / ".why403.yaml").write_text(configuration)
    results = []
    for command in ("check", "config"):
        capsys.readouterr()
        code = main([command, "infra", "--no-cache", "-q", *flags])
        results.append((code, capsys.readouterr().err))
    (check_code, check_err), (config_code, config_err) = results
    assert check_code == config_code == 2
    assert error in check_err and config_err == check_err
    assert len(config_err.strip().splitlines()) == 1


def test_config_prints_the_request_check_runs_with(repo: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from why403 import pipeline

    (repo / "infra" / "main.tf").write_text(BUCKET_TF)
    (repo / "env").mkdir()
    (repo / "env" / "prod.tfvars").write_text('env = "prod"\n')
    (repo / ".why403.yaml").write_text("ignore: [W403-D105]\nselect: [W403-D, W403-S]\nexclude: ['**/legacy/**']\n"
                                       "jobs: 3\nregion: eu-west-1\n"
                                       "terraform:\n  vars: {env: prod}\n  var-files: [env/prod.tfvars]\n")
    seen: list[pipeline.CheckRequest] = []

    def recorded(request: pipeline.CheckRequest) -> pipeline.CheckOutcome:
        seen.append(request)
        return real(request)

    real = pipeline.run_check
    monkeypatch.setattr(pipeline, "run_check", recorded)
    flags = ["--ignore", "W403-S401", "--var", "team=data", "--account-id", "210987654321", "--no-cache", "-q"]
    capsys.readouterr()
    assert main(["check", "infra", *flags]) in (0, 1)
    request = seen[0]
    got = _settings(capsys, "infra", *flags)
    assert got["select"][0] == ", ".join(request.select) == "W403-D, W403-S"
    assert got["ignore"][0] == ", ".join(request.ignore) == "W403-D105, W403-S401"
    assert got["exclude"][0] == ", ".join(request.exclude)
    assert got["jobs"][0] == str(request.jobs) == "3"
    assert got["account-id"][0] == request.settings.account_id == "210987654321"
    assert got["region"][0] == request.settings.region == "eu-west-1"
    assert got["terraform.vars"][0] == ", ".join(f"{k}={v}" for k, v in request.source_options.tf_vars)
    assert got["terraform.var-files"][0] == "env/prod.tfvars"
    assert [Path(f).resolve() for f in request.source_options.tf_var_files] == [repo / "env" / "prod.tfvars"]
    assert got["cache-dir"] == ("off", "--no-cache") and not request.use_cache

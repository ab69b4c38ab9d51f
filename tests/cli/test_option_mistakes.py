"""Options that catch mistakes: a mistyped rule id, checkov's ``-o sarif``, a folder with nothing in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_action import WILDCARD_KEY

from why403.cli.main import main

KEY = WILDCARD_KEY % "Anyone"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "key.yaml").write_text(KEY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", *args, "--no-cache"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("flag", "typed", "meant"), [
    ("--select", "W403-B3O2", "W403-B302"),
    ("--ignore", "W403-D1O3", "W403-D103"),
    ("--ignore", "W403-Q", "W403-"),  # a family that does not exist: the nearest family is named
    ("--select", "B30X", "W403-B30"),
])
def test_an_unknown_rule_on_the_command_line_names_the_closest(repo: Path, capsys: pytest.CaptureFixture[str],
                                                               flag: str, typed: str, meant: str) -> None:
    code, out, err = _run(capsys, flag, typed)
    assert code == 2 and out == ""
    assert f"{flag} '{typed}' is no rule id or prefix of one (did you mean '{meant}" in err
    assert "why403 rules" in err


@pytest.mark.parametrize("pattern", ["W403-B302", "w403-b302", "B302", "W403-B", "D1", "ALL", "*"])
def test_ids_prefixes_and_all_are_accepted(repo: Path, capsys: pytest.CaptureFixture[str], pattern: str) -> None:
    code, _, err = _run(capsys, "--ignore", pattern, "--fail-level", "never")
    assert code == 0, err


@pytest.mark.parametrize(("name", "text", "key"), [
    (".why403.yaml", "ignore: [W403-B3O2]\n", "ignore[0]"),
    (".why403.yaml", "select: [W403-B302, W403-Z]\n", "select[1]"),
    (".why403.yaml", "suppressions: {forbid: [W403-BX]}\n", "suppressions.forbid[0]"),
    ("pyproject.toml", "[tool.why403]\nignore = ['W403-B3O2']\n", "tool.why403.ignore[0]"),
])
def test_an_unknown_rule_in_the_configuration_names_file_key_and_closest(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, key: str
) -> None:
    (repo / name).write_text(text)
    code, _, err = _run(capsys)
    assert code == 2
    assert f"{name}: {key}: '" in err and "did you mean 'W403-" in err


@pytest.mark.parametrize("fmt", ["sarif", "json", "SARIF", "junit"])
def test_checkovs_dash_o_format_says_what_to_type(repo: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = _run(capsys, "-o", fmt)
    assert code == 2 and out == ""
    assert f"--format {fmt}" in err and "--output why403." in err
    assert not (repo / fmt).exists()


def test_output_format_is_the_format_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--output-format", "sarif", "--fail-level", "never")
    assert code == 0 and json.loads(out)["version"] == "2.1.0"
    code, _, _ = _run(capsys, "-f", "sarif", "-o", "./sarif", "--fail-level", "never")
    assert code == 0 and json.loads((repo / "sarif").read_text())["version"] == "2.1.0"


def test_a_folder_without_terraform_or_cloudformation_says_so_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# nothing here\n")
    (tmp_path / "package.json").write_text('{"name": "web"}\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, ".")
    assert code == 0
    assert "no Terraform files or CloudFormation templates found in . (1 YAML/JSON file there, none a template); " \
           "nothing to check" in err
    code, _, err = _run(capsys, "docs", "--format", "json")
    assert code == 0 and "found in docs; nothing to check" in err
    code, _, err = _run(capsys, "missing")
    assert code == 2 and "no such file or directory: missing" in err
    assert "terragrunt" not in err


def test_a_terragrunt_repository_is_told_why_nothing_was_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Terragrunt live repository names its modules by a remote source: nothing to read here,
    and the user is told where the Terraform is."""
    for env in ("prod", "stage"):
        unit = tmp_path / env / "bucket" / "terragrunt.hcl"
        unit.parent.mkdir(parents=True)
        unit.write_text('terraform {\n  source = "git::https://example.com/modules.git//s3?ref=v1"\n}\n'
                        'inputs = {\n  name = "acme"\n}\n')
    (tmp_path / "root.hcl").write_text('remote_state {\n  backend = "s3"\n}\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, ".")
    assert code == 0 and "nothing to check" in err
    assert "2 terragrunt.hcl files found" in err and ".terragrunt-cache" in err
    assert "policy documents" not in err


def test_a_folder_of_policy_files_is_told_why_they_are_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = ('{\n  "Version": "2012-10-17",\n'
              '  "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]\n}\n')
    (tmp_path / "scps").mkdir()
    (tmp_path / "scps" / "deny-s3.json").write_text(policy)
    (tmp_path / "scps" / "deny-kms.json").write_text(policy.replace("s3:", "kms:"))
    (tmp_path / "package.json").write_text('{"name": "web"}\n')
    outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
    outside.write_text(policy)
    (tmp_path / "scps" / "linked.json").symlink_to(outside)  # not read: outside the checked folder
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, ".")
    assert code == 0 and "nothing to check" in err
    assert "2 JSON files found that look like IAM policy documents" in err and "terragrunt" not in err

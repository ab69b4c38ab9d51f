"""``why403 check`` end to end through main(), with the pipeline stood in for (conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_pipeline import FakePipeline

from why403.cli.main import main
from why403.model.facts import SuppressionFact
from why403.model.finding import InputError
from why403.model.location import Location


def test_exit_status_follows_the_fail_level(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    fake.add("W403-B201", "warning")
    assert main(["check"]) == 1
    assert main(["check", "--fail-level", "error"]) == 0
    assert main(["check", "--fail-level", "never"]) == 0
    fake.findings.clear()
    fake.add("W403-N301", "note")
    assert main(["check"]) == 0
    assert main(["check", "--fail-level", "note"]) == 1
    out = capsys.readouterr().out
    assert "main.tf:5:1: W403-N301 note  W403-N301 at main.tf:5" in out


def test_default_path_is_the_working_directory(fake: FakePipeline) -> None:
    main(["check"])
    assert fake.request.paths == (".",)
    main(["check", "main.tf"])
    assert fake.request.paths == ("main.tf",)


def test_missing_path_is_a_usage_error(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "nowhere"]) == 2
    assert capsys.readouterr().err == "why403: error: no such file or directory: nowhere\n"
    assert fake.requests == []


def test_bad_flag_is_a_usage_error_without_traceback(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--fail-level", "sometimes"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'sometimes'" in err and "Traceback" not in err
    assert main(["check", "--var", "novalue"]) == 2
    assert "--var 'novalue': expected NAME=VALUE" in capsys.readouterr().err
    assert main(["check", "--account-id", "12345"]) == 2
    assert "--account-id: expected 12 digits" in capsys.readouterr().err


def test_json_on_stdout_is_only_json(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    fake.add("W403-D101")
    assert main(["check", "--format", "json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["findings"][0]["location"] == {"file": "main.tf", "line": 5, "end_line": None}


def test_several_format_output_pairs(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    fake.add("W403-D101")
    code = main(
        [
            "check",
            "--format",
            "text",
            "--format",
            "sarif",
            "--output",
            "r.sarif",
            "-f",
            "json",
            "-o",
            "r.json",
        ]
    )
    assert code == 1
    assert "W403-D101 error" in capsys.readouterr().out
    assert json.loads((fake.root / "r.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((fake.root / "r.json").read_text())["schema"] == "why403/v1"
    # an --output before its --format goes with it; alone, it takes the text report
    assert main(["check", "-o", "first.json", "-f", "json"]) == 1
    assert json.loads((fake.root / "first.json").read_text())["schema"] == "why403/v1"
    assert main(["check", "--output", "report.txt"]) == 1
    assert (fake.root / "report.txt").read_text().startswith("main.tf:5:1: W403-D101 error")
    assert capsys.readouterr().out == ""


def test_docs_url_links_sarif_rules_to_their_pages(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    fake.add("W403-D101")
    main(["check", "-f", "sarif", "--docs-url", "https://example.test/why403/blob/v1/docs/rules/"])
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    d101 = next(rule for rule in rules if rule["id"] == "W403-D101")
    assert d101["helpUri"] == "https://example.test/why403/blob/v1/docs/rules/W403-D101.md"


def test_two_reports_on_stdout_is_a_usage_error(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--format", "json", "--format", "sarif"]) == 2
    assert "only one report can go to standard output, got json, sarif" in capsys.readouterr().err
    assert main(["check", "-f", "json", "-o", "a", "-o", "b"]) == 2
    assert "--output b has no --format to go with it" in capsys.readouterr().err


def test_unwritable_output_is_a_usage_error(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-f", "json", "-o", "missing-dir/out.json"]) == 2
    assert "--output missing-dir/out.json: cannot write" in capsys.readouterr().err


def test_colour_only_when_asked_or_on_a_terminal(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.add("W403-D101")
    main(["check"])
    assert "\x1b[" not in capsys.readouterr().out  # captured stdout is not a terminal
    main(["check", "--color", "always"])
    assert "\x1b[31;1m" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    main(["check"])
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    main(["check"])
    assert "\x1b[" not in capsys.readouterr().out


def test_text_wraps_to_the_terminal_and_to_100_columns_elsewhere(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from why403.model.finding import Finding
    from why403.model.location import Location

    fake.findings.append(Finding("W403-D101", "denied", "error", "role cannot s3:GetObject " + "because " * 30,
                                 Location(str(fake.root / "main.tf"), 7)))
    main(["check"])
    body = [line for line in capsys.readouterr().out.splitlines()[:-1] if line]
    assert max(len(line) for line in body) <= 100 < sum(len(line) for line in body)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(100, 24): os.terminal_size((72, 24)))
    main(["check", "--color", "never"])
    body = [line for line in capsys.readouterr().out.splitlines()[:-1] if line]
    assert max(len(line) for line in body) <= 72


def test_select_and_ignore_filter_findings_and_reach_the_pipeline(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.add("W403-D101")
    fake.add("W403-B201", "warning", line=9)
    assert main(["check", "--ignore", "W403-D", "-f", "json"]) == 1
    assert [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["W403-B201"]
    assert fake.request.ignore == ("W403-D",)
    assert main(["check", "--select", "w403-d101,W403-L", "-f", "json"]) == 1
    assert [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["W403-D101"]
    assert fake.request.select == ("w403-d101", "W403-L")


def test_flags_reach_the_request(fake: FakePipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    from why403.sources import gitrepo

    commit = "c0ffee" * 6 + "0000"
    resolved: list[str] = []

    def revision(ref: str, start: Path) -> gitrepo.Revision:  # there is no git here: the CLI resolves REF once
        resolved.append(ref)
        return gitrepo.Revision(gitrepo.Repository(start, start / ".git", "git"), commit, ref)

    monkeypatch.setattr(gitrepo, "revision", revision)
    (fake.root / "prod.tfvars").write_text('env = "prod"\n')
    (fake.root / "params.json").write_text("[]")
    main(
        [
            "check",
            "--account-id",
            "123456789012",
            "--region",
            "eu-west-1",
            "--var",
            "env=dev",
            "--var-file",
            "prod.tfvars",
            "--parameter",
            "Stage=prod",
            "--parameter-file",
            "params.json",
            "--exclude",
            "vendor/**",
            "--jobs",
            "3",
            "--cache-dir",
            "cache",
            "--no-cache",
            "--baseline",
            "origin/main",
            "--no-config",  # with --baseline the configuration is read from origin/main; there is no git here
        ]
    )
    request = fake.request
    assert request.source_options.account_id == "123456789012" == request.settings.account_id
    assert request.source_options.region == "eu-west-1" == request.settings.region
    assert request.source_options.tf_vars == (("env", "dev"),)
    assert request.source_options.tf_var_files == ("prod.tfvars",)
    assert request.source_options.cfn_parameters == (("Stage", "prod"),)
    assert request.source_options.cfn_parameter_files == ("params.json",)
    assert request.exclude == ("vendor/**",)
    assert (request.jobs, request.cache_dir, request.use_cache) == (3, "cache", False)
    assert request.settings.baseline == "origin/main"
    assert request.baseline is not None and request.baseline.commit == commit and resolved == ["origin/main"]
    assert request.progress is False  # stderr is not a terminal under pytest


def test_config_is_found_walking_up_and_flags_override_it(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.root.parent / "pyproject.toml").write_text(
        """
[tool.why403]
fail-level = "error"
ignore = ["W403-N"]
account-id = "111122223333"
[tool.why403.terraform]
vars = {env = "config", region = "eu-west-1"}
"""
    )
    fake.add("W403-B201", "warning")
    assert main(["check"]) == 0  # the config's fail level
    assert main(["check", "--fail-level", "warning"]) == 1
    assert main(["check", "--var", "env=flag", "--account-id", "444455556666", "--ignore", "W403-L"]) == 0
    request = fake.request
    assert dict(request.source_options.tf_vars) == {"env": "flag", "region": "eu-west-1"}
    assert request.settings.account_id == "444455556666"
    assert request.ignore == ("W403-N", "W403-L")
    assert main(["check", "--no-config"]) == 1


def test_bad_config_is_exit_2_naming_file_and_key(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.root / ".why403.yaml").write_text("fail-levle: error\n")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("why403: error: ")
    assert ".why403.yaml: fail-levle: unknown key (did you mean 'fail-level'?)" in err
    assert "Traceback" not in err
    assert fake.requests == []
    assert main(["check", "--config", "nope.toml"]) == 2
    assert "--config nope.toml: no such file" in capsys.readouterr().err


def test_parse_errors_fail_the_run_and_nothing_readable_is_exit_2(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.root / "ok.tf").write_text("")
    fake.files = ["main.tf", "ok.tf"]
    fake.errors.append(InputError("main.tf", 2, "unexpected token"))
    assert main(["check"]) == 1
    assert "main.tf:2:1: W403-E001 error  unexpected token" in capsys.readouterr().out
    assert main(["check", "--ignore", "W403-E001"]) == 0
    assert "W403-E001" not in capsys.readouterr().out
    fake.files = ["main.tf"]
    assert main(["check", "-f", "json"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["errors"] == [
        {"file": "main.tf", "line": 2, "message": "unexpected token"}
    ]
    assert "none of the inputs could be read" in captured.err
    fake.files, fake.errors = [], []
    assert main(["check"]) == 0, "a folder with nothing to check is not an error"
    assert "no Terraform files or CloudFormation templates found in .; nothing to check" in capsys.readouterr().err


def _suppress(
    rule: str = "W403-D101", reason: str = "accepted by security", until: str | None = None
) -> SuppressionFact:
    return SuppressionFact(
        ref="aws_s3_bucket_policy.b",
        location=Location("main.tf", 4, 8),
        rules=(rule,),
        reason=reason,
        until=until,
    )


def test_suppressions_are_applied_and_counted(fake: FakePipeline, capsys: pytest.CaptureFixture[str]) -> None:
    fake.add("W403-D101")
    fake.suppressions.append(_suppress())
    assert main(["check"]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("0 errors, 0 warnings, 0 notes in 1 file (1 suppressed), 0.01 s")
    )
    main(["check", "-f", "sarif"])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert result["suppressions"][0]["justification"] == "accepted by security"
    fake.suppressions[0] = _suppress(until="2001-01-01")
    assert main(["check"]) == 1
    assert "W403-E002 note  suppression of W403-D101 expired on 2001-01-01" in capsys.readouterr().out


def test_config_can_forbid_inline_suppressions(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.root / ".why403.yaml").write_text("suppressions:\n  forbid: [W403-D]\n")
    fake.add("W403-D101")
    fake.suppressions.append(_suppress())
    assert main(["check"]) == 1
    assert "forbids suppressing it inline" in " ".join(capsys.readouterr().out.split())  # wrapped at 100


def test_unknown_rule_in_a_suppression_is_a_note(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.suppressions.append(_suppress(rule="W403-Q999"))
    assert main(["check"]) == 0
    assert "suppression names W403-Q999, which is not a why403 rule" in capsys.readouterr().out


def test_pre_commit_mode_lints_module_dirs_and_templates_only(
    fake: FakePipeline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake.root / "modules" / "kms").mkdir(parents=True)
    (fake.root / "modules" / "kms" / "key.tf").write_text("")
    (fake.root / "stack.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    (fake.root / "ci.yml").write_text("on: push\njobs: {}\n")
    assert main(["check", "--pre-commit", "main.tf", "modules/kms/key.tf", "stack.yaml", "ci.yml"]) == 0
    (fake.root / "env").mkdir()
    (fake.root / "env" / "prod.tfvars").write_text("")  # a folder with no module: nothing to lint
    (fake.root / "modules" / "kms" / "prod.tfvars").write_text("")
    assert main(["check", "--pre-commit", "modules/kms/prod.tfvars", "env/prod.tfvars"]) == 0
    assert fake.request.paths == ("modules/kms/key.tf",)
    assert main(["check", "--pre-commit", "main.tf", "modules/kms/key.tf", "stack.yaml", "ci.yml"]) == 0
    assert fake.request.paths == ("main.tf", "modules/kms/key.tf", "stack.yaml")
    capsys.readouterr()
    fake.requests.clear()
    assert main(["check", "--pre-commit", "ci.yml"]) == 0  # nothing to lint: no run at all
    assert fake.requests == []
    assert capsys.readouterr().out == ""


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "why403 0.1.0\n"
    assert main([]) == 2
    assert "check" in capsys.readouterr().err
    for command in ("check", "rules", "explain"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "usage: why403 " + command in capsys.readouterr().out


def test_a_crash_is_one_line_and_exit_2(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(request: object) -> None:
        raise AttributeError("no attribute 'load_module'")

    monkeypatch.setattr("why403.pipeline.run_check", boom)
    monkeypatch.delenv("WHY403_DEBUG", raising=False)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("why403: internal error: AttributeError: no attribute 'load_module'\n")
    assert "Traceback" not in err
    monkeypatch.setenv("WHY403_DEBUG", "1")
    with pytest.raises(AttributeError):
        main(["check"])


def test_pre_commit_refuses_a_configured_cache_outside_before_writing_to_it(
    fake: FakePipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hook's search for callers writes to the cache: a configuration of the tree under check
    naming a cache-dir outside it is refused first, as ``check`` refuses it, with nothing created there."""
    (fake.root / ".why403.yaml").write_text("cache-dir: ../outside-cache\n")
    assert main(["check", "--pre-commit", "main.tf"]) == 2
    assert "cache-dir" in capsys.readouterr().err
    assert not (fake.root.parent / "outside-cache").exists()
    assert fake.requests == []

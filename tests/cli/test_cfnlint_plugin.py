"""The cfn-lint plugin, run by cfn-lint itself: why403's findings with cfn-lint ids and lines."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from why403 import pipeline
from why403.cli import cfnlint_plugin
from why403.cli.cfnlint_plugin import cfnlint_id
from why403.model.finding import Finding, RunResult
from why403.model.location import Location
from why403.rules import all_rules

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
PLUGIN = "why403.cli.cfnlint_plugin"
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::S3::Bucket
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: Everyone
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Data.Arn}/*"
"""


def _cfn_ready() -> bool:
    try:
        module = importlib.import_module("why403.sources.cloudformation")
    except ImportError:
        return False
    return hasattr(pipeline, "run_check") and hasattr(module, "load_templates")


def test_ids_follow_severity_and_rule_number() -> None:
    assert cfnlint_id("W403-D101", "error") == "E9101"
    assert cfnlint_id("W403-B301", "warning") == "W9301"
    assert cfnlint_id("W403-E002", "note") == "I9002"
    # families that share hundreds digits still get distinct ids
    assert cfnlint_id("W403-S401", "error") == "E9501" != cfnlint_id("W403-N401", "error") == "E9401"


def test_cfn_lint_loads_one_rule_per_why403_rule_and_severity() -> None:
    listed = subprocess.run(
        [str(CFN_LINT), "--append-rules", PLUGIN, "--list-rules"], capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    for rule in all_rules():
        if rule.id == "W403-E001":
            assert "why403 W403-E001" not in listed.stdout  # cfn-lint reports parse errors itself
            continue
        assert f"{cfnlint_id(rule.id, rule.severity)}: why403 {rule.id}: " in listed.stdout
    ids = [line.split(":", 1)[0] for line in listed.stdout.splitlines() if ": why403 W403-" in line]
    assert len(ids) == len(set(ids))  # no two why403 rules share a cfn-lint id


def test_findings_appear_in_cfn_lint_output_at_why403_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """cfn-lint's own command line, in process, with the pipeline stood in for."""
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    broad = next(r for r in all_rules() if r.kind == "broad-allow")
    found = [
        Finding(broad.id, "broad-allow", "error", 'Principal "*" may s3:GetObject', Location(str(template), 12, 16)),
        Finding(broad.id, "broad-allow", "note", "another file", Location(str(tmp_path / "other.yaml"), 3)),
    ]
    monkeypatch.setattr(
        pipeline, "run_check", lambda request: pipeline.CheckOutcome(RunResult(tuple(found))), raising=False
    )
    monkeypatch.chdir(tmp_path)
    cfnlint_plugin._cache.clear()
    from cfnlint.runner import main as cfn_lint_main

    argv = ["cfn-lint", "--format", "parseable", "--append-rules", PLUGIN, "--", "template.yaml"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        cfn_lint_main()
    out = capsys.readouterr().out
    rule_id = cfnlint_id(broad.id, "error")
    expected = f'template.yaml:12:1:16:1:{rule_id}:Principal "*" may s3:GetObject (why403 {broad.id})'
    assert expected in out.splitlines(), out
    assert "another file" not in out
    assert exit_info.value.code != 0  # cfn-lint fails on an E rule

    # cfn-lint's own per-resource ignore works on why403's ids
    metadata = f"    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [{rule_id}]\n"
    ignored = TEMPLATE.replace("  DataPolicy:\n", "  DataPolicy:\n" + metadata)
    template.write_text(ignored)
    found[0] = Finding(broad.id, "broad-allow", "error", "moved", Location(str(template), 17, 21))
    cfnlint_plugin._cache.clear()
    with pytest.raises(SystemExit):
        cfn_lint_main()
    assert "moved" not in capsys.readouterr().out


EXAMPLE_09 = Path(__file__).resolve().parents[3] / "shared" / "examples" / "09-wildcard-principal-quick-fix"


@pytest.mark.skipif(not _cfn_ready(), reason="needs the pipeline and the CloudFormation frontend")
@pytest.mark.skipif(not EXAMPLE_09.is_dir(), reason="needs ../shared/examples")
def test_real_run_on_a_template(tmp_path: Path) -> None:
    """Both of example 09's over-broad allows, at the lines why403 itself reports."""
    (tmp_path / "template.yaml").write_text((EXAMPLE_09 / "template.json").read_text())
    why = subprocess.run(
        [str(Path(sys.executable).with_name("why403")), "check", "template.yaml", "-f", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = [f for f in json.loads(why.stdout)["findings"] if f["kind"] == "broad-allow"]
    assert len(findings) >= 2, why.stdout + why.stderr
    lint = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--append-rules", PLUGIN, "--", "template.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for f in findings:
        rule_id = cfnlint_id(f["rule"], f["severity"])
        line = f["location"]["line"]
        rows = lint.stdout.splitlines()
        assert any(row.startswith(f"template.yaml:{line}:") and f":{rule_id}:" in row for row in rows), lint.stdout
    assert lint.returncode != 0

"""Every report format on the same synthetic run: what a user, a CI system and a tool read."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from report_samples import make_report, sample_findings

from why403.model.location import Location
from why403.report import FORMATS, render
from why403.report.base import Report, fails
from why403.rules import all_rules

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


# -- text -------------------------------------------------------------------------------------


def test_text_lines_are_file_line_col_rule_severity_message(report: Report) -> None:
    out = render("text", report)
    assert "infra/s3.tf:12:5: W403-D101 error  aws_iam_role.exporter may s3:PutObject" in out
    assert "infra/kms.tf:40:1: W403-B201 warning  the endpoint policy" in out
    assert "broken.tf:3:1: W403-E001 error  unexpected token '}'" in out
    # grouped by file: a blank line separates files, never findings of the same file
    blocks = [b for b in out.split("\n\n") if b.strip()]
    files = [
        {line.split(":", 1)[0] for line in b.splitlines() if re.match(r"^\S+:\d+:\d+: ", line)}
        for b in blocks
    ]
    assert [f for f in files if f] == [{"broken.tf"}, {"infra/kms.tf"}, {"infra/s3.tf"}]


def test_text_hides_suppressed_and_counts_them_in_the_summary(report: Report) -> None:
    out = render("text", report)
    assert "W403-B202" not in out
    summary = out.strip().splitlines()[-1]
    assert summary == ("2 errors, 1 warning, 1 note (2 denied, 1 broad-allow, 1 about the sources) in 4 files "
                       "(1 suppressed; 1 file could not be read), 0.25 s; -v shows the draft fixes")


def test_text_shows_the_decision_chain_beneath_the_message(report: Report) -> None:
    """Each statement that decided, with its layer and file:line, indented under the message; the
    step without a statement shows when it is the deciding layer's answer."""
    out = render("text", replace(report, width=120))
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("infra/s3.tf:12:5: W403-D101 error"))
    chain = [line for line in lines[head + 1:head + 6] if line.startswith("      ")]
    assert chain == [
        "      allow             identity-policy  WriteExports of aws_iam_role_policy.exporter (infra/s3.tf:30)",
        "      delegates to IAM  kms-key-policy   EnableIAMPolicies of aws_kms_key.exports (infra/kms.tf:3)",
        "      no allow          identity-policy  nothing allows kms:GenerateDataKey",
    ]


def test_text_wraps_to_the_width_with_continuation_lines_indented(report: Report) -> None:
    long = replace(report.findings[0], message="aws_iam_role.exporter cannot s3:PutObject " + "word " * 40)
    out = render("text", replace(report, findings=(long,), errors=(), width=80))
    lines = [line for line in out.splitlines() if line and not line.startswith("      ")]
    assert all(len(line) <= 80 for line in lines[:-1])  # the summary is one line, whatever its length
    assert lines[0].startswith("infra/s3.tf:12:5: W403-D101 error  aws_iam_role.exporter cannot")
    assert lines[1].startswith("    word") and len(lines) > 3
    assert "\x1b[" not in out
    # a path longer than the width still has the rule and severity on its first line
    deep = replace(long, location=replace(long.location, file=str(Path(report.cwd, *["deep"] * 30, "s3.tf"))))
    first = render("text", replace(report, findings=(deep,), errors=(), width=80)).splitlines()[0]
    assert re.match(r"^(deep/){30}s3\.tf:12:5: W403-D101 error  aws_iam_role\.exporter", first)
    # a terminal narrower than 60 columns still gets readable lines
    assert render("text", replace(report, width=20)) == render("text", replace(report, width=60))


def test_text_verbose_shows_access_trace_related_and_one_copy_of_each_draft(report: Report) -> None:
    twin = replace(report.findings[0], location=replace(report.findings[0].location, line=80),
                   identity=("twin",))
    out = render("text", replace(report, verbose=1, findings=(*report.findings, twin)))
    assert "      access: arn:aws:iam::123456789012:role/exporter (aws_iam_role.exporter) s3:PutObject, " in out
    assert "s3:PutObjectAcl -> kms:GenerateDataKey on arn:aws:s3:::exports/*" in out
    assert 'Action = "kms:GenerateDataKey"' in out
    assert out.count('Action = "kms:GenerateDataKey"') == 1  # the same draft is printed once
    assert "      draft fix: the same as for infra/s3.tf:12 above" in out
    assert "[suppressed: public website assets]" in " ".join(out.split())  # -v also lists what was suppressed
    assert "draft fix:" not in render("text", report)
    # a finding without a chain shows its trace lines
    bare = replace(report.findings[0], chain=(), related=(Location("x.tf", 3),))
    out = render("text", replace(report, verbose=1, findings=(bare,)))
    assert "      | kms-key-policy: delegates to IAM (statement EnableIAMPolicies)" in out
    assert "      see also: x.tf:3" in out


def test_text_never_shows_a_token_or_a_private_use_character(report: Report) -> None:
    from why403.model import symbols

    token = symbols.HOME_ACCOUNT
    tokened = replace(report.findings[0], message=f"role in {token} cannot s3:GetObject",
                      suggestion=f"arn:aws:iam::{token}:root", trace=(f"bucket-policy: allow ({token})",))
    out = render("text", replace(report, verbose=1, findings=(tokened,)))
    assert "this unit's account" in out
    assert not re.search("[\ue000-\uf8ff]", out)


def test_text_colour_only_when_asked(report: Report) -> None:
    assert "\x1b[" not in render("text", report)
    coloured = render("text", replace(report, color=True))
    assert "\x1b[31;1merror\x1b[0m" in coloured


def test_text_clean_run_is_one_summary_line(tmp_path: Path) -> None:
    report = make_report(tmp_path, findings=(), errors=())
    assert render("text", report) == "0 errors, 0 warnings, 0 notes in 4 files, 0.25 s\n"


# -- json: the contract -----------------------------------------------------------------------


def test_json_follows_the_contract(report: Report) -> None:
    data = json.loads(render("json", report))
    assert list(data) == ["schema", "tool", "findings", "errors", "stats"]
    assert data["schema"] == "why403/v1"
    assert data["tool"] == {"name": "why403", "version": "0.1.0"}
    first = data["findings"][0]
    assert list(first) == [
        "rule",
        "kind",
        "severity",
        "message",
        "location",
        "layer",
        "denial",
        "access",
        "trace",
        "suggestion",
        "unit",
        "related",
        "fingerprint",
    ]
    by_rule = {f["rule"]: f for f in data["findings"]}
    denied = by_rule["W403-D101"]
    assert denied["location"] == {"file": "infra/s3.tf", "line": 12, "end_line": 24}
    assert denied["access"] == {
        "principal": "arn:aws:iam::123456789012:role/exporter",
        "principal_ref": "aws_iam_role.exporter",
        "action": "s3:PutObject",
        "resource": "arn:aws:s3:::exports/*",
        "via": None,
        "kms_action": "kms:GenerateDataKey",
        "actions": ["s3:PutObject", "s3:PutObjectAcl"],
    }
    # every statement of the decision chain with file:line, then the other places that took part
    assert denied["related"] == [
        {"file": "infra/s3.tf", "line": 30, "end_line": 38, "layer": "identity-policy", "outcome": "allow",
         "statement": "WriteExports of aws_iam_role_policy.exporter"},
        {"file": "infra/kms.tf", "line": 3, "end_line": 15, "layer": "kms-key-policy", "outcome": "delegates to IAM",
         "statement": "EnableIAMPolicies of aws_kms_key.exports"},
    ]
    assert by_rule["W403-B201"]["related"] == []
    # one action alone is still a list
    assert all(f["access"] is None or f["access"]["actions"] == [f["access"]["action"]] or f is denied
               for f in data["findings"])
    assert denied["layer"] == "identity-policy" and denied["denial"] == "implicit"
    assert denied["trace"][0].startswith("identity-policy: allow")
    assert by_rule["W403-B201"]["access"] is None and by_rule["W403-B201"]["denial"] is None
    assert by_rule["W403-B201"]["suggestion"] is None
    # parse errors are in errors, never findings; suppressed findings are only counted
    assert "W403-E001" not in by_rule and "W403-B202" not in by_rule
    assert data["errors"] == [{"file": "broken.tf", "line": 3, "message": "unexpected token '}'"}]
    assert data["stats"] == {
        "files": 4,
        "resources": 9,
        "accesses_simulated": 17,
        "seconds": 0.25,
        "suppressed": 1,
        "skipped_files": 0,
        "unknown_resource_types": 0,
        "module_calls_not_read": 0,
        "units": 0,
    }


def test_json_fingerprint_is_sarifs_and_survives_moved_lines(tmp_path: Path) -> None:
    """The JSON fingerprint is the SARIF partial fingerprint: named from the repository root, so the
    same wherever the check ran, and without line numbers, so the same when code moves."""
    moved = replace(make_report(tmp_path, findings=sample_findings(tmp_path, line_shift=30),
                                cwd=str(tmp_path / "infra")), root=str(tmp_path))
    before = [f["fingerprint"] for f in json.loads(render("json", make_report(tmp_path)))["findings"]]
    after = [f["fingerprint"] for f in json.loads(render("json", moved))["findings"]]
    sarif = [next(iter(r["partialFingerprints"].values())) for r in _sarif(make_report(tmp_path))["runs"][0]["results"]
             if r["ruleId"] in ("W403-D101", "W403-B201", "W403-N301")]
    assert before == after and len(set(before)) == len(before)
    assert sorted(before) == sorted(sarif)


def test_json_locations_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    report = make_report(tmp_path / "repo", cwd=str(tmp_path / "repo" / "infra"))
    data = json.loads(render("json", report))
    assert data["findings"][0]["location"]["file"] == "s3.tf"
    assert data["errors"][0]["file"] == "../broken.tf"


# -- sarif ------------------------------------------------------------------------------------


def _sarif(report: Report) -> dict:  # type: ignore[type-arg]
    return json.loads(render("sarif", report))  # type: ignore[no-any-return]


def test_sarif_is_valid_against_the_official_schema(report: Report) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_sarif(report), schema, cls=jsonschema.Draft4Validator)


def test_sarif_lists_every_rule_with_its_documentation(report: Report) -> None:
    driver = _sarif(report)["runs"][0]["tool"]["driver"]
    described = {rule["id"]: rule for rule in driver["rules"]}
    for rule in all_rules():
        assert described[rule.id]["help"]["text"] == rule.doc
        assert described[rule.id]["shortDescription"]["text"] == rule.summary
    # ids used by findings but not (yet) registered still get a descriptor, so ruleIndex is valid
    results = _sarif(report)["runs"][0]["results"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_rules_carry_help_uri_security_severity_precision_and_tags(tmp_path: Path) -> None:
    driver = _sarif(make_report(tmp_path, docs_url="https://example.test/why403/docs/rules/"))["runs"][0]["tool"][
        "driver"]
    described = {rule["id"]: rule for rule in driver["rules"]}
    for rule in all_rules():
        props = described[rule.id]["properties"]
        assert described[rule.id]["helpUri"] == f"https://example.test/why403/docs/rules/{rule.id}.md"
        assert 0 < float(props["security-severity"]) <= 10
        assert props["precision"] in ("very-high", "high", "medium", "low")
        assert ("security" in props["tags"]) == (rule.kind != "source")
    # an exposure ranks above an outage, a finding about the sources below both
    assert float(described["W403-B301"]["properties"]["security-severity"]) >= 7.0
    assert 4.0 <= float(described["W403-D101"]["properties"]["security-severity"]) < 7.0
    assert float(described["W403-E001"]["properties"]["security-severity"]) < 4.0
    assert described["W403-U001"]["properties"]["precision"] == "medium"
    # no published docs: no helpUri (the help text is in the log itself)
    assert all("helpUri" not in r for r in _sarif(make_report(tmp_path))["runs"][0]["tool"]["driver"]["rules"])


def test_sarif_results_locations_related_and_suppressions(report: Report) -> None:
    results = _sarif(report)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    denied = by_rule["W403-D101"]
    assert denied["level"] == "error"
    assert denied["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/s3.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "endLine": 24, "startColumn": 5},
    }
    related = [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"],
                r["message"]["text"]) for r in denied["relatedLocations"]]
    assert related == [
        ("infra/s3.tf", 30, "identity-policy: allow (WriteExports of aws_iam_role_policy.exporter)"),
        ("infra/kms.tf", 3, "kms-key-policy: delegates to IAM (EnableIAMPolicies of aws_kms_key.exports)"),
    ]
    flow = denied["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["location"]["message"]["text"] for step in flow] == [
        "identity-policy: allow (WriteExports of aws_iam_role_policy.exporter)",
        "kms-key-policy: delegates to IAM (EnableIAMPolicies of aws_kms_key.exports)",
        "identity-policy: no allow (nothing allows kms:GenerateDataKey)",
    ]
    assert [step["executionOrder"] for step in flow] == [1, 2, 3]
    assert "physicalLocation" not in flow[2]["location"]
    assert "codeFlows" not in by_rule["W403-B201"]
    assert denied["properties"]["access"]["kms_action"] == "kms:GenerateDataKey"
    assert by_rule["W403-N301"]["level"] == "note"
    suppressed = by_rule["W403-B202"]["suppressions"][0]
    assert suppressed["kind"] == "inSource" and suppressed["justification"] == "public website assets"
    assert "suppressions" not in denied
    assert by_rule["W403-E001"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.tf"


def test_sarif_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    before = _sarif(make_report(tmp_path))["runs"][0]["results"]
    after = _sarif(make_report(tmp_path, findings=sample_findings(tmp_path, line_shift=30)))["runs"][0][
        "results"
    ]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before] != [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after
    ]
    prints = [next(iter(r["partialFingerprints"].values())) for r in before]
    assert len(set(prints)) == len(prints)


# -- junit ------------------------------------------------------------------------------------


def test_junit_failures_follow_the_fail_level(report: Report) -> None:
    root = ET.fromstring(render("junit", report))
    assert root.tag == "testsuites"
    # findings: D101 error, B201 warning -> failures; N301 note passes; B202 suppressed -> skipped;
    # broken.tf -> error; clean.tf -> one passing case.
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "6",
        "2",
        "1",
        "1",
    )
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"infra/s3.tf", "infra/kms.tf", "broken.tf", "clean.tf"}
    assert suites["clean.tf"].get("failures") == "0"
    errors_only = ET.fromstring(render("junit", replace(report, fail_level="error")))
    assert errors_only.get("failures") == "1"


# -- github -----------------------------------------------------------------------------------


def test_github_annotations(report: Report) -> None:
    lines = render("github", report).splitlines()
    assert lines[0].startswith("::error file=broken.tf,line=3,title=W403-E001 (source)::unexpected token")
    denied = next(line for line in lines if "W403-D101" in line)
    assert denied.startswith("::error file=infra/s3.tf,line=12,endLine=24,col=5,title=W403-D101 (denied)::")
    assert "%0Aidentity-policy: allow" in denied  # the trace, on lines of its own
    assert any(line.startswith("::notice file=infra/s3.tf,line=50") for line in lines)
    assert any(line.startswith("::warning file=infra/kms.tf,line=40") for line in lines)
    assert not any("W403-B202" in line for line in lines)
    assert lines[-1].startswith("why403: 2 errors")


def test_github_escapes_workflow_command_syntax(tmp_path: Path) -> None:
    finding = replace(sample_findings(tmp_path)[1], message="50% of a:b,c\nnext")
    out = render("github", make_report(tmp_path, findings=(finding,), errors=()))
    assert "::50%25 of a:b,c%0Anext" in out


# -- all formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_an_empty_run(fmt: str, tmp_path: Path) -> None:
    out = render(fmt, Report(cwd=str(tmp_path)))
    assert out.endswith("\n")


@pytest.mark.parametrize(
    ("level", "expected"), [("error", True), ("warning", True), ("note", True), ("never", False)]
)
def test_fail_levels(level: str, expected: bool, tmp_path: Path) -> None:
    findings = sample_findings(tmp_path)
    assert fails(findings, level) is expected  # type: ignore[arg-type]
    warning_and_note = tuple(f for f in findings if f.severity != "error")
    assert fails(warning_and_note, level) is (level in ("warning", "note"))  # type: ignore[arg-type]
    only_suppressed = tuple(f for f in findings if f.suppressed is not None)
    assert fails(only_suppressed, level) is False  # type: ignore[arg-type]


# -- gitlab code quality ----------------------------------------------------------------------


def test_gitlab_code_quality(report: Report) -> None:
    issues = json.loads(render("gitlab", report))
    by_rule = {i["check_name"]: i for i in issues}
    assert set(by_rule) == {"W403-E001", "W403-D101", "W403-B201", "W403-N301"}  # suppressed left out
    denied = by_rule["W403-D101"]
    assert denied["location"] == {"path": "infra/s3.tf", "lines": {"begin": 12}}
    assert denied["severity"] == "critical" and by_rule["W403-N301"]["severity"] == "info"
    assert denied["description"].startswith("W403-D101: aws_iam_role.exporter may s3:PutObject")
    assert len({i["fingerprint"] for i in issues}) == len(issues)

"""Every format on real findings: the examples run through the real pipeline and main().

The formats must agree with each other and with the JSON contract on the same run: the same
findings, at the same lines, relative to the working directory.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from fake_pipeline import frontend_ready

from why403.cli.main import main

CHECKOUT = Path(__file__).resolve().parents[2]
SHARED = CHECKOUT.parent / "shared" / "examples"
SCHEMA = json.loads((CHECKOUT / "tests" / "report" / "data" / "sarif-schema-2.1.0.json").read_text())
CFN_EXAMPLES = ["07-partner-granted-in-bucket-but-not-in-key", "09-wildcard-principal-quick-fix"]

needs_cfn = pytest.mark.skipif(
    not frontend_ready("cloudformation") or not SHARED.is_dir(),
    reason="needs the pipeline, the CloudFormation frontend and ../shared/examples",
)
needs_tf = pytest.mark.skipif(not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", ".", "--color", "never", *args])
    return code, capsys.readouterr().out


def _all_formats(example: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    monkeypatch.chdir(example)
    outputs = {}
    codes = set()
    for fmt in ("json", "text", "sarif", "junit", "github", "gitlab"):
        code, outputs[fmt] = _run(capsys, "--format", fmt)
        codes.add(code)
    assert codes == {1}, "every format gives the same exit status"
    return outputs


def _agree(outputs: dict[str, str]) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = json.loads(outputs["json"])["findings"]
    assert findings
    where = sorted((f["location"]["file"], f["location"]["line"], f["rule"]) for f in findings)  # type: ignore[index]

    sarif = json.loads(outputs["sarif"])
    jsonschema.validate(sarif, SCHEMA, cls=jsonschema.Draft4Validator)
    results = [r for r in sarif["runs"][0]["results"] if "suppressions" not in r]
    sarif_where = sorted(
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["ruleId"],
        )
        for r in results
    )
    assert sarif_where == where

    text_where = sorted(
        (line.split(":")[0], int(line.split(":")[1]), line.split(": ", 1)[1].split()[0])
        for line in outputs["text"].splitlines()
        if line and not line.startswith(" ") and ": W403-" in line
    )
    assert text_where == where

    gitlab = json.loads(outputs["gitlab"])
    assert sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in gitlab) == where

    annotations = [line for line in outputs["github"].splitlines() if line.startswith("::")]
    assert len(annotations) == len(findings)

    junit = ET.fromstring(outputs["junit"])
    failing = [f for f in findings if f["severity"] in ("error", "warning")]
    assert int(junit.get("failures", "0")) == len(failing)
    return findings


@needs_cfn
@pytest.mark.parametrize("name", CFN_EXAMPLES)
def test_cloudformation_examples_in_every_format(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = _agree(_all_formats(SHARED / name, monkeypatch, capsys))
    assert {f["location"]["file"] for f in findings} == {"template.yaml" if "07" in name else "template.json"}  # type: ignore[index]


@needs_cfn
def test_kms_step_is_named_in_json_and_sarif(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = _all_formats(SHARED / CFN_EXAMPLES[0], monkeypatch, capsys)
    [denied] = [f for f in json.loads(outputs["json"])["findings"] if f["kind"] == "denied"]
    assert denied["access"]["action"] == "s3:GetObject" and denied["access"]["kms_action"] == "kms:Decrypt"
    assert denied["layer"] == "kms-key-policy" and denied["denial"] == "implicit"
    assert denied["trace"]
    [result] = [r for r in json.loads(outputs["sarif"])["runs"][0]["results"] if r["ruleId"] == denied["rule"]]
    assert result["properties"]["access"]["kms_action"] == "kms:Decrypt"
    assert result["relatedLocations"]  # the bucket policy statement that granted it


@needs_cfn
def test_cloudformation_metadata_suppression_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    template = json.loads((SHARED / CFN_EXAMPLES[1] / "template.json").read_text())
    policy = template["Resources"]["ArtifactBucketPolicy"]
    policy["Metadata"] = {"why403": {"ignore": [{"rule": "W403-B301", "reason": "partner fleet, SEC-142"}]}}
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2))
    monkeypatch.chdir(tmp_path)
    code, text = _run(capsys)
    assert code == 1  # the key policy's finding (W403-B302) still fails the run
    assert "W403-B301" not in text and "W403-B302" in text
    summary = text.strip().splitlines()[-1]
    assert summary.startswith("1 error, 0 warnings, 0 notes (1 broad-allow) in 1 file, 1 deployment unit "
                              "(1 suppressed)")
    _, sarif = _run(capsys, "--format", "sarif")
    [suppressed] = [r for r in json.loads(sarif)["runs"][0]["results"] if r["ruleId"] == "W403-B301"]
    assert suppressed["suppressions"][0]["justification"] == "partner fleet, SEC-142"
    _, data = _run(capsys, "--format", "json")
    assert json.loads(data)["stats"]["suppressed"] == 1

    policy["Metadata"]["why403"]["ignore"][0]["until"] = "2001-01-01"
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2))
    code, text = _run(capsys)
    assert "W403-B301" in text and "expired on 2001-01-01" in text


@needs_tf
def test_terraform_kms_403_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CHECKOUT / "examples" / "kms-403", tmp_path / "kms-403")
    findings = _agree(_all_formats(tmp_path / "kms-403", monkeypatch, capsys))
    assert any(
        f["access"] and f["access"]["kms_action"] == "kms:GenerateDataKey"  # type: ignore[index]
        for f in findings
    )


@needs_tf
def test_terraform_inline_suppression_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (CHECKOUT / "examples" / "kms-403" / "main.tf").read_text()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(source)
    _, data = _run(capsys, "--format", "json")
    [denied] = [f for f in json.loads(data)["findings"] if f["kind"] == "denied"]
    lines = source.splitlines()
    line = denied["location"]["line"]
    lines.insert(line - 1, f"  # why403:ignore[{denied['rule']}] exports are written by the batch role, INFRA-7")
    (tmp_path / "main.tf").write_text("\n".join(lines) + "\n")
    code, text = _run(capsys)
    assert code == 0, text
    assert "(1 suppressed)" in text.strip().splitlines()[-1]

"""Parameter files, suppressions, template recognition, CDK output, and bad input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from why403.model import symbols
from why403.model.facts import BucketFact, BucketPolicyFact, RoleFact, SuppressionFact
from why403.sources.cloudformation import is_template, load_templates, parse_template
from why403.sources.cloudformation.decode import MAX_TEMPLATE_BYTES

from .helpers import FIXTURES, facts, load_paths, load_text, one, opaque

LAKE = FIXTURES / "conditional_data_lake.yaml"


# -- parameters ---------------------------------------------------------------------------------


def test_parameter_file_in_cli_format() -> None:
    (r,) = load_paths(LAKE, cfn_parameter_files=(str(FIXTURES / "params-cli.json"),))
    sids = [s.sid for s in one(r, BucketPolicyFact).policy.statements]
    assert sids == ["Readers", "PartnerReads", "AnalyticsTeam", "DenyOutsideRegion"]
    partner = one(r, BucketPolicyFact).policy.statements[1]
    assert partner.maybe is None
    assert partner.principals is not None and partner.principals[0].value == "arn:aws:iam::444455556666:root"
    # UsePreviousValue: the default stays
    assert one(r, BucketFact).name.startswith("analytics-lake-")
    assert not [d for d in r.diagnostics if "Environment" in d.message]


def test_parameter_file_in_pipeline_format_and_cli_override() -> None:
    (r,) = load_paths(LAKE, cfn_parameter_files=(str(FIXTURES / "params-pipeline.json"),),
                      cfn_parameters=(("TeamName", "risk"),))
    assert one(r, BucketFact).name.startswith("risk-lake-")
    assert [s.sid for s in one(r, BucketPolicyFact).policy.statements] == ["Readers", "DenyOutsideRegion"]


def test_bad_parameter_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "params.json"
    bad.write_text('{"Environment": "dev"}')
    results = load_templates([LAKE], _options(cfn_parameter_files=(str(bad), str(tmp_path / "missing.json"))))
    errors = [d for r in results for d in r.diagnostics if d.severity == "error"]
    assert len(errors) == 2 and all(e.code == "cfn-parameters" for e in errors)
    assert facts(results[0], BucketFact)


def _options(**kw: object) -> object:
    from why403.model.facts import SourceOptions

    return SourceOptions(**kw)  # type: ignore[arg-type]


# -- suppressions -------------------------------------------------------------------------------


def test_metadata_suppressions_span_the_resource() -> None:
    (r,) = load_paths(FIXTURES / "suppressed.yaml")
    sups = facts(r, SuppressionFact)
    assert [(s.ref, s.rules) for s in sups] == [
        ("PublicAssets", ("W403-BROAD-ALLOW",)), ("PublicAssets", ("W403-A", "W403-B")), ("Queue", ("W403-OTHER",))]
    first = sups[0]
    assert first.reason.startswith("Public website assets") and first.until == "2026-12-31"
    assert (first.location.line, first.location.end_line) == (3, 14)
    assert first.comment_location is not None and first.comment_location.line == 8
    assert sups[1].reason == ""  # kept, so that the run can say a reason is required
    assert (sups[2].location.line, sups[2].location.end_line) == (16, 24)


@pytest.mark.parametrize(("text", "end"), [
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic", 5),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n", 5),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n\n# the end", 5),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B:\n    Type: AWS::SNS::Topic\n# the end\n", 5),
    ('{"Resources": {"A": {"Type": "AWS::S3::Bucket"},\n "B": {"Type": "AWS::SNS::Topic"}}}', 2),
])
def test_the_last_resource_ends_on_its_last_line_with_or_without_a_final_line_break(text: str, end: int) -> None:
    parsed = parse_template(text.encode(), "t.yaml")
    assert parsed.template is not None
    resources = parsed.template["Resources"]
    assert (resources["A"].end_line, resources["B"].end_line) == ((3 if end == 5 else 1), end)


# -- recognition --------------------------------------------------------------------------------


@pytest.mark.parametrize("name,text", [
    ("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"),
    ("ci.yml", "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"),
    ("package.json", '{"name": "web", "version": "1.0.0", "dependencies": {"aws-cdk-lib": "2.0.0"}}'),
    ("serverless.yml", "service: api\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n"),
    ("notes.txt", "AWSTemplateFormatVersion: 2010-09-09\n"),
    ("appspec.yml", "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n"
                    "      Properties: {Name: f, Alias: live}\n"),
    ("buildspec-prod.yml", "version: 0.2\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"),
    ("docker-compose.override.yaml", "services:\n  web:\n    image: nginx\nResources:\n  B:\n"
                                     "    Type: AWS::S3::Bucket\n"),
    ("tsconfig.build.json", '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}'),
])
def test_other_files_are_not_templates(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert not is_template(path)


def test_templates_are_recognised() -> None:
    for path in (LAKE, FIXTURES / "sam_app.yaml", FIXTURES / "cdk.out" / "ReportingStack.template.json"):
        assert is_template(path), path
    assert not is_template(FIXTURES / "cdk.out" / "manifest.json")
    assert not is_template(FIXTURES / "cdk.out" / "tree.json")
    assert not is_template(FIXTURES / "does-not-exist.yaml")


def test_cdk_synth_output_is_read_with_lines_in_the_synthesized_file() -> None:
    path = FIXTURES / "cdk.out" / "ReportingStack.template.json"
    (r,) = load_paths(path)
    bucket = one(r, BucketFact)
    assert bucket.name == opaque(r, "ExportsBucket6D3B1B5E.bucket")
    assert bucket.location.file == str(path) and bucket.location.line == 3
    (deny,) = one(r, BucketPolicyFact).policy.statements
    assert deny.resources == (f"arn:aws:s3:::{bucket.name}", f"arn:aws:s3:::{bucket.name}/*")
    assert deny.location is not None and deny.location.line == 27
    assert not r.diagnostics  # the SSM BootstrapVersion parameter decides no policy


# -- bad input ----------------------------------------------------------------------------------


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "a0: &a0 [" + ",".join(['"lol"'] * 9) + "]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *a9")
    start = time.monotonic()
    r = load_text(tmp_path, "\n".join(lines))
    assert time.monotonic() - start < 10
    (err,) = r.diagnostics
    assert err.severity == "error" and "alias" in err.message


def test_oversized_template_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    body = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {' + ",".join(
        f'"B{i}": {{"Type": "AWS::SNS::Topic", "Properties": {{"DisplayName": "{"x" * 180}"}}}}'
        for i in range(100_000))
    path.write_text(body + "}}")
    assert path.stat().st_size > 20 * 1024 * 1024 > MAX_TEMPLATE_BYTES
    start = time.monotonic()
    (r,) = load_paths(path)
    assert time.monotonic() - start < 5
    (err,) = r.diagnostics
    assert err.severity == "error" and "MB" in err.message


def test_a_resources_list_without_template_version_is_another_kind_of_file(tmp_path: Path) -> None:
    # An AppSpec under another name: Resources lists Lambda targets. Skipped and counted, not an error.
    r = load_text(tmp_path, "version: 0.0\nResources:\n  - myLambdaFunction:\n      Type: AWS::Lambda::Function\n"
                            "      Properties:\n        Name: f\n        Alias: live\n", name="deploy-spec.yaml")
    assert not r.diagnostics and not r.files and not r.facts
    assert r.skipped == (str(tmp_path / "deploy-spec.yaml"),)


def test_workflow_and_circleci_folders_are_never_templates(tmp_path: Path) -> None:
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    for folder in (".github/workflows", ".circleci", "infra"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "deploy.yml").write_text(text)
    assert not is_template(tmp_path / ".github/workflows/deploy.yml")
    assert not is_template(tmp_path / ".circleci/deploy.yml")
    assert is_template(tmp_path / "infra/deploy.yml")


def test_resources_as_a_list_is_an_error_with_its_line(tmp_path: Path) -> None:
    r = load_text(tmp_path, "AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\nResources:\n"
                            "  - Type: AWS::S3::Bucket\n")
    (err,) = r.diagnostics
    assert err.severity == "error" and "list" in err.message and err.location.line == 3


def test_json_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"Resources": {"B": {"Type": "AWS::S3::Bucket", '
                     b'"Properties": {"BucketName": "bom-bucket"}}}}')
    assert is_template(path)
    (r,) = load_paths(path)
    assert one(r, BucketFact).name == "bom-bucket" and not r.diagnostics


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert not is_template(binary)
    (r,) = load_paths(binary)
    assert r.diagnostics[0].severity == "error" and "UTF-8" in r.diagnostics[0].message
    latin = parse_template("Resources:\n  B:\n    Type: AWS::S3::Bucket # caf\xe9\n".encode("latin-1"), "l.yaml")
    assert latin.error is not None and latin.template is None


def test_syntax_error_reports_its_line_and_other_templates_still_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: [unclosed\n")
    bad, good = load_templates([broken, LAKE], _options())  # type: ignore[arg-type]
    (err,) = bad.diagnostics
    assert err.severity == "error" and err.location.file == str(broken) and err.location.line >= 4
    assert facts(good, BucketFact)


def test_unknown_types_are_ignored_and_bad_resources_reported(tmp_path: Path) -> None:
    r = load_text(tmp_path, """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Custom:
    Type: Custom::Thing
    Properties: {ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:x}
  NoType:
    Properties: {}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: sns.amazonaws.com},
                                              Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: sns:Publish, Resource: !Ref Topic},
                        {Effect: Allow, Action: s3:GetObject, Resource: !GetAtt Custom.BucketArn}]
""")
    assert r.resources == 4
    assert r.unknown_types == ("Custom::Thing",)  # counted in the summary; AWS::SNS::Topic is defined
    (warn,) = r.diagnostics
    assert warn.severity == "warning" and "NoType" in warn.message
    s0, s1 = one(r, RoleFact).inline_policies[0].statements
    assert s0.resources is not None and s0.resources[0].startswith("arn:aws:sns:")
    assert s1.resources is not None and symbols.is_entirely_unknown(s1.resources[0])


def test_deeply_nested_template_does_not_crash(tmp_path: Path) -> None:
    depth = 5000
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n" \
           "    Properties:\n      Tags: " + "[" * depth + "]" * depth + "\n"
    r = load_text(tmp_path, text)
    assert all(d.severity == "error" for d in r.diagnostics)


def test_top_level_not_a_mapping_and_empty_file(tmp_path: Path) -> None:
    r = load_text(tmp_path, "- AWSTemplateFormatVersion\n- Resources\n")
    assert r.diagnostics[0].severity == "error"
    r = load_text(tmp_path, "", name="empty.yaml")
    assert not r.facts and not [d for d in r.diagnostics if d.severity == "error"]


def test_cfn_lint_is_imported_only_when_a_template_is_read() -> None:
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; import why403.sources.cloudformation as c; "
            f"c.is_template(Path({str(LAKE)!r})); print('cfnlint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_for_each_is_reported_not_silently_dropped(tmp_path: Path) -> None:
    r = load_text(tmp_path, """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Buckets:
    - Name
    - [a, b]
    - ${Name}Bucket:
        Type: AWS::S3::Bucket
""")
    (note,) = r.diagnostics
    assert note.severity == "note" and "Fn::ForEach" in note.message

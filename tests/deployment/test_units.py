"""Deployment units (issue 14, point 1): each Terraform root, template, CDK stack and plan is
simulated in its own world; other units join it only on explicit evidence; every finding names
its unit."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from why403.model.settings import Settings, UnitDeclaration
from why403.pipeline import CheckRequest
from why403.pipeline.inputs import read_inputs
from why403.world.units import group_units

from .helpers import check_json, write_tree

FIXTURES = Path(__file__).parent / "fixtures"

TRUST = ('jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
         'Principal = {Service = "ec2.amazonaws.com"}, Action = "sts:AssumeRole"}]})')


def _environment(env: str, readers: str) -> str:
    """A root that creates the reports bucket (the same name in every environment: each is its own
    account) with a policy that only lets ``readers`` read, and an analyst role that reads it."""
    return f"""\
provider "aws" {{ region = "eu-west-1" }}
resource "aws_s3_bucket" "reports" {{ bucket = "acme-reports" }}
resource "aws_s3_bucket_policy" "reports" {{
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({{Version = "2012-10-17", Statement = [{{Sid = "OnlyReaders", Effect = "Deny",
    Principal = "*", Action = "s3:GetObject", Resource = "${{aws_s3_bucket.reports.arn}}/*",
    Condition = {{StringNotLike = {{"aws:PrincipalArn" = ["{readers}"]}}}}}}]}})
}}
resource "aws_iam_role" "analyst" {{
  name               = "{env}-analyst"
  assume_role_policy = {TRUST}
}}
resource "aws_iam_role_policy" "analyst" {{
  role   = aws_iam_role.analyst.id
  policy = jsonencode({{Version = "2012-10-17", Statement = [{{Sid = "ReadReports", Effect = "Allow",
    Action = "s3:GetObject", Resource = "${{aws_s3_bucket.reports.arn}}/*"}}]}})
}}
"""


def _by_rule(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def test_dev_and_prod_roots_reusing_a_bucket_name_are_two_worlds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # dev's policy forgot dev's analyst; prod's lets prod's read. One world would hold one bucket
    # and one policy for both (the last read), and judge dev's grant by prod's policy.
    write_tree(tmp_path, {
        "envs/dev/main.tf": _environment("dev", "arn:aws:iam::*:role/dev-admin"),
        "envs/prod/main.tf": _environment("prod", "arn:aws:iam::*:role/prod-analyst"),
    })
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert code == 1
    rules = _by_rule(report)
    (denied,) = rules["W403-D101"]
    assert denied["unit"] == "envs/dev" and denied["location"]["file"] == "envs/dev/main.tf"
    assert denied["access"]["principal"].endswith(":role/dev-analyst")
    assert "W403-S404" not in rules  # not two policies competing for one bucket: two buckets
    assert report["stats"]["units"] == 2
    assert all(f["unit"] in ("envs/dev", "envs/prod") for f in report["findings"])


ORG = """\
provider "aws" { region = "us-east-1" }
resource "aws_organizations_policy" "protect_data" {
  name    = "protect-data"
  type    = "SERVICE_CONTROL_POLICY"
  content = jsonencode({Version = "2012-10-17", Statement = [{Sid = "NoObjectDeletes", Effect = "Deny",
    Action = ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource = "*"}]})
}
resource "aws_organizations_policy_attachment" "workloads" {
  policy_id = aws_organizations_policy.protect_data.id
  target_id = "TARGET"
}
"""

APP = """\
provider "aws" {
  region = "eu-west-1"
  PINNED
}
resource "aws_s3_bucket" "scratch" { bucket = "acme-app-scratch" }
resource "aws_iam_role" "cleaner" {
  name               = "scratch-cleaner"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}
resource "aws_iam_role_policy" "cleaner" {
  role   = aws_iam_role.cleaner.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{Sid = "CleanScratch", Effect = "Allow",
    Action = ["s3:DeleteObject"], Resource = "${aws_s3_bucket.scratch.arn}/*"}]})
}
"""


def _scp_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if "NoObjectDeletes" in f["message"]]


def test_an_scp_in_another_folder_applies_only_on_evidence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"org/main.tf": ORG.replace("TARGET", "ou-ab12-workload1"),
                          "app/main.tf": APP.replace("PINNED", "")})
    monkeypatch.chdir(tmp_path)
    # Nothing says the app's account is under that OU: the SCP is not the app's (not even a note).
    _, report = check_json(capsys, ".")
    assert _scp_findings(report) == []
    # The configuration's units section places the app's account under the OU.
    (tmp_path / ".why403.yaml").write_text(
        'units:\n  - paths: [app]\n    account: "111122223333"\n    parents: [ou-ab12-workload1, r-ab12]\n')
    _, report = check_json(capsys, ".", config=True)
    found = _scp_findings(report)
    assert found and {f["unit"] for f in found} == {"app"}


def test_an_scp_attached_to_the_account_a_root_pins_applies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"org/main.tf": ORG.replace("TARGET", "111122223333"),
                          "app/main.tf": APP.replace("PINNED", 'allowed_account_ids = ["111122223333"]'),
                          "other/main.tf": APP.replace("PINNED", 'allowed_account_ids = ["444455556666"]')
                          .replace("acme-app-scratch", "acme-other-scratch")})
    monkeypatch.chdir(tmp_path)
    _, report = check_json(capsys, ".")
    assert {f["unit"] for f in _scp_findings(report)} == {"app"}  # not the root of another account


STORAGE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: DataAdmins
            Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:role/data-admin"}
            Action: "kms:*"
            Resource: "*"
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-data-lake
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt DataKey.Arn}
  ExporterRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: storage-exporter
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]
Outputs:
  DataBucketArn:
    Value: !GetAtt DataBucket.Arn
    Export: {Name: storage-DataBucketArn}
"""

REPORTING = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ExporterRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reporting-exporter
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}]
      Policies:
        - PolicyName: read-data
          PolicyDocument:
            Statement:
              - Sid: ReadDataLake
                Effect: Allow
                Action: ["s3:GetObject"]
                Resource: !Sub ["${Arn}/*", {Arn: !ImportValue storage-DataBucketArn}]
"""


def test_stacks_sharing_logical_ids_linked_by_an_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Both stacks declare ExporterRole; the reporting stack imports the storage stack's bucket, whose
    # key policy does not let the reporting role decrypt: the denial is the reporting stack's.
    write_tree(tmp_path, {"stacks/storage.yaml": STORAGE, "stacks/reporting.yaml": REPORTING})
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert code == 1
    (denied,) = _by_rule(report)["W403-D103"]
    assert denied["unit"] == "stacks/reporting.yaml"
    assert denied["location"]["file"] == "stacks/storage.yaml"  # the key policy that decides
    assert denied["access"]["principal"].endswith(":role/reporting-exporter")
    units = {u.id: u for u in group_units(read_inputs(CheckRequest(paths=(".",), use_cache=False))[0], Settings())}
    (link,) = units["stacks/reporting.yaml"].links
    assert link.unit == "stacks/storage.yaml" and "acme-data-lake" in link.evidence
    assert units["stacks/storage.yaml"].links == []


def test_a_cdk_assembly_is_one_unit_per_stack_nested_stacks_included(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(FIXTURES / "cdk_app", tmp_path / "app")
    monkeypatch.chdir(tmp_path / "app")
    code, report = check_json(capsys, ".")
    assert code == 1 and report["errors"] == []
    assert report["stats"]["units"] == 2
    # manifest, tree and the two asset manifests are not templates; the asset folder is never walked
    assert report["stats"]["skipped_files"] == 4
    (denied,) = _by_rule(report)["W403-D103"]
    assert denied["unit"] == "cdk.out/AppStack.template.json"
    assert denied["location"]["file"] == "cdk.out/StorageStack.template.json"
    assert denied["access"]["principal"] == "arn:aws:iam::111122223333:role/acme-reports-reader"  # the stack's env
    # The nested stack gets the parameters its parent passes: no note about a parameter without value.
    assert not [f for f in report["findings"] if "referencetoAppStackScratchArn" in f["message"]]
    results, _ = read_inputs(CheckRequest(paths=(".",), use_cache=False))
    units = {u.id: u for u in group_units(results, Settings())}
    app = units["cdk.out/AppStack.template.json"]
    assert sorted(Path(f).name for f in app.files) == [
        "AppStack.template.json", "AppStackIngestNestedStackIngestNestedStackResource6B2D3E4F.nested.template.json"]
    assert [link.unit for link in app.links] == ["cdk.out/StorageStack.template.json"]


def test_remote_state_and_generated_names_link_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {
        "network/main.tf": 'terraform {\n  backend "s3" {\n    bucket = "acme-tfstate"\n    key = "network.tfstate"\n'
                           '    region = "eu-west-1"\n  }\n}\nprovider "aws" { region = "eu-west-1" }\n'
                           'resource "aws_vpc_endpoint" "s3" {\n  vpc_id = "vpc-0a1b2c3d"\n'
                           '  service_name = "com.amazonaws.eu-west-1.s3"\n}\n',
        "app/main.tf": 'provider "aws" { region = "eu-west-1" }\ndata "terraform_remote_state" "network" {\n'
                       '  backend = "s3"\n  config = {\n    bucket = "acme-tfstate"\n    key = "network.tfstate"\n'
                       '    region = "eu-west-1"\n  }\n}\n',
        "unrelated/main.tf": 'provider "aws" { region = "eu-west-1" }\n'
                             'resource "aws_s3_bucket" "b" { bucket = "acme-unrelated" }\n',
        "stacks/producer.yaml": "Resources:\n  Queue:\n    Type: AWS::S3::Bucket\nOutputs:\n  Name:\n"
                                "    Value: !Ref Queue\n    Export: {Name: producer-bucket}\n",
        "stacks/consumer.yaml": "Resources:\n  Reader:\n    Type: AWS::IAM::Role\n    Properties:\n"
                                "      AssumeRolePolicyDocument: {Statement: []}\n      Policies:\n"
                                "        - PolicyName: p\n          PolicyDocument:\n            Statement:\n"
                                "              - {Effect: Allow, Action: 's3:GetObject',"
                                " Resource: !Sub ['arn:aws:s3:::${B}/*', {B: !ImportValue producer-bucket}]}\n",
    })
    monkeypatch.chdir(tmp_path)
    results, _ = read_inputs(CheckRequest(paths=(".",), use_cache=False))
    units = {u.id: u for u in group_units(results, Settings())}
    (state,) = units["app"].links
    assert state.unit == "network" and "state" in state.evidence
    (export,) = units["stacks/consumer.yaml"].links
    assert export.unit == "stacks/producer.yaml"  # the generated bucket name flows in through the export
    assert units["unrelated"].links == [] and units["network"].links == []


def test_units_the_configuration_puts_in_one_account_are_linked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {
        "baseline/main.tf": 'provider "aws" { region = "eu-west-1" }\n'
                            'resource "aws_s3_account_public_access_block" "this" {\n  block_public_policy = true\n}\n',
        "app/main.tf": 'provider "aws" { region = "eu-west-1" }\n'
                       'resource "aws_s3_bucket" "b" { bucket = "acme-app" }\n',
        "elsewhere/main.tf": 'provider "aws" { region = "eu-west-1" }\n',
    })
    monkeypatch.chdir(tmp_path)
    settings = Settings(units=(UnitDeclaration((str(tmp_path / "baseline"), str(tmp_path / "app")),
                                               account="111122223333"),))
    results, _ = read_inputs(CheckRequest(paths=(".",), use_cache=False, settings=settings))
    units = {u.id: u for u in group_units(results, settings)}
    assert [link.unit for link in units["app"].links] == ["baseline"]
    assert [link.unit for link in units["baseline"].links] == ["app"]
    assert units["elsewhere"].links == []


def test_a_policy_read_with_templatefile_belongs_to_the_unit_that_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The statement that grants (and is denied) is in a JSON template beside the module, not in a .tf
    # file: its intent and its finding are still the root's.
    write_tree(tmp_path, {
        "live/main.tf": 'provider "aws" { region = "eu-west-1" }\nmodule "app" {\n  source = "../modules/app"\n'
                        '  bucket = "acme-app-data"\n}\n',
        "modules/app/main.tf": 'variable "bucket" {}\nresource "aws_s3_bucket" "b" { bucket = var.bucket }\n'
                               'resource "aws_s3_bucket_policy" "b" {\n  bucket = aws_s3_bucket.b.id\n'
                               '  policy = jsonencode({Version = "2012-10-17", Statement = [{Sid = "NoWrites", '
                               'Effect = "Deny", Principal = "*", Action = "s3:PutObject", '
                               'Resource = "${aws_s3_bucket.b.arn}/*"}]})\n}\n'
                               'resource "aws_iam_role" "writer" {\n  name = "app-writer"\n'
                               f'  assume_role_policy = {TRUST}\n}}\n'
                               'resource "aws_iam_role_policy" "writer" {\n  role = aws_iam_role.writer.id\n'
                               '  policy = templatefile("${path.module}/policies/writer.json.tpl", '
                               '{ bucket = var.bucket })\n}\n',
        "modules/app/policies/writer.json.tpl": '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n'
                                                '      "Sid": "WriteData",\n      "Effect": "Allow",\n'
                                                '      "Action": "s3:PutObject",\n'
                                                '      "Resource": "arn:aws:s3:::${bucket}/*"\n    }\n  ]\n}\n',
    })
    monkeypatch.chdir(tmp_path)
    _, report = check_json(capsys, ".")
    (denied,) = _by_rule(report)["W403-D101"]
    assert denied["unit"] == "live" and denied["location"]["file"] == "modules/app/main.tf"
    assert report["stats"]["accesses_simulated"] > 0 and report["stats"]["units"] == 1

"""YAML and JSON files that are not CloudFormation are skipped and counted, never parse errors;
resources of types CloudFormation does not define are counted (issue 14, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import check_json, check_text, write_tree

# What a serverless application repository holds beside its template.
OTHER_FILES = {
    "app/appspec.yml": "version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n"
                       "      Properties: {Name: orders, Alias: live, CurrentVersion: 1, TargetVersion: 2}\n",
    "app/hooks/appspec-canary.yaml": "version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n"
                                     "      Properties: {Name: orders, Alias: live}\n",
    "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands: [sam build, sam deploy --no-confirm-changeset]\n",
    ".github/workflows/deploy.yml": "on: {push: {branches: [main]}}\njobs:\n  deploy:\n"
                                    "    runs-on: ubuntu-latest\n    steps: [{uses: actions/checkout@v4}]\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                           "spec: {replicas: 2, template: {spec: {containers: [{name: web, image: nginx}]}}}\n",
    "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n",
    "api/openapi.yaml": "openapi: 3.0.1\ninfo: {title: orders, version: '1'}\npaths: {}\n",
    "samconfig.yaml": "version: 0.1\ndefault:\n  deploy:\n    parameters: {stack_name: orders}\n",
    "package.json": '{"name": "orders", "scripts": {"build": "tsc"}}\n',
    "tsconfig.json": '{"compilerOptions": {"target": "es2022"}}\n',
}

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
  Cleanup:
    Type: Custom::EmptyBucket
    Properties: {ServiceToken: !GetAtt Orders.Arn}
  Thing:
    Type: Acme::Widgets::Widget
  Queue:
    Type: AWS::SQS::Queue
"""


def test_other_files_are_counted_not_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {**OTHER_FILES, "template.yaml": TEMPLATE})
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert report["errors"] == []
    assert report["stats"]["files"] == 1  # the template
    assert report["stats"]["skipped_files"] == len(OTHER_FILES)
    assert report["stats"]["unknown_resource_types"] == 2  # Custom::EmptyBucket, Acme::Widgets::Widget
    assert code == 0
    code, out, _ = check_text(capsys, ".")
    assert f"{len(OTHER_FILES)} YAML/JSON files skipped: not templates" in out
    assert "2 resources of types CloudFormation does not define" in out


def test_a_tree_of_only_other_files_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, OTHER_FILES)
    monkeypatch.chdir(tmp_path)
    code, _, err = check_text(capsys, ".")
    assert code == 0
    assert f"no Terraform files or CloudFormation templates found in . ({len(OTHER_FILES)} YAML/JSON files " \
           "there, none a template)" in err


def test_a_template_with_a_real_error_is_still_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # Declared a template (AWSTemplateFormatVersion), Resources a list: the template's error, not a skip.
    write_tree(tmp_path, {**OTHER_FILES, "broken.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
                                                        "  - Type: AWS::S3::Bucket\n"})
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert code == 2  # the one input there is could not be read
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("broken.yaml", 2)]
    assert report["stats"]["skipped_files"] == len(OTHER_FILES)

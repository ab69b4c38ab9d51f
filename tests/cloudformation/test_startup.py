"""A check of templates never imports cfn-lint (nor the sympy and networkx its import pulls in):
that import alone cost more than the pre-commit hook's whole budget on one template. The
decoder is cfnyaml, the resource type list is read from cfn-lint's data files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from why403.sources.cloudformation import catalog

HEAVY = ("cfnlint", "sympy", "networkx")

PROBE = """
import json, sys
from why403.cli.main import main
sys.argv = ["why403", "check", *sys.argv[1:]]
code = main()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Widget:
    Type: AWS::Nonexistent::Widget
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: '*'
"""


@pytest.mark.parametrize("options", [["-f", "json"], ["--pre-commit"]])
def test_a_template_check_does_not_import_cfnlint(tmp_path: Path, options: list[str]) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    proc = subprocess.run([sys.executable, "-c", PROBE, "--no-cache", *options, "template.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    *report, last = proc.stdout.strip().splitlines()
    data = json.loads(last)
    assert data["code"] == 1, proc.stderr  # the s3:* allow is reported: the template was read and checked
    assert "why403.sources.cloudformation.cfnyaml" in data["modules"]
    assert [m for m in data["modules"] if m.split(".")[0] in HEAVY] == []
    if options == ["-f", "json"]:
        # AWS::Nonexistent::Widget is unknown, AWS::SNS::Topic is not
        assert json.loads("\n".join(report))["stats"]["unknown_resource_types"] == 1


def test_known_types_are_cfnlint_s_list_of_us_east_1_and_sam() -> None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    assert catalog._specified_types() == frozenset(PROVIDER_SCHEMA_MANAGER.get_resource_types("us-east-1"))
    assert catalog.known_type("AWS::SNS::Topic") and catalog.known_type("AWS::Serverless::Api")
    assert not catalog.known_type("aws::sns::topic")  # CloudFormation's types are case-sensitive
    assert not catalog.known_type("AWS::SNS::Topics") and not catalog.known_type("Custom::Thing")

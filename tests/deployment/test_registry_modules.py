"""Registry and git modules that ``terraform init`` placed in .terraform/modules are read; a call
whose module is not there is one note naming it and how to include it, and is counted (issue 14,
point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import check_json, check_text, write_tree

# A trimmed copy of the shape of terraform-aws-modules/s3-bucket: the policy comes in as a string.
S3_MODULE = """\
variable "bucket" { type = string }
variable "attach_policy" {
  type    = bool
  default = false
}
variable "policy" {
  type    = string
  default = null
}
resource "aws_s3_bucket" "this" {
  bucket = var.bucket
}
resource "aws_s3_bucket_policy" "this" {
  count  = var.attach_policy ? 1 : 0
  bucket = aws_s3_bucket.this.id
  policy = var.policy
}
output "s3_bucket_id" { value = aws_s3_bucket.this.id }
output "s3_bucket_arn" { value = aws_s3_bucket.this.arn }
"""

ROOT = """\
terraform {
  backend "s3" {
    bucket = "acme-tfstate"
    key    = "prod/app.tfstate"
    region = "eu-west-1"
  }
}
provider "aws" { region = "eu-west-1" }

module "reports" {
  source        = "terraform-aws-modules/s3-bucket/aws"
  version       = "4.1.0"
  bucket        = "acme-prod-reports"
  attach_policy = true
  policy        = data.aws_iam_policy_document.reports.json
}

module "network" {
  source = "git::https://github.com/acme/terraform-network.git?ref=v3.2.0"
  cidr   = "10.20.0.0/16"
}

data "aws_iam_policy_document" "reports" {
  statement {
    sid       = "OnlyThePublisher"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["${module.reports.s3_bucket_arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotLike"
      variable = "aws:PrincipalArn"
      values   = [aws_iam_role.publisher.arn]
    }
  }
}

resource "aws_iam_role" "publisher" {
  name               = "report-publisher"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role" "analyst" {
  name               = "report-analyst"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "ec2.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role_policy" "analyst_reads" {
  role = aws_iam_role.analyst.id
  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Action = ["s3:GetObject"],
    Resource = "${module.reports.s3_bucket_arn}/*"}]})
}
"""

MANIFEST = {"Modules": [
    {"Key": "", "Source": "", "Dir": "."},
    {"Key": "reports", "Source": "registry.terraform.io/terraform-aws-modules/s3-bucket/aws", "Version": "4.1.0",
     "Dir": ".terraform/modules/reports"},
]}


def _tree(root: Path, *, initialised: bool) -> None:
    files = {"envs/prod/main.tf": ROOT}
    if initialised:
        files[".terraform/modules/modules.json".join(("envs/prod/", ""))] = json.dumps(MANIFEST)
        files["envs/prod/.terraform/modules/reports/main.tf"] = S3_MODULE
    write_tree(root, files)


def test_a_registry_module_terraform_init_fetched_is_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path, initialised=True)
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    assert code == 1
    denied = [f for f in report["findings"] if f["rule"] == "W403-D101"]
    assert [f["access"]["principal_ref"] for f in denied] == ["aws_iam_role.analyst"]
    assert "OnlyThePublisher" in denied[0]["message"]
    assert report["stats"]["accesses_simulated"] > 0
    # The git module was never fetched: one note, naming it and how to include it; counted once.
    notes = [f for f in report["findings"] if "module.network" in f["message"]]
    assert len(notes) == 1 and notes[0]["severity"] == "note"
    assert "terraform init in envs/prod" in notes[0]["message"] and "terraform show -json" in notes[0]["message"]
    assert report["stats"]["module_calls_not_read"] == 1
    assert "envs/prod/.terraform/modules/reports/main.tf" not in {e["file"] for e in report["errors"]}
    _, out, _ = check_text(capsys, ".")
    assert "1 module call not read" in out


def test_without_terraform_init_the_module_calls_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path, initialised=False)
    monkeypatch.chdir(tmp_path)
    code, report = check_json(capsys, ".")
    # The bucket and its policy are in the module nobody fetched: nothing may be claimed about them.
    assert not [f for f in report["findings"] if f["severity"] in ("error", "warning")], report["findings"]
    assert code == 0
    assert report["stats"]["module_calls_not_read"] == 2
    named = sorted(m for f in report["findings"] for m in ("module.reports", "module.network") if m in f["message"]
                   and "terraform init" in f["message"])
    assert named == ["module.network", "module.reports"]


@pytest.mark.parametrize("calls", [3, 12])
def test_the_module_calls_of_a_root_not_read_are_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str], calls: int) -> None:
    """A root never terraform init-ed that calls its modules from the registry: one note, at the
    first call, naming each (up to eight), where it is and what depends on it, and the remedy once;
    the summary still counts every call."""
    block = 'module "m{:02}" {{\n  source  = "terraform-aws-modules/s3-bucket/aws"\n  version = "4.0.0"\n}}\n'
    blocks = "".join(block.format(i) for i in range(calls))
    policy = ('resource "aws_s3_bucket_policy" "p" {\n  bucket = module.m01.s3_bucket_id\n'
              '  policy = "{}"\n}\n')
    write_tree(tmp_path, {"envs/prod/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n' + blocks + policy})
    monkeypatch.chdir(tmp_path)
    _, report = check_json(capsys, ".")
    notes = [f for f in report["findings"] if "which why403 does not fetch" in f["message"]]
    assert len(notes) == 1 and notes[0]["location"]["line"] == 4, "at the first call"
    message = notes[0]["message"]
    assert message.startswith(f"{calls} module calls are not read")
    assert message.count("terraform init") == 1
    assert "module.m01 comes from 'terraform-aws-modules/s3-bucket/aws', which why403 does not fetch " \
           "(envs/prod/main.tf:8; used by aws_s3_bucket_policy.p)" in message
    named = [f"module.m{i:02} " for i in range(calls) if f"module.m{i:02} " in message]
    assert len(named) == min(calls, 8)
    assert ("and 4 more" in message) == (calls == 12)
    assert report["stats"]["module_calls_not_read"] == calls


def test_only_terraform_module_calls_count_as_module_calls_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A template's custom resource is also a part why403 cannot read, but not a module call."""
    block = 'module "logs" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n}\n'
    template = ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Seed:\n    Type: Custom::Seed\n"
                "    Properties:\n      ServiceToken: arn:aws:lambda:eu-west-1:111122223333:function:seed\n"
                "  Data:\n    Type: AWS::S3::Bucket\n")
    write_tree(tmp_path, {"envs/prod/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n' + block,
                          "stacks/data.yaml": template})
    monkeypatch.chdir(tmp_path)
    _, report = check_json(capsys, ".")
    assert report["stats"]["module_calls_not_read"] == 1

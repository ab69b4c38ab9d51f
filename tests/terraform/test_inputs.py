"""Values of the world: variables (defaults, tfvars, --var-file, --var), data sources, providers,
and what the run says when a value is missing."""

from __future__ import annotations

from pathlib import Path

from why403.model import symbols
from why403.model.facts import (
    AccountFact,
    BucketFact,
    BucketPolicyFact,
    InlinePolicyFact,
    KeyFact,
    RoleFact,
)

from .helpers import A, R, errors, facts, load, notes, one, write

BUCKET = '''
variable "bucket_name" {
  type = string
}

variable "readers" {
  type    = list(string)
  default = []
}

variable "environment" {
  type    = string
  default = "dev"
}

resource "aws_s3_bucket" "data" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Readers-${var.environment}"
      Effect    = "Allow"
      Principal = { AWS = var.readers }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::${var.bucket_name}/*"
    }]
  })
}
'''


def test_a_variable_without_value_is_unknown_and_one_note_says_how_to_supply_it(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": BUCKET})
    bucket = one(result, BucketFact)
    assert bucket.name == symbols.unknown("var.bucket_name")
    stmt = one(result, BucketPolicyFact).policy.statements[0]
    # The same token in the bucket and in the policy: they still link.
    assert stmt.resources == (f"arn:aws:s3:::{bucket.name}/*",)
    assert one(result, BucketPolicyFact).bucket == bucket.name
    (note,) = [n for n in notes(result) if "var.bucket_name" in n.message]
    assert "--var bucket_name=VALUE" in note.message and "tfvars" in note.message and "plan JSON" in note.message
    assert note.location.file.endswith("main.tf") and note.location.line == 1
    assert "aws_s3_bucket_policy.data" in note.message
    assert not [n for n in notes(result) if "var.readers" in n.message or "var.environment" in n.message]


def test_tfvars_auto_tfvars_var_files_and_vars_in_terraform_order(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": BUCKET,
        "terraform.tfvars": 'bucket_name = "from-tfvars"\nenvironment = "prod"\n',
        "b.auto.tfvars": 'bucket_name = "from-auto-b"\n',
        "a.auto.tfvars.json": '{"bucket_name": "from-auto-a", "readers": ["arn:aws:iam::111122223333:root"]}',
        "extra.tfvars": 'bucket_name = "from-var-file"\n',
    })
    auto = load(tmp_path)
    assert one(auto, BucketFact).name == "from-auto-b"  # *.auto.tfvars in lexical order, after terraform.tfvars
    stmt = one(auto, BucketPolicyFact).policy.statements[0]
    assert stmt.sid == "Readers-prod"
    assert stmt.principals is not None and stmt.principals[0].value == "arn:aws:iam::111122223333:root"
    assert not notes(auto)
    with_file = load(tmp_path, tf_var_files=(str(tmp_path / "extra.tfvars"),))
    assert one(with_file, BucketFact).name == "from-var-file"
    with_var = load(tmp_path, tf_var_files=(str(tmp_path / "extra.tfvars"),),
                    tf_vars=(("bucket_name", "from-cli"), ("readers", '["arn:aws:iam::444455556666:root"]')))
    assert one(with_var, BucketFact).name == "from-cli"
    principals = one(with_var, BucketPolicyFact).policy.statements[0].principals
    assert principals is not None and principals[0].value == "arn:aws:iam::444455556666:root"
    assert str(tmp_path / "terraform.tfvars") in with_var.files


def test_a_list_variable_without_value_makes_the_principal_unknown(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": BUCKET.replace("default = []", ""),
                             "terraform.tfvars": 'bucket_name = "b"\n'})
    principals = one(result, BucketPolicyFact).policy.statements[0].principals
    assert principals is not None and symbols.has_uncertain_token(principals[0].value)
    assert [n for n in notes(result) if "var.readers" in n.message]


def test_data_sources_describe_the_provider_and_others_are_unknown_with_a_note(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        provider "aws" {
          region = "eu-west-1"
        }
        data "aws_caller_identity" "me" {}
        data "aws_region" "here" {}
        data "aws_partition" "p" {}
        data "aws_iam_policy" "readonly" {
          name = "ReadOnlyAccess"
        }
        resource "aws_kms_key" "k" {
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Principal = {
                AWS = "arn:${data.aws_partition.p.partition}:iam::${data.aws_caller_identity.me.account_id}:root"
              }
              Action    = "kms:*"
              Resource  = "*"
              Condition = { StringEquals = { "kms:ViaService" = "s3.${data.aws_region.here.name}.amazonaws.com" } }
            }]
          })
        }
        resource "aws_iam_role_policy" "p" {
          role   = "app"
          policy = data.aws_iam_policy.readonly.policy
        }
        '''})
    key = one(result, KeyFact)
    assert key.region == "eu-west-1"
    assert key.policy is not None
    stmt = key.policy.statements[0]
    assert stmt.principals is not None and stmt.principals[0].value == f"arn:aws:iam::{A}:root"
    assert stmt.conditions[0].values == ("s3.eu-west-1.amazonaws.com",)
    inline = one(result, InlinePolicyFact).policy
    assert inline.unknown is not None and "read from AWS" in inline.unknown
    (note,) = notes(result)
    assert "data.aws_iam_policy.readonly" in note.message and "plan JSON" in note.message


def test_account_id_option_replaces_the_home_account(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": 'data "aws_caller_identity" "me" {}\nresource "aws_iam_role" "r" {\n'
                                        '  name = "r"\n  assume_role_policy = "{}"\n}\n'},
                  account_id="123456789012", region="eu-central-1")
    role = one(result, RoleFact)
    assert role.arn == "arn:aws:iam::123456789012:role/r" and role.account == "123456789012"
    (account,) = facts(result, AccountFact)
    assert (account.account, account.region) == ("123456789012", "eu-central-1")


def test_providers_account_region_and_unknown_accounts_are_never_the_home_one(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        variable "prod_account" {
          type = string
        }
        provider "aws" {
          region = "us-east-1"
        }
        provider "aws" {
          alias               = "prod"
          region              = "us-west-2"
          allowed_account_ids = [var.prod_account]
        }
        provider "aws" {
          alias = "logs"
          assume_role {
            role_arn = "arn:aws:iam::210987654321:role/deploy"
          }
        }
        resource "aws_s3_bucket" "home" {
          bucket = "home"
        }
        resource "aws_s3_bucket" "prod" {
          provider = aws.prod
          bucket   = "prod"
        }
        resource "aws_s3_bucket" "logs" {
          provider = aws.logs
          bucket   = "logs"
        }
        resource "aws_iam_role" "prod" {
          provider           = aws.prod
          name               = "app"
          assume_role_policy = "{}"
        }
        '''})
    buckets = {f.name: f for f in facts(result, BucketFact)}
    assert (buckets["home"].account, buckets["home"].region) == (A, "us-east-1")
    assert buckets["prod"].account == symbols.unknown("var.prod_account") and buckets["prod"].region == "us-west-2"
    assert (buckets["logs"].account, buckets["logs"].region) == ("210987654321", R)
    assert one(result, RoleFact).arn == f"arn:aws:iam::{symbols.unknown('var.prod_account')}:role/app"
    assert {f.name for f in facts(result, AccountFact)} == {"aws", "prod", "logs"}


def test_a_policy_from_an_unresolved_module_output_is_unknown_not_silent(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        module "policies" {
          source  = "terraform-aws-modules/iam/aws//modules/iam-policy"
          version = "5.0.0"
        }
        resource "aws_iam_role_policy" "p" {
          role   = "app"
          policy = module.policies.policy
        }
        '''})
    policy = one(result, InlinePolicyFact).policy
    assert policy.unknown is not None and not policy.statements
    remote = [n for n in notes(result) if n.code == "remote-module"]
    assert len(remote) == 1 and "terraform init" in remote[0].message
    # One note for the module: it says what its unknown outputs decide (no second, unknown-input note).
    assert "module.policies" in remote[0].message and "(used by aws_iam_role_policy.p)" in remote[0].message
    assert not [n for n in notes(result) if "module.policies" in n.message and n.code == "unknown-input"]
    assert not errors(result)

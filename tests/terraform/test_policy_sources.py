"""Where a policy's text comes from, and the line each statement is reported at."""

from __future__ import annotations

from pathlib import Path

from why403.model import symbols
from why403.model.facts import BucketPolicyFact, EndpointFact, InlinePolicyFact, KeyFact, RoleFact

from .helpers import errors, facts, load, notes, one, write


def test_policy_files_templates_and_locals_give_statement_lines_in_their_own_file(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "policies/read.json": '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",'
                              ' "Action": "s3:GetObject", "Resource": "*"},\n    {"Effect": "Deny",'
                              ' "Action": "s3:DeleteObject", "Resource": "*"}\n  ]\n}\n',
        "policies/key.json.tpl": '{"Version": "2012-10-17", "Statement": [\n'
                                 '  {"Effect": "Allow", "Principal": {"AWS": "${admin}"}, "Action": "kms:*",'
                                 ' "Resource": "*"}\n]}\n',
        "locals.tf": '''
            locals {
              trust = {
                Version = "2012-10-17"
                Statement = [
                  {
                    Effect    = "Allow"
                    Principal = { Service = "lambda.amazonaws.com" }
                    Action    = "sts:AssumeRole"
                  },
                ]
              }
            }
            ''',
        "main.tf": '''
            resource "aws_iam_role" "app" {
              name               = "app"
              assume_role_policy = jsonencode(local.trust)
            }
            resource "aws_iam_role_policy" "read" {
              role   = aws_iam_role.app.id
              policy = file("${path.module}/policies/read.json")
            }
            resource "aws_kms_key" "k" {
              policy = templatefile("${path.module}/policies/key.json.tpl", { admin = aws_iam_role.app.arn })
            }
            ''',
    })
    assert not errors(result)
    trust = one(result, RoleFact).trust_policy
    assert trust is not None and trust.statements[0].location is not None
    assert trust.statements[0].location.file.endswith("locals.tf") and trust.statements[0].location.line == 5
    read = one(result, InlinePolicyFact).policy
    assert [(Path(s.location.file).name, s.location.line) for s in read.statements if s.location] == \
        [("read.json", 4), ("read.json", 5)]
    key = one(result, KeyFact).policy
    assert key is not None and key.statements[0].location is not None
    assert Path(key.statements[0].location.file).name == "key.json.tpl" and key.statements[0].location.line == 2
    assert key.statements[0].principals is not None
    assert key.statements[0].principals[0].value == one(result, RoleFact).arn


def test_relative_paths_are_read_and_absolute_ones_outside_the_root_are_not(tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text('{"Version": "2012-10-17", "Statement": []}', encoding="utf-8")
    write(tmp_path / "envs" / "prod", {"main.tf": f'''
        resource "aws_iam_role_policy" "absolute" {{
          role   = "r"
          policy = file("{shared}")
        }}
        resource "aws_iam_role_policy" "relative" {{
          role   = "r"
          policy = file("${{path.module}}/../../shared.json")
        }}
        '''})
    result = load(tmp_path / "envs" / "prod")
    by_ref = {f.ref: f.policy for f in facts(result, InlinePolicyFact)}
    assert by_ref["aws_iam_role_policy.absolute"].unknown is not None
    assert "cannot be read" in str(by_ref["aws_iam_role_policy.absolute"].unknown)
    assert by_ref["aws_iam_role_policy.relative"].unknown is None


# A policy as one quoted HCL string: escaped quotes, and $${ for a literal policy variable.
QUOTED_POLICY = ('"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Deny\\",'
                 '\\"Principal\\":\\"*\\",\\"Action\\":\\"s3:*\\",'
                 '\\"Resource\\":\\"arn:aws:s3:::b/${"$"}{aws:userid}\\"}]}"')


def test_policy_variables_and_json_encoding_details(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": r'''
        data "aws_iam_policy_document" "home" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::home/&{aws:username}/*"]
            condition {
              test     = "NumericLessThan"
              variable = "s3:max-keys"
              values   = [10]
            }
          }
        }
        resource "aws_iam_user_policy" "home" {
          user   = "u"
          policy = data.aws_iam_policy_document.home.json
        }
        resource "aws_s3_bucket_policy" "b" {
          bucket = "b"
          policy = QUOTED_POLICY
        }
        '''.replace("QUOTED_POLICY", QUOTED_POLICY)})
    stmt = one(result, InlinePolicyFact).policy.statements[0]
    assert stmt.resources == ("arn:aws:s3:::home/${aws:username}/*",)
    assert stmt.conditions[0].values == ("10",)
    deny = one(result, BucketPolicyFact).policy.statements[0]
    assert deny.resources == ("arn:aws:s3:::b/${aws:userid}",)
    assert not notes(result) and not errors(result)


def test_policy_document_writes_numbers_as_terraform_does(tmp_path: Path) -> None:
    """Condition values are a set of strings: a fractional number becomes Terraform's decimal text
    (``0.5``), never the Fraction's ``1/2``."""
    result = load(tmp_path, {"main.tf": '''
        data "aws_iam_policy_document" "d" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["*"]
            condition {
              test     = "NumericLessThan"
              variable = "s3:max-keys"
              values   = [0.5, 10 / 4, -0.25, true]
            }
          }
        }
        resource "aws_iam_user_policy" "d" {
          user   = "u"
          policy = data.aws_iam_policy_document.d.json
        }
        '''})
    stmt = one(result, InlinePolicyFact).policy.statements[0]
    assert stmt.conditions[0].values == ("0.5", "2.5", "-0.25", "true")
    assert not notes(result) and not errors(result)


def test_a_numeric_sid_is_the_text_terraform_converts_it_to(tmp_path: Path) -> None:
    """``sid``, ``effect`` and ``policy_id`` are strings in the data source's schema: Terraform
    converts ``sid = 0`` to ``"0"`` before the provider builds the document, so IAM gets a string
    Sid (``Sid must be a string`` was reported on real modules). Two statements whose numeric sids
    are the same text still replace one another as the provider does with equal Sids."""
    result = load(tmp_path, {"main.tf": '''
        data "aws_iam_policy_document" "base" {
          statement {
            sid       = 1
            actions   = ["s3:ListBucket"]
            resources = ["arn:aws:s3:::reports-bkt"]
          }
        }
        data "aws_iam_policy_document" "d" {
          policy_id               = 7
          source_policy_documents = [data.aws_iam_policy_document.base.json]
          statement {
            sid       = 0
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:root"]
            }
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::reports-bkt/*"]
          }
          statement {
            sid       = "1"
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:root"]
            }
            actions   = ["s3:PutObject"]
            resources = ["arn:aws:s3:::reports-bkt/*"]
          }
        }
        resource "aws_s3_bucket_policy" "d" {
          bucket = "reports-bkt"
          policy = data.aws_iam_policy_document.d.json
        }
        '''})
    policy = one(result, BucketPolicyFact).policy
    assert policy.problems == ()
    assert policy.id == "7"
    assert [(s.sid, s.actions) for s in policy.statements] == [("1", ("s3:PutObject",)), ("0", ("s3:GetObject",))]
    assert not errors(result)


def test_an_optional_policy_argument_set_to_empty_text_writes_no_policy(tmp_path: Path) -> None:
    """``policy = ""`` on a bucket, key or endpoint is Terraform's zero value: the provider sends no
    policy (a module's ``default = ""`` "if empty, no policy will be set"), so the key keeps the
    default key policy and the endpoint the full-access one; no empty document is reported. The
    policy of aws_s3_bucket_policy is required: there "" is an empty document AWS refuses."""
    result = load(tmp_path, {"main.tf": '''
        variable "bucket_policy" {
          type    = string
          default = ""
        }
        resource "aws_s3_bucket" "b" {
          bucket = "reports-bkt"
          policy = var.bucket_policy
        }
        resource "aws_kms_key" "k" {
          policy = ""
        }
        resource "aws_vpc_endpoint" "s3" {
          vpc_id       = "vpc-1"
          service_name = "com.amazonaws.eu-west-2.s3"
          policy       = ""
        }
        resource "aws_s3_bucket_policy" "other" {
          bucket = "other-bkt"
          policy = ""
        }
        '''})
    (written,) = facts(result, BucketPolicyFact)
    assert written.bucket == "other-bkt"
    assert [p.message for p in written.policy.problems] == ["the policy document is empty"]
    assert one(result, KeyFact).policy is None
    assert one(result, EndpointFact).policy is None


def test_a_whole_policy_from_an_unset_variable_is_unknown_with_its_reason(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        variable "bucket_policy" {
          type        = string
          description = "JSON policy for the bucket"
        }
        resource "aws_s3_bucket_policy" "b" {
          bucket = "b"
          policy = var.bucket_policy
        }
        '''})
    policy = one(result, BucketPolicyFact).policy
    assert policy.unknown is not None and "bucket_policy" in symbols.render(policy.unknown)
    assert [n for n in notes(result) if "var.bucket_policy" in n.message]


def test_policy_document_text_keeps_the_provider_order_and_layout() -> None:
    """``aws_iam_policy_document`` writes keys in its own order (Version first), indented for
    ``json`` and compact for ``minified_json``; ``jsonencode`` sorts keys. One encoder does both."""
    from fractions import Fraction

    from why403.sources.terraform.functions import dumps

    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "a<b", "Effect": "Allow", "N": Fraction(1, 2)}]}
    assert dumps(doc, indent=True, sort_keys=False) == (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "a\\u003cb",\n'
        '      "Effect": "Allow",\n      "N": 0.5\n    }\n  ]\n}')
    assert dumps(doc, sort_keys=False) == \
        '{"Version":"2012-10-17","Statement":[{"Sid":"a\\u003cb","Effect":"Allow","N":0.5}]}'
    assert dumps(doc) == '{"Statement":[{"Effect":"Allow","N":0.5,"Sid":"a\\u003cb"}],"Version":"2012-10-17"}'

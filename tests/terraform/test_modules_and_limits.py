"""Instances and modules (count, for_each, local, nested and initialised remote modules), what is
unknown about them, and configurations built to hang or crash a reader."""

from __future__ import annotations

import json
import time
from pathlib import Path

from why403.model import symbols
from why403.model.facts import (
    AccountFact,
    BucketFact,
    BucketPolicyFact,
    InlinePolicyFact,
    RoleFact,
)

from .helpers import A, errors, facts, load, notes, one, write

CHILD = '''
variable "name" {
  type = string
}
variable "trusted" {
  type    = list(string)
  default = []
}
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [for p in var.trusted : { Effect = "Allow", Principal = { AWS = p }, Action = "sts:AssumeRole" }]
  })
}
module "bucket" {
  source = "../bucket"
  name   = "${var.name}-data"
  reader = aws_iam_role.this.arn
}
output "arn" {
  value = aws_iam_role.this.arn
}
output "bucket_arn" {
  value = module.bucket.arn
}
'''

BUCKET = '''
variable "name" {
  type = string
}
variable "reader" {
  type = string
}
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = var.reader }, Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.this.arn}/*" }]
  })
}
output "arn" {
  value = aws_s3_bucket.this.arn
}
'''


def test_nested_local_modules_with_count_and_for_each_instances(tmp_path: Path) -> None:
    write(tmp_path, {
        "root/main.tf": '''
            provider "aws" {
              alias  = "west"
              region = "us-west-2"
            }
            module "svc" {
              source   = "../modules/service"
              for_each = toset(["api", "worker"])
              name     = each.key
              trusted  = ["arn:aws:iam::111122223333:root"]
              providers = {
                aws = aws.west
              }
            }
            module "batch" {
              source = "../modules/service"
              count  = 2
              name   = "batch-${count.index}"
            }
            resource "aws_iam_role_policy" "api_reads" {
              role   = "ops"
              policy = jsonencode({ Version = "2012-10-17", Statement = [
                { Effect = "Allow", Action = "s3:GetObject", Resource = "${module.svc["api"].bucket_arn}/*" }] })
            }
            ''',
        "modules/service/main.tf": CHILD,
        "modules/bucket/main.tf": BUCKET,
    })
    result = load(tmp_path / "root")
    assert not errors(result)
    roles = {f.ref: f for f in facts(result, RoleFact)}
    assert set(roles) == {'module.svc["api"].aws_iam_role.this', 'module.svc["worker"].aws_iam_role.this',
                          "module.batch[0].aws_iam_role.this", "module.batch[1].aws_iam_role.this"}
    api = roles['module.svc["api"].aws_iam_role.this']
    assert api.arn == f"arn:aws:iam::{A}:role/api"
    assert api.trust_policy is not None and api.trust_policy.statements[0].principals is not None
    buckets = {f.ref: f for f in facts(result, BucketFact)}
    api_bucket = buckets['module.svc["api"].module.bucket.aws_s3_bucket.this']
    assert api_bucket.name == "api-data" and api_bucket.region == "us-west-2"
    assert buckets["module.batch[1].module.bucket.aws_s3_bucket.this"].region == symbols.HOME_REGION
    policy = next(f for f in facts(result, BucketPolicyFact) if f.bucket == "api-data").policy
    assert policy.statements[0].principals is not None and policy.statements[0].principals[0].value == api.arn
    assert policy.statements[0].location is not None
    assert policy.statements[0].location.file.endswith("modules/bucket/main.tf")
    reads = one(result, InlinePolicyFact).policy.statements[0]
    assert reads.resources == ("arn:aws:s3:::api-data/*",)
    assert {f.name for f in facts(result, AccountFact)} == {"aws", "west"}


def test_registry_modules_are_read_from_terraform_init_s_directory(tmp_path: Path) -> None:
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                            {"Key": "roles", "Source": "registry.terraform.io/acme/roles/aws", "Version": "1.2.0",
                             "Dir": ".terraform/modules/roles"},
                            {"Key": "roles.bucket", "Source": "../bucket", "Dir": ".terraform/modules/bucket"}]}
    result = load(tmp_path, {
        "main.tf": 'module "roles" {\n  source  = "acme/roles/aws"\n  version = "1.2.0"\n  name = "etl"\n}\n',
        ".terraform/modules/modules.json": json.dumps(manifest),
        ".terraform/modules/roles/main.tf": CHILD.replace('source = "../bucket"', 'source = "acme/bucket/aws"'),
        ".terraform/modules/bucket/main.tf": BUCKET,
    })
    assert not errors(result) and not [n for n in notes(result) if n.code == "remote-module"]
    assert one(result, RoleFact).ref == "module.roles.aws_iam_role.this"
    assert one(result, BucketFact).ref == "module.roles.module.bucket.aws_s3_bucket.this"


def test_unknown_count_makes_the_resource_s_statements_maybe(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        variable "lock_down" {
          type = bool
        }
        resource "aws_s3_bucket" "b" {
          bucket = "b"
        }
        resource "aws_s3_bucket_policy" "deny" {
          count  = var.lock_down ? 1 : 0
          bucket = aws_s3_bucket.b.id
          policy = jsonencode({ Version = "2012-10-17", Statement = [
            { Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "${aws_s3_bucket.b.arn}/*" }] })
        }
        '''})
    fact = one(result, BucketPolicyFact)
    assert fact.ref == "aws_s3_bucket_policy.deny[0]"
    (stmt,) = fact.policy.statements
    assert stmt.maybe is not None and "count" in stmt.maybe
    assert [n for n in notes(result) if "var.lock_down" in n.message]


def test_unknown_parts_of_a_statement_list_keep_the_known_statements(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        variable "extra_statements" {
          type = list(any)
        }
        variable "writers" {
          type = set(string)
        }
        resource "aws_iam_role_policy" "app" {
          role = "app"
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = concat([{ Sid = "Read", Effect = "Allow", Action = "s3:GetObject", Resource = "*" }],
                               var.extra_statements)
          })
        }
        data "aws_iam_policy_document" "writers" {
          statement {
            sid       = "Base"
            actions   = ["s3:ListBucket"]
            resources = ["*"]
          }
          dynamic "statement" {
            for_each = var.writers
            content {
              actions   = ["s3:PutObject"]
              resources = ["arn:aws:s3:::${statement.value}/*"]
            }
          }
        }
        resource "aws_iam_role_policy" "writers" {
          role   = "app"
          policy = data.aws_iam_policy_document.writers.json
        }
        '''})
    by_ref = {f.ref: f.policy for f in facts(result, InlinePolicyFact)}
    app = by_ref["aws_iam_role_policy.app"]
    assert app.statements[0].sid == "Read" and app.statements[0].maybe is None
    # The unknown rest could hold any statement: a possible Allow and a possible Deny.
    assert {s.effect for s in app.statements[1:]} == {"Allow", "Deny"} and all(s.maybe for s in app.statements[1:])
    writers = by_ref["aws_iam_role_policy.writers"]
    assert writers.statements[0].sid == "Base" and writers.statements[0].maybe is None
    assert all(s.maybe for s in writers.statements[1:]) and len(writers.statements) == 3
    assert {n.message.split()[0] for n in notes(result)} == {"var.extra_statements", "var.writers"}


def test_generated_names_stay_linked_to_their_resource(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        resource "aws_s3_bucket" "logs" {
          bucket_prefix = "logs-"
        }
        resource "aws_iam_role" "r" {
          name_prefix        = "app-"
          path               = "/service/"
          assume_role_policy = "{}"
        }
        resource "aws_s3_bucket_policy" "logs" {
          bucket = aws_s3_bucket.logs.bucket
          policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow",
            Principal = { AWS = aws_iam_role.r.arn }, Action = "s3:GetObject",
            Resource = "${aws_s3_bucket.logs.arn}/*" }] })
        }
        '''})
    bucket = one(result, BucketFact)
    assert bucket.name == "logs-" + symbols.opaque("aws_s3_bucket.logs.bucket")
    policy = one(result, BucketPolicyFact)
    assert policy.bucket == bucket.name
    stmt = policy.policy.statements[0]
    assert stmt.resources == (f"arn:aws:s3:::{bucket.name}/*",)
    role = one(result, RoleFact)
    assert role.name == "app-" + symbols.opaque("aws_iam_role.r.name")
    assert role.arn == f"arn:aws:iam::{A}:role/service/{role.name}"
    assert stmt.principals is not None and stmt.principals[0].value == role.arn


# -- hostile inputs --------------------------------------------------------------------------------------------


def test_cyclic_locals_end_with_an_error_naming_the_cycle(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": '''
        locals {
          a = "${local.b}-x"
          b = "${local.c}-y"
          c = local.a
          ok = "fine"
        }
        resource "aws_s3_bucket" "cyclic" {
          bucket = local.a
        }
        resource "aws_s3_bucket" "fine" {
          bucket = local.ok
        }
        resource "aws_iam_role" "self" {
          name               = aws_iam_role.self.arn
          assume_role_policy = "{}"
        }
        '''})
    cycles = [d for d in errors(result) if d.code == "cycle"]
    assert any("local.a" in d.message and "local.b" in d.message and "local.c" in d.message for d in cycles)
    names = {f.ref: f.name for f in facts(result, BucketFact)}
    assert names["aws_s3_bucket.fine"] == "fine"
    assert symbols.has_uncertain_token(names["aws_s3_bucket.cyclic"])
    assert one(result, RoleFact).ref == "aws_iam_role.self"


def test_a_module_that_includes_itself_is_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "main.tf": 'module "loop" {\n  source = "./m"\n}\n',
        "m/main.tf": 'module "again" {\n  source = "../m"\n}\nresource "aws_s3_bucket" "b" {\n  bucket = "inner"\n}\n',
    })
    (err,) = [d for d in errors(result) if d.code == "module-cycle"]
    assert "module.loop.module.again" in err.message and err.location.file.endswith("m/main.tf")
    assert one(result, BucketFact).name == "inner"


def test_a_huge_count_is_capped_with_a_note(tmp_path: Path) -> None:
    start = time.monotonic()
    result = load(tmp_path, {"main.tf": '''
        resource "aws_iam_user" "u" {
          count = 100000000
          name  = "user-${count.index}"
        }
        resource "aws_s3_bucket" "b" {
          for_each = toset([for i in range(5000) : "b${i}"])
          bucket   = each.key
        }
        '''})
    assert time.monotonic() - start < 60
    limits = [n for n in notes(result) if n.code == "limit"]
    assert len(limits) == 2 and "100000000" in limits[0].message
    assert result.resources == 2000


def test_runaway_evaluation_is_stopped_and_the_other_resources_are_read(tmp_path: Path) -> None:
    start = time.monotonic()
    result = load(tmp_path, {"main.tf": '''
        locals {
          big = [for i in range(100000) : [for j in range(100000) : "${i}-${j}"]]
        }
        resource "aws_iam_role_policy" "runaway" {
          role   = "r"
          policy = jsonencode({ Version = "2012-10-17", Statement = local.big })
        }
        resource "aws_s3_bucket" "after" {
          bucket = "still-read"
        }
        '''})
    assert time.monotonic() - start < 60
    assert [d for d in errors(result) if d.code == "limit"]
    assert one(result, BucketFact).name == "still-read"

"""Functions on values known only after apply: exact where the known parts decide the result,
unknown otherwise (never a guess). terraform cannot be the oracle here (its answer is "known after
apply"), so each case states why the result is or is not determined."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import SourceOptions
from why403.sources.terraform.load import instantiate
from why403.sources.terraform.tfvalues import Unk

from .helpers import A, write

CONFIG = '''
variable "free" {
  type = string
}
resource "aws_s3_bucket" "gen" {
  bucket_prefix = "logs-"
}
resource "aws_iam_role" "r" {
  name               = "app"
  assume_role_policy = "{}"
}
locals {
  doc = jsonencode({ Resource = "arn:aws:s3:::_BUCKET_/*", Principal = aws_iam_role.r.arn })
}
output "placeholder_replaced" {
  value = replace(local.doc, "_BUCKET_", aws_s3_bucket.gen.id)
}
output "replace_could_touch_a_generated_name" {
  value = replace(aws_s3_bucket.gen.id, "-x", "")
}
output "replace_in_a_free_value" {
  value = replace("a-${var.free}", "-", "_")
}
output "account_from_an_arn" {
  value = split(":", aws_iam_role.r.arn)[4]
}
output "split_a_free_value" {
  value = split(",", "a,${var.free}")
}
output "same_token_twice" {
  value = distinct([aws_iam_role.r.arn, aws_iam_role.r.arn, "x"])
}
output "two_generated_names" {
  value = toset([aws_s3_bucket.gen.id, "logs-abc"])
}
output "home_account_and_a_literal" {
  value = toset([aws_iam_role.r.arn, "arn:aws:iam::111122223333:role/app"])
}
output "lower_keeps_the_account" {
  value = lower(aws_iam_role.r.arn)
}
output "upper_of_a_generated_name" {
  value = upper(aws_s3_bucket.gen.id)
}
output "length_of_known_list_of_unknowns" {
  value = length([aws_s3_bucket.gen.id, var.free])
}
output "contains_found" {
  value = contains([var.free, "a"], "a")
}
output "contains_unsure" {
  value = contains([var.free], "a")
}
'''


def outputs(tmp_path: Path) -> dict[str, Any]:
    write(tmp_path, {"main.tf": CONFIG})
    _, root = instantiate(tmp_path, SourceOptions())
    return {name: root.output(name) for name in root.config.outputs}


def test_exact_where_the_known_parts_decide(tmp_path: Path) -> None:
    out = outputs(tmp_path)
    bucket = "logs-" + symbols.opaque("aws_s3_bucket.gen.bucket")
    role = f"arn:aws:iam::{A}:role/app"
    # "_BUCKET_" holds "_", which no generated name contains: it cannot overlap a token.
    assert '"Resource":"arn:aws:s3:::' + bucket + '/*"' in out["placeholder_replaced"]
    assert out["account_from_an_arn"] == A
    assert out["same_token_twice"] == [role, "x"]
    assert sorted(out["home_account_and_a_literal"]) == sorted([role, "arn:aws:iam::111122223333:role/app"])
    assert out["lower_keeps_the_account"] == role
    assert out["length_of_known_list_of_unknowns"] == 2
    assert out["contains_found"] is True


def test_unknown_where_a_token_could_change_the_answer(tmp_path: Path) -> None:
    out = outputs(tmp_path)
    for name in ("replace_could_touch_a_generated_name", "replace_in_a_free_value", "split_a_free_value",
                 "two_generated_names", "upper_of_a_generated_name", "contains_unsure"):
        assert isinstance(out[name], Unk), (name, out[name])

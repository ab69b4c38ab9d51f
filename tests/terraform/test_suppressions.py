"""``# why403:ignore[...]`` comments become suppression facts spanning what they cover."""

from __future__ import annotations

from pathlib import Path

from why403.model.facts import BucketPolicyFact, SuppressionFact

from .helpers import facts, load, one

CONFIG = '''
# why403:ignore[B301] public website, approved by security until=2026-06-30
resource "aws_s3_bucket_policy" "site" {
  bucket = "www.example.com"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "arn:aws:s3:::www.example.com/*"
      },
      // why403:ignore[D101, D102] legacy partner reader
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "s3:ListBucket"
        Resource  = "arn:aws:s3:::www.example.com"
      },
    ]
  })
}

data "aws_iam_policy_document" "key" {
  statement { # why403:ignore[B302]
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket" "b" { # why403:ignore[L201] until=2025-01-01
  bucket = "b"
}
'''


def test_suppressions_cover_the_block_or_the_statement_they_sit_on_or_above(tmp_path: Path) -> None:
    result = load(tmp_path, {"main.tf": CONFIG})
    sups = {f.rules: f for f in facts(result, SuppressionFact)}
    site = sups[("B301",)]
    assert (site.location.line, site.location.end_line) == (2, 22)
    assert site.reason == "public website, approved by security" and site.until == "2026-06-30"
    assert site.comment_location is not None and site.comment_location.line == 1
    assert site.ref == "aws_s3_bucket_policy.site"
    stmt = sups[("D101", "D102")]
    assert (stmt.location.line, stmt.location.end_line) == (14, 19) and stmt.reason == "legacy partner reader"
    policy = one(result, BucketPolicyFact).policy
    assert policy.statements[1].location is not None and policy.statements[1].location.line == 14
    key = sups[("B302",)]
    assert (key.location.line, key.location.end_line) == (25, 32) and key.reason == ""
    assert key.ref == "data.aws_iam_policy_document.key"
    bucket = sups[("L201",)]
    assert (bucket.location.line, bucket.location.end_line, bucket.until) == (35, 37, "2025-01-01")
    assert bucket.reason == ""


def test_a_suppression_in_a_module_is_reported_once(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "main.tf": 'module "a" {\n  source = "./m"\n}\nmodule "b" {\n  source = "./m"\n}\n',
        "m/main.tf": '# why403:ignore[B301] fine\nresource "aws_s3_bucket" "b" {\n  bucket_prefix = "x"\n}\n',
    })
    (sup,) = facts(result, SuppressionFact)
    assert sup.location.file.endswith("m/main.tf") and sup.location.line == 2

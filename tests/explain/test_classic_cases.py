"""The three classic 403s of issue 5, through `why403 check` and `why403 explain`, on Terraform."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from why403.cli.main import main

COMMON = """
provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "data" {
  bucket = "classic-data-bucket"
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "reader" {
  name = "read"
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadReports"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
    }]
  })
}
"""

BUCKET_DENY = """
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyReaders"
      Effect    = "Deny"
      Principal = { AWS = aws_iam_role.reader.arn }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}
"""

SSE_KMS = """
resource "aws_kms_key" "data" {
  description = "data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}
"""

ENDPOINT = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_route_table" "app" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table_association" "app" {
  subnet_id      = aws_subnet.app.id
  route_table_id = aws_route_table.app.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id          = aws_vpc.main.id
  service_name    = "com.amazonaws.eu-west-1.s3"
  route_table_ids = [aws_route_table.app.id]
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "ListOnly", Effect = "Allow", Principal = "*", Action = "s3:ListBucket", Resource = "*" }]
  })
}

resource "aws_iam_instance_profile" "reader" {
  name = "reader"
  role = aws_iam_role.reader.name
}

resource "aws_instance" "reader" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  subnet_id            = aws_subnet.app.id
  iam_instance_profile = aws_iam_instance_profile.reader.name
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReaderMayRead"
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.reader.arn }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}
"""

CASES = {
    "bucket-policy-deny": (BUCKET_DENY, "bucket-policy", "explicit", None, "DenyReaders"),
    "sse-kms-no-decrypt": (SSE_KMS, "identity-policy", "implicit", "kms:Decrypt", None),
    "endpoint-list-only": (ENDPOINT, "vpc-endpoint-policy", "implicit", None, None),
}


def _write(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "main.tf").write_text(textwrap.dedent(COMMON + extra))
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_the_layer(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra, layer, denial, kms_action, statement = CASES[case]
    root = _write(tmp_path, extra)
    code = main(["check", str(root), "--format", "json", "--no-cache"])
    import json

    report = json.loads(capsys.readouterr().out)
    denied = [f for f in report["findings"] if f["kind"] == "denied" and f["access"]
              and f["access"]["action"] == "s3:GetObject"]
    assert code == 1
    assert [(f["layer"], f["denial"], f["access"]["kms_action"]) for f in denied] == [(layer, denial, kms_action)]
    if statement:
        assert statement in denied[0]["message"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_explain_walks_every_layer(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra, layer, denial, kms_action, statement = CASES[case]
    root = _write(tmp_path, extra)
    code = main(["explain", str(root), "--principal", "aws_iam_role.reader", "--action", "s3:GetObject",
                 "--resource", "aws_s3_bucket.data/reports/q1.csv", "--no-config"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert out.startswith("Request\n")
    assert "arn:aws:iam::<this unit's account>:role/reader" in out
    assert "Evaluation, in AWS's order" in out
    assert "Verdict: DENIED (403)" in out
    assert f"by the {layer}" in out
    assert ("explicit deny" if denial == "explicit" else "implicit deny") in out
    if kms_action:
        assert f"S3's {kms_action} call to KMS" in out
    if statement:
        assert statement in out and "main.tf:" in out
    assert "Counterexample: AWS would refuse this request" in out
    assert "aws:principalarn = arn:aws:iam::<this unit's account>:role/reader" in out


def test_explain_allowed_request_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write(tmp_path, "")
    code = main(["explain", str(root), "--principal", "aws_iam_role.reader", "--action", "s3:ListBucket",
                 "--resource", "aws_s3_bucket.data", "--no-config"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Verdict: ALLOWED" in out


def test_explain_draft_fix_for_missing_decrypt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write(tmp_path, SSE_KMS)
    main(["explain", str(root), "--principal", "aws_iam_role.reader", "--action", "s3:GetObject",
          "--resource", "aws_s3_bucket.data/x", "--no-config"])
    out = capsys.readouterr().out
    assert "Draft fix (re-simulated: with it this access is allowed, and nothing else" in out
    assert 'Action   = "kms:Decrypt"' in out and "Resource = aws_kms_key.data.arn" in out  # Terraform, by reference


def test_explain_unknown_principal_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _write(tmp_path, "")
    code = main(["explain", str(root), "--principal", "aws_iam_role.nobody", "--action", "s3:GetObject",
                 "--resource", "aws_s3_bucket.data/x", "--no-config"])
    err = capsys.readouterr().err
    assert code == 2
    assert "aws_iam_role.reader" in err  # the message lists the principals the sources define

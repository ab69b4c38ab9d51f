# A bundled example: the exporter may upload to an SSE-KMS bucket, but its role was given
# kms:Encrypt. S3 asks KMS for kms:GenerateDataKey on the uploader's behalf, so every upload
# would fail with 403 Forbidden. `why403 check examples/kms-403` says which layer and why.

provider "aws" {
  region = "eu-west-1"
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "exports" {
  description = "Export files"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EnableIAMPolicies"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_s3_bucket" "exports" {
  bucket = "example-exports-bucket"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.exports.arn
    }
  }
}

resource "aws_iam_role" "exporter" {
  name = "exporter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "exporter" {
  name = "exports"
  role = aws_iam_role.exporter.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteExports"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.exports.arn}/*"
      },
      {
        Sid      = "EncryptExports"
        Effect   = "Allow"
        Action   = "kms:Encrypt"
        Resource = aws_kms_key.exports.arn
      },
    ]
  })
}

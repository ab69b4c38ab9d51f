"""Small corpora for the scale tests: the shared generator's when it is there, else a stand-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
GENERATOR = CHECKOUT.parent / "shared" / "tools" / "gen_corpus.py"
EXAMPLES = CHECKOUT.parent / "shared" / "examples"


def generated(target: Path, modules: int) -> Path:
    """``gen_corpus.py`` output (Terraform root + modules, CloudFormation stacks) with ``modules`` modules."""
    subprocess.run([sys.executable, str(GENERATOR), str(target), "-n", str(modules)], check=True,
                   stdout=subprocess.DEVNULL)
    return target


def synthetic(target: Path, modules: int) -> Path:
    """A root module calling ``modules`` local modules of three files each (bucket, role, policy)."""
    root = target / "root"
    root.mkdir(parents=True)
    calls = []
    for i in range(modules):
        mod = target / "modules" / f"m{i:04}"
        mod.mkdir(parents=True)
        (mod / "variables.tf").write_text('variable "prefix" {\n  type = string\n}\n')
        (mod / "main.tf").write_text(
            f'resource "aws_s3_bucket" "b" {{\n  bucket = "${{var.prefix}}-data-{i}"\n}}\n\n'
            f'resource "aws_iam_role" "reader" {{\n  name = "reader-{i}"\n'
            '  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",\n'
            '    Principal = {Service = "ec2.amazonaws.com"}, Action = "sts:AssumeRole"}]})\n}\n')
        (mod / "policy.tf").write_text(
            'resource "aws_iam_role_policy" "read" {\n  role = aws_iam_role.reader.id\n'
            '  policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",\n'
            '    Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.b.arn}/*"}]})\n}\n')
        calls.append(f'module "m{i}" {{\n  source = "../modules/m{i:04}"\n  prefix = "acme"\n}}\n')
    (root / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n\n' + "\n".join(calls))
    return target

"""The hostile inputs of issue 12, point 4, as small trees (tests/hostile and bench/hostile.py).

Each is written next to an ordinary public bucket (``fine/``), whose finding must still come out:
a bound that is hit costs the input that hit it, never the others.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

PUBLIC = '''
resource "aws_s3_bucket" "b" {
  bucket = "fine-bucket"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
'''


def _bucket_named(expression: str) -> str:
    return f'resource "aws_s3_bucket" "h" {{\n  bucket = {expression}\n}}\n'


def _doubling(kind: str, times: int) -> str:
    lines = ["locals {", '  l0 = { a = "xxxxxxxxxxxxxxxx", b = "yyyyyyyyyyyyyyyy" }' if kind == "object"
             else '  l0 = ["xxxxxxxxxxxxxxxx", "yyyyyyyyyyyyyyyy"]']
    for i in range(1, times + 1):
        lines.append(f"  l{i} = {{ a = local.l{i - 1}, b = local.l{i - 1} }}" if kind == "object"
                     else f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})")
    lines.append("}")
    return "\n".join(lines) + "\n" + _bucket_named(f'"x${{jsonencode(local.l{times})}}"')


def _work_everywhere(resources: int) -> str:
    """Resources that each use up their own step budget: the root's total must stop them."""
    return "".join(f'locals {{\n  l{i} = [for a in range(1000) : [for b in range(390) : b]]\n}}\n'
                   + _bucket_named(f'"x${{length(local.l{i})}}"').replace('"h"', f'"h{i}"')
                   for i in range(resources))


def _long_strings() -> str:
    """Few steps, each walking a string of 8 MB: the steps charge a function its arguments' size."""
    return ('locals {\n  chunk = format("%10000s", "")\n  big = join("", [for i in range(800) : local.chunk])\n'
            '  many = [for i in range(100000) : length(replace(local.big, " ", "ab"))]\n}\n'
            + _bucket_named('"x${length(local.many)}"'))


def _yaml_bomb() -> str:
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Metadata:", '  a0: &a0 ["lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"  a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]")
    lines += ["Resources:", "  B:", "    Type: AWS::S3::Bucket", "    Properties:", "      Tags:",
              "        - Key: x", "          Value: !Join ['', *a9]"]
    return "\n".join(lines) + "\n"


def _special(root: Path) -> None:
    """A FIFO and device links where Terraform files, plans, templates and file() targets would be."""
    if not hasattr(os, "mkfifo"):
        return
    os.mkfifo(root / "fifo.tf")
    os.mkfifo(root / "plan.json")
    (root / "zero.tf").symlink_to("/dev/zero")
    (root / "urandom.yaml").symlink_to("/dev/urandom")
    (root / "main.tf").write_text(_bucket_named('file("fifo.tf")') +
                                  'resource "aws_s3_bucket" "z" {\n  bucket = file("/dev/zero")\n}\n'
                                  'resource "aws_s3_bucket" "y" {\n  bucket = file("zero.tf")\n}\n')


TEXT_INPUTS: dict[str, dict[str, str]] = {
    "number-literal": {"main.tf": _bucket_named('"x${1e999999999}"')},
    "tonumber": {"main.tf": _bucket_named('"x${tonumber("1e999999999")}"')},
    "jsondecode": {"main.tf": _bucket_named('"x${jsondecode("[1e999999999]")[0]}"')},
    "format-precision": {"main.tf": _bucket_named('format("%.999999999f", 1)')},
    "regex-backtracking": {"main.tf": _bucket_named('regex("^(a+)+$", "' + "a" * 60 + 'b")')
                           + 'locals {\n  r = regexall("(x+x+)+y", "' + "x" * 5000 + '")\n'
                           + '  s = replace("' + "a" * 5000 + '", "/(a|aa)+$/", "b")\n}\n'},
    "doubled-object": {"main.tf": _doubling("object", 30)},
    "doubled-list": {"main.tf": _doubling("list", 30)},
    "huge-range": {"main.tf": _bucket_named('"x${length(range(1000000000))}"')},
    "work-in-every-resource": {"main.tf": _work_everywhere(40)},
    "long-string-per-step": {"main.tf": _long_strings()},
    "deep-expression": {"main.tf": _bucket_named("(" * 5000 + "1" + ")" * 5000)},
    "deep-json-policy": {"policy.json": "[" * 100000 + "]" * 100000,
                         "main.tf": _bucket_named('"x${jsondecode(file("policy.json"))}"')},
    "yaml-alias-bomb": {"template.yaml": _yaml_bomb()},
    "plan-number": {"plan.json": json.dumps({"format_version": "1.2", "terraform_version": "1.9.0",
                                             "planned_values": {}})[:-1] + ', "x": 1e999999999}'},
}
SPECIAL_INPUTS: dict[str, Callable[[Path], None]] = {"fifo-and-devices": _special}
NAMES = (*TEXT_INPUTS, *SPECIAL_INPUTS)


def build(name: str, root: Path) -> Path:
    """Write the input ``name`` under ``root`` (``root/hostile`` and the ordinary ``root/fine``)."""
    hostile = root / "hostile"
    hostile.mkdir(parents=True)
    (root / "fine").mkdir()
    (root / "fine" / "main.tf").write_text(PUBLIC)
    (root / ".git").mkdir()
    if name in TEXT_INPUTS:
        for file, text in TEXT_INPUTS[name].items():
            (hostile / file).write_text(text)
    else:
        SPECIAL_INPUTS[name](hostile)
    return root

#!/usr/bin/env python3
"""Cost of deployment units as their number grows: linking, and the memory of one world at a time.

    .venv/bin/python bench/units.py [--sizes 100 1000 3000] [--out bench/out]

The shared corpus generator makes units that nothing links (its stacks import exports whose names
hold ``${AWS::StackName}``), so this bench writes its own tree, made of groups of ten units that
are linked the ways real repositories link them (docs/units.md):

- ``envs/gNNN/uNN/main.tf``: a root module pinned to its group's account (``allowed_account_ids``)
  with an S3 backend, a bucket ``acme-gNNN-uNN`` encrypted with its own key, and a role whose
  policy reads and writes its bucket (with its key) and reads the group's shared bucket (named
  literally, created by unit 0 of the group, whose key it may not use: one SSE-KMS denial per
  unit); unit 1 of each group reads unit 0's state with ``terraform_remote_state``;
- ``stacks/gNNN.yaml``: a template exporting the group's key ARN under a literal name, and
  ``stacks/gNNN-reader.yaml`` importing it (``Fn::ImportValue``);
- ``org/main.tf``: one SCP attached to every group's account.

Every world holds a bounded number of units (a group, the organization unit), whatever the size.
For each size, in a fresh process: the time to read the sources, to group and link the units
(``link s``: evidence indexed once, so it grows with the facts, not with units x units), and the
whole ``check`` after reading (``check s``); the peak resident memory after reading (``read MB``)
and at the end (``peak MB``). ``world MB``, their difference, is what building, simulating and
checking the worlds added on top of the sources and the findings kept: one unit's world is held
at a time, so it must not grow with the number of units beyond the findings themselves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUP = 10

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check import run as check_run  # noqa: E402 - a sibling script, not a package

_CHILD = r"""
import json, resource, sys, time
from why403 import pipeline
from why403.pipeline import analyzed, inputs
from why403.world import units as deployment

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

request = pipeline.CheckRequest(paths=(sys.argv[1],), use_cache=False, jobs=1)
t0 = time.perf_counter()
results, errors = inputs.read_inputs(request)
t1 = time.perf_counter()
read_mb = rss()
grouped = deployment.group_units(results, request.settings)
members = sum(len(w.members) for w in deployment.worlds(grouped, request.settings))
t2 = time.perf_counter()
del grouped
analyzed.read_inputs = lambda request: (results, errors)  # read once: the check below starts from here
t3 = time.perf_counter()
outcome = pipeline._run_check(request, t3)
t4 = time.perf_counter()
stats = outcome.result.stats
print(json.dumps({
    "units": stats.units, "members": members, "files": stats.files,
    "simulated": stats.accesses_simulated, "findings": len(outcome.result.findings), "errors": len(errors),
    "read": t1 - t0, "link": t2 - t1, "check": t4 - t3, "read_mb": read_mb, "peak_mb": rss(),
}))
"""


def _root(group: int, unit: int) -> str:
    name = f"acme-g{group:03d}-u{unit:02d}"
    shared = f"acme-g{group:03d}-u00"
    state = ""
    if unit == 1:
        state = (f'data "terraform_remote_state" "shared" {{\n  backend = "s3"\n  config = {{\n'
                 f'    bucket = "acme-tfstate"\n    key    = "g{group:03d}/u00.tfstate"\n'
                 f'    region = "eu-west-1"\n  }}\n}}\n')
    return f"""terraform {{
  backend "s3" {{
    bucket = "acme-tfstate"
    key    = "g{group:03d}/u{unit:02d}.tfstate"
    region = "eu-west-1"
  }}
}}
provider "aws" {{
  region              = "eu-west-1"
  allowed_account_ids = ["{_account(group)}"]
}}
{state}resource "aws_kms_key" "data" {{
  description = "{name}"
}}
resource "aws_s3_bucket" "data" {{
  bucket = "{name}"
}}
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {{
  bucket = aws_s3_bucket.data.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }}
  }}
}}
resource "aws_iam_role" "app" {{
  name = "{name}-app"
  assume_role_policy = jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow",
    Principal = {{Service = "lambda.amazonaws.com"}}, Action = "sts:AssumeRole"}}]}})
}}
resource "aws_iam_role_policy" "app" {{
  role = aws_iam_role.app.id
  policy = jsonencode({{Version = "2012-10-17", Statement = [
    {{Sid = "OwnData", Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"],
      Resource = "${{aws_s3_bucket.data.arn}}/*"}},
    {{Sid = "OwnKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource = aws_kms_key.data.arn}},
    {{Sid = "SharedData", Effect = "Allow", Action = ["s3:GetObject"],
      Resource = "arn:aws:s3:::{shared}/*"}}]}})
}}
"""


def _account(group: int) -> str:
    return f"{100000000000 + group:012d}"


def _stack(group: int) -> str:
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SharedKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Admin
            Effect: Allow
            Principal: {{AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"}}
            Action: "kms:*"
            Resource: "*"
Outputs:
  KeyArn:
    Value: !GetAtt SharedKey.Arn
    Export: {{Name: g{group:03d}-shared-key}}
"""


def _reader(group: int) -> str:
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: g{group:03d}-key-reader
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: "sts:AssumeRole"}}]
      Policies:
        - PolicyName: decrypt
          PolicyDocument:
            Statement:
              - {{Effect: Allow, Action: "kms:Decrypt", Resource: !ImportValue g{group:03d}-shared-key}}
"""


def _org(groups: int) -> str:
    attachments = "".join(
        f'resource "aws_organizations_policy_attachment" "g{g:03d}" {{\n'
        f'  policy_id = aws_organizations_policy.no_deletes.id\n  target_id = "{_account(g)}"\n}}\n'
        for g in range(groups))
    return f"""provider "aws" {{
  region = "us-east-1"
}}
resource "aws_organizations_policy" "no_deletes" {{
  name    = "no-deletes"
  type    = "SERVICE_CONTROL_POLICY"
  content = jsonencode({{Version = "2012-10-17", Statement = [{{Sid = "NoDeletes", Effect = "Deny",
    Action = ["s3:DeleteObject"], Resource = "*"}}]}})
}}
{attachments}"""


def tree(out: Path, units: int) -> Path:
    """The linked tree with about ``units`` units (written once)."""
    target = out / f"units_{units}"
    done = target / ".complete"
    if done.exists():
        return target
    groups = max(1, units // GROUP)
    roots = GROUP - 2  # two templates per group
    for g in range(groups):
        for u in range(roots):
            path = target / "envs" / f"g{g:03d}" / f"u{u:02d}" / "main.tf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_root(g, u))
        (target / "stacks").mkdir(parents=True, exist_ok=True)
        (target / "stacks" / f"g{g:03d}.yaml").write_text(_stack(g))
        (target / "stacks" / f"g{g:03d}-reader.yaml").write_text(_reader(g))
    (target / "org").mkdir(parents=True, exist_ok=True)
    (target / "org" / "main.tf").write_text(_org(groups))
    done.write_text("")
    return target


def run(path: Path) -> dict[str, float]:
    return check_run(path, _CHILD)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'units':>6} {'members':>7} {'files':>6} {'requests':>8} {'findings':>8} {'read s':>7} {'link s':>7} "
          f"{'check s':>7} {'read MB':>7} {'peak MB':>7} {'world MB':>8}")
    for size in args.sizes:
        d = run(tree(args.out, size))
        print(f"{int(d['units']):>6} {int(d['members']):>7} {int(d['files']):>6} {int(d['simulated']):>8} "
              f"{int(d['findings']):>8} {d['read']:>7.2f} {d['link']:>7.2f} {d['check']:>7.2f} "
              f"{d['read_mb']:>7.0f} {d['peak_mb']:>7.0f} {d['peak_mb'] - d['read_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of ``why403 diagnose``: one request diagnosed from dumps, end to end, in under a second.

Usage::

    .venv/bin/python bench/diagnose.py [--roles N] [--repeat R] [--profile]

For each case of ``examples/diagnose`` and for the first case with its account grown to ``--roles``
roles (default 2,000, each with two inline policies and a managed policy: an authorization dump of
about 30 MB, a large account), it times what the command does after start-up: reading every dump of
the folder, building the world, the coverage of the request, simulating every access the account's
own grants intend (the world the drafts are re-simulated against) and the diagnosis itself. It
prints the best and the median wall time of ``--repeat`` runs of each and the median CPU time, and
whether the run is under the one second the issue sets: the best wall time, or the CPU time when the
machine is shared (other work only ever adds wall time; on an idle machine the two agree). The
process start-up (about 0.2 s, the same as ``check``) is not included.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from why403.cli.main import main

CASES = Path(__file__).resolve().parents[1] / "examples" / "diagnose"
TARGET_SECONDS = 1.0


def _grow(case: Path, roles: int, into: Path) -> Path:
    """The case's dumps with ``roles`` more roles (and as many managed policies) in its IAM dump."""
    dest = into / case.name
    shutil.copytree(case, dest)
    path = dest / "dumps" / "iam.get-account-authorization-details.json"
    doc = json.loads(path.read_text())
    for n in range(roles):
        name = f"service-{n:05d}"
        statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                       "Resource": [f"arn:aws:s3:::data-{n % 97}-{i}", f"arn:aws:s3:::data-{n % 97}-{i}/*"],
                       "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"t{i}"}}} for i in range(5)]
        doc["RoleDetailList"].append({
            "Path": "/", "RoleName": name, "RoleId": f"AROA{n:016d}", "Arn": f"arn:aws:iam::111122223333:role/{name}",
            "CreateDate": "2024-01-01T00:00:00+00:00",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": f"p{k}", "PolicyDocument": {"Version": "2012-10-17",
                                                                           "Statement": statements}} for k in range(2)],
            "AttachedManagedPolicies": [{"PolicyName": f"m-{n}",
                                         "PolicyArn": f"arn:aws:iam::111122223333:policy/m-{n}"}],
            "Tags": [{"Key": "team", "Value": f"t{n % 5}"}]})
        doc["Policies"].append({
            "PolicyName": f"m-{n}", "PolicyId": f"ANPA{n:016d}", "Arn": f"arn:aws:iam::111122223333:policy/m-{n}",
            "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": True,
            "PolicyVersionList": [{"Document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}, "VersionId": "v1",
                "IsDefaultVersion": True}]})
    path.write_text(json.dumps(doc, indent=4))
    return dest


def _time(case: Path, repeat: int) -> tuple[float, float, float, int]:
    walls, cpus = [], []
    code = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        code = main(["diagnose", str(case / "dumps"), "--format", "json", "--output", str(case / "out.json")])
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), statistics.median(walls), statistics.median(cpus), code


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    slow = False
    with tempfile.TemporaryDirectory(prefix="why403-bench-diagnose-") as tmp:
        cases = []
        for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
            dest = Path(tmp) / "plain" / case.name
            shutil.copytree(case, dest)
            cases.append((case.name, dest))
        grown = _grow(CASES / "01-bucket-policy-deny", args.roles, Path(tmp) / "grown")
        size = (grown / "dumps" / "iam.get-account-authorization-details.json").stat().st_size
        cases.append((f"01 with {args.roles:,} roles ({size / 1e6:.0f} MB IAM dump)", grown))
        main(["diagnose", str(cases[0][1] / "dumps"), "--format", "json", "--output", "/dev/null"])  # imports
        print(f"{'case':<46} {'best':>8} {'median':>8} {'cpu':>8}  exit")
        for label, path in cases:
            best, median, cpu, code = _time(path, args.repeat)
            ok = min(best, cpu) < TARGET_SECONDS
            slow = slow or not ok
            print(f"{label:<46} {best:>7.3f}s {median:>7.3f}s {cpu:>7.3f}s  {code}  {'ok' if ok else 'OVER 1 s'}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(main, ["diagnose", str(grown / "dumps"), "--format", "json", "--output", "/dev/null"])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main_bench())

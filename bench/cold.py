#!/usr/bin/env python3
"""A cold full check next to python-hcl2's one-process parse of the same files, in one run (issue 17.7).

    .venv/bin/python bench/cold.py [DIR] [--jobs N] [--json FILE]

DIR defaults to the real-repository corpus (``../corpus``, once its ``READY`` marker exists), else
the generated 1,000-module corpus of ``bench/scale.py``. Each figure comes from a fresh process, in
this order:

``raw``        python-hcl2's ``hcl2.loads`` of every native-syntax Terraform file the check parses,
               and cfn-lint's decoder on its templates, one process (``bench/scale.py``'s).
``cold``       ``why403 check DIR`` into an empty cache directory.
``no-cache``   ``why403 check DIR --no-cache``: must parse each file once as well, so its CPU time
               is about the cold run's, with the same findings.

Wall time is taken from outside (interpreter start-up included); CPU time is the process's and its
workers' (user + system). The target: cold wall time at most 0.75x raw. The machine's load is
printed too: wall times on a shared machine are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import _RAW, PARSE_STATS, ROOT, corpus  # a sibling script, not a package

_CHECK = PARSE_STATS + r"""
code = main(sys.argv[2:] + ["--format", "json", "--output", sys.argv[1]])
print(json.dumps({"code": code, "parse": runs}))
"""


def run(code: str, *args: str) -> tuple[float, float, dict[str, Any]]:
    """(wall, CPU of the process and its children, its last line as JSON)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{args[:3]}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if data.get("code", 0) not in (0, 1):
        raise RuntimeError(f"{args[:3]}: why403 exit status {data['code']}\n{proc.stderr[-2000:]}")
    return wall, cpu, data


def findings(report: Path) -> list[tuple[str, ...]]:
    data = json.loads(report.read_text())
    return sorted((f["rule"], f["fingerprint"], f["message"]) for f in data["findings"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--jobs", help="--jobs for the check (default: the CPUs available)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    real = ROOT.parent / "corpus"
    path = args.path or (real if (real / "READY").exists() else
                         corpus(ROOT / "bench" / "out", 1000, ROOT.parent / "shared" / "tools" / "gen_corpus.py"))
    targets = [str(p) for p in sorted(path.iterdir()) if p.is_dir()] if path == real else [str(path)]
    jobs = ["--jobs", args.jobs] if args.jobs else []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="why403-cold-") as scratch:
        raw_wall, raw_cpu, raw = run(_RAW, *targets)
        cache = Path(scratch) / "cache"
        cold_wall, cold_cpu, cold = run(_CHECK, str(Path(scratch) / "cold.json"), "check", *targets,
                                        "--cache-dir", str(cache), *jobs)
        shutil.rmtree(cache, ignore_errors=True)
        none_wall, none_cpu, none = run(_CHECK, str(Path(scratch) / "none.json"), "check", *targets,
                                        "--no-cache", *jobs)
        same = findings(Path(scratch) / "cold.json") == findings(Path(scratch) / "none.json")
        count = len(findings(Path(scratch) / "cold.json"))
    raw_parse = raw["hcl2"] + raw["cfn"]
    parsed = [sum(r["parsed"] for r in data["parse"]) for data in (cold, none)]
    print(f"{path}: {raw['tf']} .tf (+{raw['tf_json']} .tf.json/tfvars), {raw['templates']} templates, "
          f"{raw['tf_bytes'] / 1048576:.1f} MB of .tf; load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"  raw parse, one process   {raw_wall:7.1f} s wall  {raw_cpu:7.1f} s CPU  "
          f"(parse alone: hcl2 {raw['hcl2']:.1f} s + cfn-lint {raw['cfn']:.1f} s)")
    print(f"  cold, empty cache        {cold_wall:7.1f} s wall  {cold_cpu:7.1f} s CPU  parsed {parsed[0]}  "
          f"= {cold_wall / raw_wall:.2f}x raw wall (target <= 0.75x)")
    print(f"  --no-cache               {none_wall:7.1f} s wall  {none_cpu:7.1f} s CPU  parsed {parsed[1]}  "
          f"= {none_cpu / cold_cpu:.2f}x the cold run's CPU")
    print(f"  findings: {count}, {'the same' if same else 'DIFFERENT'} with and without the cache")
    if args.json:
        args.json.write_text(json.dumps({
            "path": str(path), "load": load, "raw": {**raw, "wall": raw_wall, "cpu": raw_cpu, "parse": raw_parse},
            "cold": {"wall": cold_wall, "cpu": cold_cpu, "parsed": parsed[0]},
            "no_cache": {"wall": none_wall, "cpu": none_cpu, "parsed": parsed[1]},
            "findings": count, "same_findings": same}, indent=1))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

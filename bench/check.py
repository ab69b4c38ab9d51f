#!/usr/bin/env python3
"""Benchmark ``why403 check`` on the generated corpus at several sizes (issue 5).

    .venv/bin/python bench/check.py [--sizes 10 100 1000] [--out bench/out] [--gen ../shared/tools/gen_corpus.py]

For each size it generates (once) the Terraform + CloudFormation corpus with the shared generator,
then runs the pipeline in a fresh process per size and reports the wall time of each phase (reading
the sources, grouping them into deployment units and linking them, building each unit's world and
simulating its intents, running the rules), the number of units, intents and simulated requests,
the time per simulated request, and the peak resident memory after reading and at the end. Simulation
must grow with the number of intents, not with principals x resources: compare the per-request
column across sizes. Each unit's world is built, simulated and checked in turn and then dropped,
as ``check`` does, so the peak grows with the sources read, not with the worlds
(``bench/units.py`` separates the two on linked units).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import corpus  # a sibling script, not a package

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, resource, sys, time
from why403.pipeline import CheckRequest
from why403.pipeline.inputs import read_inputs
from why403.rules import all_rules
from why403.world import units as deployment

request = CheckRequest(paths=(sys.argv[1],), use_cache=False)
t0 = time.perf_counter()
results, errors = read_inputs(request)
t1 = time.perf_counter()
read_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
grouped = deployment.group_units(results, request.settings)
unit_worlds = deployment.worlds(grouped, request.settings)
t2 = time.perf_counter()
intents = simulated = findings = 0
simulate = rules = 0.0
for w in unit_worlds:  # one unit's world at a time, as the pipeline does
    a0 = time.perf_counter()
    a = deployment.analyse(w)
    a1 = time.perf_counter()
    keys = deployment.access_keys(a)
    findings += sum(1 for rule in all_rules() for f in rule.check(a) if deployment.belongs(f, w.unit.files, keys))
    intents += len(a.intents)
    simulated += a.accesses_simulated
    simulate += a1 - a0
    rules += time.perf_counter() - a1
    del a
t4 = time.perf_counter()
print(json.dumps({
    "files": len({f for r in results for f in r.files}), "errors": len(errors),
    "units": sum(1 for u in grouped if u.id), "intents": intents, "simulated": simulated, "findings": findings,
    "read": t1 - t0, "world": t2 - t1, "simulate": simulate, "rules": rules, "total": t4 - t0,
    "read_mb": read_mb, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run(path: Path, child: str = _CHILD) -> dict[str, float]:
    """Run ``child`` (a script printing its figures as JSON on its last line) on ``path`` in a fresh
    interpreter, so that memory and import costs are the run's own; add its wall time."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", child, str(path)], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    data: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["wall"] = time.perf_counter() - started
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "tools" / "gen_corpus.py")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    header = (f"{'modules':>7} {'files':>6} {'units':>6} {'intents':>7} {'requests':>8} {'read s':>7} {'units s':>7} "
              f"{'sim s':>7} {'rules s':>7} {'total s':>7} {'parse %':>7} {'us/req':>7} {'read MB':>7} {'peak MB':>8}")
    print(header)
    for size in args.sizes:
        d = run(corpus(args.out, size, args.gen))
        per_request = 1e6 * d["simulate"] / max(d["simulated"], 1)
        print(f"{size:>7} {int(d['files']):>6} {int(d['units']):>6} {int(d['intents']):>7} {int(d['simulated']):>8} "
              f"{d['read']:>7.2f} "
              f"{d['world']:>7.2f} {d['simulate']:>7.2f} {d['rules']:>7.2f} {d['total']:>7.2f} "
              f"{100 * d['read'] / d['total']:>7.1f} {per_request:>7.0f} {d['read_mb']:>7.0f} {d['peak_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

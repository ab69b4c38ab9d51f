#!/usr/bin/env python3
"""Run ``why403 check`` over folders of real repositories and say what broke (issue 8).

    .venv/bin/python bench/sweep.py DIR... [--timeout 900] [--jobs N] [--cache-dir D] [--json out.json]

Each DIR is a folder of repositories (each subfolder one repository, as exported from what
``fetch`` brings) or a repository itself (when it holds Terraform or template files at its top).
Each repository is checked in a fresh process, with a time limit (a run past it is a hang), and
the sweep reports per repository and in total: the Terraform files and templates read, the input
errors by class, the findings by kind and severity (and by rule), wall time and peak memory.

A crash is any of: the check exiting with an internal error, an input error that says
``internal error while reading it`` (an exception a frontend let escape, caught by the pipeline),
or a run killed by the time limit. Each is a bug to fix and to keep as a test.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_CHILD = r"""
import json, os, resource, sys, traceback
os.environ["WHY403_DEBUG"] = "1"  # an internal error raises here, with its traceback
from why403 import pipeline
from why403.cli.main import main
read = []
real_run = pipeline.run_check
def run_check(request):
    outcome = real_run(request)
    read.extend(outcome.result.files)  # the report gives only their number
    return outcome
pipeline.run_check = run_check
out = sys.argv[1]
real, sys.stdout = sys.stdout, open(out, "w")
crash = None
try:
    code = main(["check", *sys.argv[2:], "--format", "json", "--no-config"])
except BaseException as exc:
    code, crash = -1, "".join(traceback.format_exception(exc))[-4000:]
sys.stdout.close()
sys.stdout = real
print(json.dumps({"code": code, "crash": crash, "read": read,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

# Input errors by class, from the messages the frontends write (first match wins).
CLASSES: list[tuple[str, re.Pattern[str]]] = [
    ("CRASH: internal error", re.compile(r"internal error")),
    ("hcl syntax (python-hcl2)", re.compile(r"python-hcl2 cannot parse|invalid expression|unexpected|Unexpected")),
    ("not UTF-8 / binary", re.compile(r"not UTF-8|binary file|NUL bytes")),
    ("too large", re.compile(r" MB;|too large")),
    ("nested too deeply", re.compile(r"nested too deeply")),
    ("template not decodable", re.compile(r"could not be decoded")),
    ("template shape", re.compile(r"must be a mapping|Resources must be|a template must")),
    ("cycle", re.compile(r"cycle")),
    ("work limit", re.compile(r"evaluation stopped|more work than")),
    ("unreadable", re.compile(r"cannot read|no such file")),
    ("module tree", re.compile(r"module tree")),
    ("duplicate declaration", re.compile(r"duplicate|already declared|declared twice")),
    ("policy document", re.compile(r"[Pp]olicy|Statement")),
]


def classify(message: str) -> str:
    for name, pattern in CLASSES:
        if pattern.search(message):
            return name
    return "other: " + re.sub(r"[\"'`].*?[\"'`]", "…", message)[:60]


def repositories(folder: Path) -> list[Path]:
    def is_repository(p: Path) -> bool:
        return (p / ".git").exists() or any(c.is_file() and c.suffix in (".tf", ".template") for c in p.iterdir())

    if is_repository(folder) or not any(c.is_dir() for c in folder.iterdir()):
        return [folder]
    return sorted(p for p in folder.iterdir() if p.is_dir())


def sweep_one(repo: Path, timeout: float, extra: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    started = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, out, str(repo), *extra], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.unlink(out)
        return {"repo": str(repo), "hang": True, "wall": time.perf_counter() - started}
    wall = time.perf_counter() - started
    try:
        meta = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        meta = {"code": proc.returncode, "crash": proc.stderr[-4000:] or "no output", "peak_mb": 0, "workers_mb": 0}
    try:
        report = json.loads(Path(out).read_text() or "{}")
    except ValueError:
        report = {}
    finally:
        os.unlink(out)
    findings = report.get("findings", [])
    errors = report.get("errors", [])
    files = meta.get("read") or []
    return {
        "repo": str(repo), "hang": False, "wall": wall, "code": meta["code"], "crash": meta["crash"],
        "peak_mb": meta["peak_mb"], "workers_mb": meta["workers_mb"],
        "files": report.get("stats", {}).get("files", 0), "resources": report.get("stats", {}).get("resources", 0),
        "tf_files": sum(1 for f in files if str(f).endswith((".tf", ".tf.json"))),
        "templates": sum(1 for f in files if not str(f).endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))),
        "errors": collections.Counter(classify(str(e.get("message", ""))) for e in errors),
        "crash_inputs": [e for e in errors if "internal error" in str(e.get("message", ""))][:20],
        "kinds": collections.Counter(f"{f.get('kind')}/{f.get('severity')}" for f in findings),
        "rules": collections.Counter(str(f.get("rule")) for f in findings),
        "stats": report.get("stats", {}),
        "report": report,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run counts as a hang")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--cache-dir", help="parse cache to use (default: a fresh one, so runs are cold)")
    parser.add_argument("--json", type=Path, help="write every repository's figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="why403-sweep-cache-") as fresh:
        extra = ["--cache-dir", args.cache_dir or fresh]
        if args.jobs:
            extra += ["--jobs", str(args.jobs)]
        rows = []
        started = time.perf_counter()
        for folder in args.folders:
            for repo in repositories(folder):
                row = sweep_one(repo, args.timeout, extra)
                rows.append(row)
                _line(row)
        total_wall = time.perf_counter() - started
    _totals(rows, total_wall)
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "report"} for r in rows], indent=1,
                                        default=dict))
    bad = [r for r in rows if r["hang"] or r.get("crash") or r.get("crash_inputs")]
    return 1 if bad else 0


def _line(r: dict[str, Any]) -> None:
    name = Path(r["repo"]).name
    if r["hang"]:
        print(f"{name:<55} HANG after {r['wall']:.0f} s", flush=True)
        return
    status = "CRASH" if r["crash"] or r["crash_inputs"] else f"exit {r['code']}"
    print(f"{name:<55} {r['tf_files']:>5} tf {r['templates']:>5} tmpl {sum(r['errors'].values()):>4} err "
          f"{sum(r['kinds'].values()):>5} findings {r['wall']:>7.1f} s {r['peak_mb']:>6.0f} MB  {status}", flush=True)
    if r["crash"]:
        print("    " + r["crash"].strip().replace("\n", "\n    ")[-1500:])
    for e in r["crash_inputs"][:5]:
        print(f"    {e.get('file')}: {e.get('message')}")


def _totals(rows: list[dict[str, Any]], wall: float) -> None:
    done = [r for r in rows if not r["hang"]]
    errors: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    rules: collections.Counter[str] = collections.Counter()
    for r in done:
        errors.update(r["errors"])
        kinds.update(r["kinds"])
        rules.update(r["rules"])
    print(f"\n{len(rows)} repositories: {sum(r['tf_files'] for r in done)} Terraform files, "
          f"{sum(r['templates'] for r in done)} templates, {sum(r['files'] for r in done)} files read, "
          f"{sum(r['resources'] for r in done)} resources")
    print(f"wall {wall:.1f} s; peak memory {max((r['peak_mb'] for r in done), default=0):.0f} MB "
          f"(largest worker {max((r['workers_mb'] for r in done), default=0):.0f} MB)")
    print(f"crashes {sum(1 for r in done if r['crash'] or r['crash_inputs'])}, "
          f"hangs {sum(1 for r in rows if r['hang'])}")
    print("input errors by class:")
    for name, n in errors.most_common():
        print(f"  {n:>6}  {name}")
    print("findings by kind/severity:")
    for name, n in kinds.most_common():
        print(f"  {n:>6}  {name}")
    print("findings by rule:")
    for name, n in rules.most_common():
        print(f"  {n:>6}  {name}")


if __name__ == "__main__":
    sys.exit(main())

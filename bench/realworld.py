#!/usr/bin/env python3
"""How ``why403 check`` fares on real repositories, as a new user would run it (issue 14).

    .venv/bin/python bench/realworld.py DIR... [--timeout 900] [--jobs N] [--json out.json]
                                       [--before earlier.json] [--reports DIR] [--sample N --seed S]

Each DIR is a folder of checked-out repositories (or one repository), as :mod:`sweep` takes
them; each repository is checked in a fresh process with a cold parse cache (``sweep.sweep_one``
runs it). Per repository it prints:

``units``     deployment units simulated (Terraform root modules, templates, CDK stacks, plans);
``files``     files read; ``skipped`` YAML/JSON files that are not templates (counted, not errors);
``accesses``  accesses simulated (with ``--before``: the earlier run's figure, then this one);
``E W N``     findings by severity (error, warning, note), and the kinds in the JSON;
``unknowns``  notes about values the sources leave open (W403-E003 and W403-U001 findings);
``unread``    module calls not read (registry or git modules ``terraform init`` has not fetched);
``crash``     internal errors, hangs, or a check that exited with a traceback;
``wall``      seconds, interpreter start-up included.

``--json`` keeps every figure (``--before`` reads such a file back). ``--reports DIR`` keeps each
repository's JSON report. ``--sample N`` prints N error and warning findings drawn at random
(``--seed``) across all repositories, one line each, for a hand review of false positives.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sweep import repositories, sweep_one  # bench/ is not a package: found on sys.path

UNKNOWN_RULES = ("W403-E003", "W403-U001")


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of one repository's run (see the module docstring)."""
    name = Path(row["repo"]).name
    if row["hang"]:
        return {"repo": name, "hang": True, "crash": True, "wall": round(row["wall"], 1)}
    report = row.get("report") or {}
    stats = row.get("stats") or {}
    findings = report.get("findings", [])
    severities = collections.Counter(str(f.get("severity")) for f in findings)
    return {
        "repo": name, "hang": False,
        "crash": bool(row.get("crash") or row.get("crash_inputs")),
        "code": row.get("code"),
        "units": stats.get("units"),
        "files": stats.get("files", 0),
        "skipped": stats.get("skipped_files"),
        "accesses": stats.get("accesses_simulated", 0),
        "errors": severities.get("error", 0), "warnings": severities.get("warning", 0),
        "notes": severities.get("note", 0),
        "kinds": dict(row.get("kinds", {})),
        "unknowns": sum(1 for f in findings if f.get("rule") in UNKNOWN_RULES),
        "unread": stats.get("module_calls_not_read"),
        "unknown_types": stats.get("unknown_resource_types"),
        "input_errors": len(report.get("errors", [])),
        "wall": round(row["wall"], 1),
    }


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


HEADER = (f"{'repository':<52} {'units':>5} {'files':>5} {'skip':>5} {'accesses':>13} {'E':>4} {'W':>4} {'N':>5} "
          f"{'unkn':>5} {'unread':>6} {'inerr':>5} {'crash':>5} {'wall':>6}")


def line(fig: dict[str, Any], before: dict[str, Any] | None) -> str:
    if fig["hang"]:
        return f"{fig['repo']:<52} HANG after {fig['wall']} s"
    accesses = str(fig["accesses"]) if before is None else f"{before.get('accesses', '-')}->{fig['accesses']}"
    return (f"{fig['repo'][:52]:<52} {_cell(fig['units']):>5} {fig['files']:>5} {_cell(fig['skipped']):>5} "
            f"{accesses:>13} {fig['errors']:>4} {fig['warnings']:>4} {fig['notes']:>5} {fig['unknowns']:>5} "
            f"{_cell(fig['unread']):>6} {fig['input_errors']:>5} {'YES' if fig['crash'] else 'no':>5} "
            f"{fig['wall']:>6}")


def totals(figs: list[dict[str, Any]], before: dict[str, dict[str, Any]]) -> str:
    done = [f for f in figs if not f["hang"]]

    def total(key: str, rows: list[dict[str, Any]] = done) -> int:
        return sum(int(f.get(key) or 0) for f in rows)

    out = [f"{len(figs)} repositories: {total('units')} units, {total('files')} files read, "
           f"{total('skipped')} files skipped as not templates, {total('accesses')} accesses simulated",
           f"findings: {total('errors')} errors, {total('warnings')} warnings, {total('notes')} notes "
           f"({total('unknowns')} about unknown values); {total('unread')} module calls not read; "
           f"{sum(1 for f in figs if f['crash'])} crashes or hangs; wall {sum(f['wall'] for f in figs):.1f} s"]
    if before:
        same = [f for f in done if f["repo"] in before]
        earlier = [before[f["repo"]] for f in same]
        out.append(f"accesses simulated on the {len(same)} repositories run before: "
                   f"{total('accesses', earlier)} -> {total('accesses', same)}; "
                   f"errors {total('errors', earlier)} -> {total('errors', same)}, "
                   f"warnings {total('warnings', earlier)} -> {total('warnings', same)}, "
                   f"notes {total('notes', earlier)} -> {total('notes', same)}")
    return "\n".join(out)


def sample(rows: list[dict[str, Any]], count: int, seed: int) -> list[str]:
    """``count`` error and warning findings drawn at random, one line each, for a hand review."""
    pool = []
    for row in rows:
        for f in (row.get("report") or {}).get("findings", []):
            if f.get("severity") in ("error", "warning"):
                loc = f.get("location") or {}
                pool.append(f"{Path(row['repo']).name} {f.get('rule')} {f.get('severity')} "
                            f"[{f.get('unit', '-')}] {loc.get('file')}:{loc.get('line')}: {f.get('message')}")
    random.Random(seed).shuffle(pool)
    return pool[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run counts as a hang")
    parser.add_argument("--jobs", type=int, help="parse workers per check (default: the check's own default)")
    parser.add_argument("--json", type=Path, help="write every repository's figures here")
    parser.add_argument("--before", type=Path, help="figures of an earlier run (--json) to compare with")
    parser.add_argument("--reports", type=Path, help="keep each repository's JSON report in this folder")
    parser.add_argument("--sample", type=int, default=0, help="print this many error/warning findings at random")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    before = {f["repo"]: f for f in json.loads(args.before.read_text())} if args.before else {}
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    rows, figs = [], []
    print(HEADER, flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="why403-realworld-cache-") as cache:
        extra = ["--cache-dir", cache] + (["--jobs", str(args.jobs)] if args.jobs else [])
        for folder in args.folders:
            for repo in repositories(folder):
                row = sweep_one(repo, args.timeout, extra)
                fig = figures(row)
                rows.append(row)
                figs.append(fig)
                print(line(fig, before.get(fig["repo"]) if before else None), flush=True)
                if args.reports and row.get("report") is not None:
                    (args.reports / f"{fig['repo']}.json").write_text(json.dumps(row["report"], indent=1))
    print(totals(figs, before))
    print(f"(total wall {time.perf_counter() - started:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(figs, indent=1))
    if args.sample:
        print(f"\n{args.sample} error/warning findings at random (seed {args.seed}):")
        for text in sample(rows, args.sample, args.seed):
            print("- " + text)
    return 1 if any(f["crash"] for f in figs) else 0


if __name__ == "__main__":
    sys.exit(main())

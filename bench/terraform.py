"""Benchmark and sweep of the Terraform frontend over real configurations.

    .venv/bin/python bench/terraform.py DIR [DIR ...] [--sweep] [--json OUT]

Every directory below DIR that holds ``*.tf`` files is read as a root module. Timing compares
the whole frontend (parse, evaluate, facts; each file parsed once, as the run's cache will give)
with python-hcl2's own parse of the same files (``hcl2.load``, and its bare Lark parse), both after
a warm-up so neither pays for building the parser. The target is at most 25% over ``hcl2.load``.

Each phase runs ``--repeat`` times, interleaved, after a garbage collection; the best time of each
is reported, so that other load on the machine does not decide the ratio.

``--sweep`` also reports, for every file, whether reading it crashed, whether python-hcl2 rejected
it (those become ``errors`` entries with a line) and whether facts located in it hold unknown
values, grouped by why (a variable without value, a data source, a remote module, an attribute
known only after apply, an unknown count or for_each, a function why403 does not evaluate).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import re
import sys
import time
import traceback
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import SourceOptions, SourceResult
from why403.model.policy import Policy
from why403.sources.terraform import load_module, parse_file
from why403.sources.terraform.syntax import ParsedFile

_TOKEN = re.compile(symbols.OPEN + r"u([^" + symbols.CLOSE + r"]*)" + symbols.CLOSE)


def module_dirs(roots: list[Path]) -> list[Path]:
    found: set[Path] = set()
    for root in roots:
        for path in root.rglob("*.tf"):
            if ".terraform" in path.parts:
                continue
            found.add(path.parent)
    return sorted(found)


def tf_files(dirs: list[Path]) -> list[Path]:
    return sorted(p for d in dirs for p in d.iterdir() if p.is_file() and p.name.endswith(".tf"))


def time_hcl2_load(files: list[Path]) -> float:
    """python-hcl2's parse as its users call it: ``hcl2.load`` of each file."""
    import hcl2

    gc.collect()
    start = time.perf_counter()
    for path in files:
        with contextlib.suppress(Exception), path.open(encoding="utf-8") as fh:
            hcl2.load(fh)
    return time.perf_counter() - start


def time_hcl2_tree(files: list[Path]) -> float:
    """python-hcl2's bare Lark parse (no transformation into Python values)."""
    import hcl2

    gc.collect()
    start = time.perf_counter()
    for path in files:
        with contextlib.suppress(Exception):  # counting time, not results
            hcl2.parses_to_tree(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


class CachedParse:
    """Each file parsed once across all root modules, as the run's cache will give."""

    def __init__(self) -> None:
        self.cache: dict[str, ParsedFile] = {}

    def __call__(self, path: Path) -> ParsedFile:
        key = str(path)
        found = self.cache.get(key)
        if found is None:
            found = parse_file(path)
            self.cache[key] = found
        return found


def time_frontend(dirs: list[Path]) -> tuple[float, dict[Path, SourceResult], dict[Path, str]]:
    parse = CachedParse()
    results: dict[Path, SourceResult] = {}
    crashes: dict[Path, str] = {}
    gc.collect()
    start = time.perf_counter()
    for d in dirs:
        try:
            results[d] = load_module(d, SourceOptions(), parse=parse)
        except Exception:
            crashes[d] = traceback.format_exc(limit=4)
    return time.perf_counter() - start, results, crashes


_POLICY_ELEMENTS = ("Resource", "NotResource", "Action", "NotAction", "Principal", "NotPrincipal", "statement",
                    "Condition", "String", "Arn", "Bool", "Numeric", "Null", "ForAnyValue", "ForAllValues", "Ip")


_WRAPPER = re.compile(r"^(?:[a-z_:]+\(|\[for \.\.\. in |\()(.*?)(?:\)|\])*$")


def _reason(label: str) -> str:
    """Why a value is unknown, from the label of its token or the reason of an unknown policy."""
    while True:  # element(module.vpc.x) is unknown because module.vpc.x is
        m = _WRAPPER.match(label)
        if m is None or m.group(1) in ("", "...", label):
            break
        label = m.group(1)
    if label == "path.cwd":
        return "path.cwd (the directory terraform runs in)"
    if label.startswith("var.") or ".var." in label:
        return "variable without value"
    if label.startswith("data.") or ".data." in label:
        return "data source read at plan time"
    if label.startswith("module.") and label.count(".") <= 2:
        return "module output (remote or unknown)"
    if label.startswith("provider"):
        return "provider account or region"
    if label.startswith("the policy could not be read") or label.startswith("the policy is not"):
        return "policy text AWS would refuse (invalid JSON, empty)"
    if label.startswith(_POLICY_ELEMENTS):
        return "policy element built from an unknown list"
    if label.startswith(("each.", "count.")) or "for_each" in label or ".count" in label:
        return "unknown count or for_each"
    if re.match(r"^(module\.[^.]+(\[[^\]]*\])?\.)*[a-z0-9]+_[a-z0-9_]+\.", label):
        return "attribute known only after apply"
    if label.endswith("(...)") or "(" in label:
        return "function or expression of unknowns"
    if label.startswith("local."):
        return "local that could not be evaluated (cycle or error)"
    return "other: " + label.split(".")[0][:30]


def _unknowns(value: Any, out: Counter[str], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(value, str):
        for m in _TOKEN.finditer(value):
            out[_reason(m.group(1))] += 1
    elif isinstance(value, Policy):
        if value.unknown:
            out[_reason(value.unknown.split(":")[0])] += 1
        for s in value.statements:
            if s.maybe:
                out["statement that may or may not exist (" + _why(s.maybe) + ")"] += 1
            for part in (s.actions, s.resources, s.not_actions, s.not_resources):
                _unknowns(part, out, depth + 1)
            for p in (*(s.principals or ()), *(s.not_principals or ())):
                _unknowns(p.value, out, depth + 1)
            for c in s.conditions:
                _unknowns(c.values, out, depth + 1)
    elif isinstance(value, tuple | list):
        for v in value:
            _unknowns(v, out, depth + 1)


def _why(maybe: str) -> str:
    if "count" in maybe or "for_each" in maybe:
        return "unknown count or for_each"
    return "unknown part of a list"


def sweep(results: dict[Path, SourceResult], crashes: dict[Path, str], files: list[Path]) -> dict[str, Any]:
    per_file_unknown: dict[str, Counter[str]] = {}
    parse_errors: dict[str, str] = {}
    for result in results.values():
        for d in result.diagnostics:
            if d.code == "parse":
                parse_errors[d.location.file] = f"{d.location.line}: {d.message}"
        for fact in result.facts:
            counter = per_file_unknown.setdefault(fact.location.file, Counter())
            for f in fields(fact):
                if f.name in ("ref", "location"):
                    continue
                _unknowns(getattr(fact, f.name), counter)
    with_unknowns = {f: c for f, c in per_file_unknown.items() if c}
    reasons: Counter[str] = Counter()
    for counter in with_unknowns.values():
        for reason in counter:
            reasons[reason] += 1
    internal = sum(1 for r in results.values() for d in r.diagnostics if d.code == "internal")
    # The run's own notes name the inputs that would decide the unknowns (one per input and root).
    inputs: Counter[str] = Counter()
    for r in results.values():
        for d in r.diagnostics:
            if d.code == "remote-module":
                inputs["remote module not initialised"] += 1
            elif d.code == "unknown-input":
                word = d.message.split()[0]
                inputs["variable without value" if word.startswith("var.") else
                       "data source read at plan time" if word.startswith("data.") else
                       "module not in the sources" if word.startswith("module.") else "other"] += 1
            elif d.code == "limit":
                inputs["instances beyond the cap"] += 1
    return {
        "files": len(files),
        "module_dirs": len(results) + len(crashes),
        "crashes": len(crashes),
        "crash_details": {str(k): v for k, v in list(crashes.items())[:5]},
        "internal_errors": internal,
        "parse_errors": len(parse_errors),
        "parse_error_examples": dict(list(sorted(parse_errors.items()))[:10]),
        "files_with_facts": len(per_file_unknown),
        "files_with_unknowns": len(with_unknowns),
        "unknown_fraction_of_files_with_facts": round(len(with_unknowns) / max(1, len(per_file_unknown)), 3),
        "unknown_fraction_of_all_files": round(len(with_unknowns) / max(1, len(files)), 3),
        "files_by_reason": dict(reasons.most_common()),
        "notes_by_missing_input": dict(inputs.most_common()),
        "facts": sum(len(r.facts) for r in results.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    roots = args.paths or [Path(__file__).resolve().parents[1] / "tests" / "terraform" / "fixtures"]
    dirs = module_dirs(roots)
    files = tf_files(dirs)
    size = sum(p.stat().st_size for p in files)
    import hcl2

    hcl2.loads('a = "warm-up"\n')
    parse_file(b'a = "warm-up"\n', name="warm.tf")
    loads, trees, fronts = [], [], []
    results: dict[Path, SourceResult] = {}
    crashes: dict[Path, str] = {}
    for _ in range(max(1, args.repeat)):
        loads.append(time_hcl2_load(files))
        trees.append(time_hcl2_tree(files))
        results, crashes = {}, {}
        elapsed, results, crashes = time_frontend(dirs)
        fronts.append(elapsed)
    hcl2_load, hcl2_tree, frontend = min(loads), min(trees), min(fronts)
    report: dict[str, Any] = {
        "module_dirs": len(dirs),
        "tf_files": len(files),
        "megabytes": round(size / 1e6, 2),
        "hcl2_load_seconds": round(hcl2_load, 3),
        "hcl2_lark_parse_seconds": round(hcl2_tree, 3),
        "frontend_seconds": round(frontend, 3),
        "frontend_vs_hcl2_load": round(frontend / hcl2_load, 3) if hcl2_load else None,
        "frontend_vs_lark_parse": round(frontend / hcl2_tree, 3) if hcl2_tree else None,
        "runs": args.repeat,
    }
    if args.sweep:
        report["sweep"] = sweep(results, crashes, files)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

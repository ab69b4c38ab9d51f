"""Benchmark and sweep of the CloudFormation frontend over real templates.

Usage::

    .venv/bin/python bench/cloudformation.py DIR_OR_FILE... [--json OUT] [--repeat N]

For every file that :func:`is_template` accepts it measures cfn-lint's raw decode of the text
(``cfnlint.decode.decode_str``, the baseline) and the frontend's full work on the same bytes
(its own decode, sources/cloudformation/cfnyaml.py, + conversion + facts), and reports the
overhead. It also sweeps: templates that crash the frontend (an exception escaping it is a
bug), templates that do not decode, and templates whose model holds values the template leaves
open (``u`` tokens, unknown documents, maybe statements), grouped by why. The home region
token and opaque ids are by design and not counted.

Templates are not part of the repository: point it at fetched repositories.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import SourceOptions, SourceResult
from why403.model.policy import Policy
from why403.sources.cloudformation import build_template, is_template, parse_template


def candidates(roots: list[Path]) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        out.extend(p for p in files if is_template(p))
    return out


def _reason(label: str) -> str:
    """Group a token label (spaces and colons appear as ``_``) by why the value is open."""
    if label.startswith("Parameter_"):
        return "parameter without value (no Default, or an SSM parameter)"
    if label.startswith("ImportValue_"):
        return "Fn::ImportValue from a stack not in the run"
    if label.startswith(("SAM_policy_template", "AWS_managed_policy")):
        return "SAM policy template / managed policy name not expanded"
    if label.endswith("_default_subnet"):
        return "EC2 instance without a subnet (default VPC)"
    if label.startswith("Ref_"):
        return "Ref of a resource type not modelled"
    if label.startswith(("Fn__If", "Fn__FindInMap")):
        return "Fn::If / Fn::FindInMap key left open"
    if label.startswith("Fn__"):
        return label.split("_")[2] if label.count("_") >= 2 else label
    if label.startswith("AWS__"):
        return "pseudo parameter " + label.replace("__", "::")
    if "." in label:
        return "GetAtt of a type not modelled, or a property left open"
    return "other: " + label[:40]


def unknown_reasons(result: SourceResult) -> Counter[str]:
    reasons: Counter[str] = Counter()

    def visit(value: Any) -> None:
        if isinstance(value, str):
            for label in symbols.unknown_labels(value):
                if label != "region":
                    reasons[_reason(label)] += 1
        elif isinstance(value, Policy):
            if value.unknown:
                reasons["policy document left open"] += 1
            for stmt in value.statements:
                if stmt.maybe:
                    reasons["statement under an undecidable condition"] += 1
                for f in dataclasses.fields(stmt):
                    if f.name != "location":
                        visit(getattr(stmt, f.name))
        elif isinstance(value, tuple | list):
            for v in value:
                visit(v)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                if f.name not in ("location", "comment_location"):
                    visit(getattr(value, f.name))

    for fact in result.facts:
        visit(fact)
    return reasons


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--json", type=Path, help="write per-template results here")
    ap.add_argument("--repeat", type=int, default=1, help="time each step N times and keep the fastest")
    args = ap.parse_args(argv)

    from cfnlint.decode import decode_str

    templates = candidates(args.paths)
    options = SourceOptions()
    raw_total = front_total = 0.0
    crashes: list[tuple[str, str]] = []
    decode_errors = 0
    with_unknowns = 0
    reasons: Counter[str] = Counter()
    rows = []
    decode_str("Resources: {}")  # both decoders imported before timing
    parse_template(b"Resources: {}", "warmup.yaml")
    for path in templates:
        data = path.read_bytes()
        text = data.decode("utf-8-sig", errors="replace")
        raw = front = float("inf")
        result: SourceResult | None = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            decode_str(text)
            raw = min(raw, time.perf_counter() - t0)
            t0 = time.perf_counter()
            try:
                result = build_template(parse_template(data, str(path)), options)
            except Exception:  # a crash is what the sweep looks for
                crashes.append((str(path), traceback.format_exc(limit=3)))
                result = None
                break
            front = min(front, time.perf_counter() - t0)
        if result is None:
            continue
        raw_total += raw
        front_total += front
        errors = [d for d in result.diagnostics if d.severity == "error"]
        decode_errors += bool(errors)
        why = unknown_reasons(result)
        with_unknowns += bool(why)
        for reason in why:
            reasons[reason] += 1
        rows.append({"file": str(path), "raw_s": raw, "frontend_s": front, "facts": len(result.facts),
                     "errors": [e.message for e in errors], "unknowns": dict(why)})

    n = len(rows)
    print(f"templates recognised: {len(templates)}, read without crash: {n}, crashes: {len(crashes)}")
    print(f"templates with a decode/structure error (reported as errors): {decode_errors}")
    if raw_total:
        print(f"cfn-lint raw decode: {raw_total:.2f}s   frontend (decode + model): {front_total:.2f}s   "
              f"overhead: {100 * (front_total / raw_total - 1):+.1f}%")
    if n:
        print(f"templates whose model holds values left open: {with_unknowns} ({100 * with_unknowns / n:.1f}%)")
        for reason, count in reasons.most_common():
            print(f"  {count:6d} templates  {reason}")
    for path, tb in crashes[:20]:
        print(f"CRASH {path}\n{tb}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({"templates": rows, "crashes": crashes}, indent=1))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Cold, warm and one-file-changed runs of ``why403 check``, next to python-hcl2's raw parse (issue 8).

    .venv/bin/python bench/scale.py [--sizes 10 100 1000] [--real DIR ...] [--repeat 3]
                                    [--out bench/out] [--json bench/out/scale.json]

For each generated corpus (``../shared/tools/gen_corpus.py``, made once under ``--out``) and
each ``--real`` folder, every figure comes from a fresh process, its wall time taken from outside
(interpreter start-up included), in this order:

``raw``      python-hcl2's ``hcl2.loads`` of the same native-syntax Terraform files the check
             parses, in one process, and cfn-lint's decoder on its templates (parse time only).
``cold -j1`` ``why403 check DIR --jobs 1`` with an empty cache directory.
``cold``     ``why403 check DIR`` (default ``--jobs``: the CPUs available) with an empty cache.
``warm``     the same again, nothing changed (every parse comes from the cache).
``1 file``   one Terraform file of a module changed (a comment appended), the whole DIR again.
``hook``     that file changed again, ``why403 check --pre-commit FILE``, as the pre-commit hook
             runs after a one-file change (its module directory only).

Peak memory is the check process's maximum resident set; ``workers`` the largest worker's.
``parsed`` counts the files actually parsed by the one-file runs (1 is the target). The sequence
is repeated ``--repeat`` times (fresh cold caches each time); times are medians with the range.
The changed file is restored at the end. The cache is keyed on why403's code too: in a checkout
that someone is editing, run the bench on a snapshot (a link tree of ``git archive`` output on
PYTHONPATH), or ``parsed`` of the warm run shows the re-parses an edit caused. The targets of
issue 8: cold at most 0.75x raw, warm at most 5% of cold, the hook run on the 1,000-module corpus
under 2 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_RAW = r"""
import json, sys, time
from pathlib import Path
from why403.sources.discover import discover
from why403.sources.parsing import terraform_files
from why403.sources.cloudformation.sniff import is_template

inputs = discover(tuple(sys.argv[1:]))
tf = [p for kind, p in terraform_files(inputs.terraform_dirs) if kind == "tf"]
tf_json = [p for kind, p in terraform_files(inputs.terraform_dirs) if kind != "tf"]
templates = [p for p in inputs.template_candidates if is_template(p)]
import hcl2
from cfnlint.decode import decode_str
errors = 0
tf_bytes = 0
t0 = time.perf_counter()
for p in tf:
    text = p.read_text(encoding="utf-8", errors="replace")
    tf_bytes += len(text)
    try:
        hcl2.loads(text)
    except Exception:
        errors += 1
t1 = time.perf_counter()
for p in templates:
    try:
        decode_str(p.read_text(encoding="utf-8", errors="replace"))
    except Exception:
        errors += 1
t2 = time.perf_counter()
print(json.dumps({"tf": len(tf), "tf_json": len(tf_json), "templates": len(templates), "tf_bytes": tf_bytes,
                  "hcl2": t1 - t0, "cfn": t2 - t1, "errors": errors}))
"""

# The start of a child that runs why403 and reports what it parsed: ``runs`` collects the parse
# statistics the parsing session logs (files parsed, in workers, from the cache). bench/cold.py too.
PARSE_STATS = r"""
import json, logging, os, resource, sys, time
runs = []
class _Stats(logging.Handler):
    def emit(self, record):
        data = getattr(record, "why403_parse", None)
        if data is not None:
            runs.append(data)
log = logging.getLogger("why403.sources.parsing")
log.setLevel(logging.DEBUG)
log.addHandler(_Stats())
log.propagate = False
from why403.cli.main import main
"""

_CHECK = PARSE_STATS + r"""
real, sys.stdout = sys.stdout, open(os.devnull, "w")
code = main(sys.argv[1:])
sys.stdout = real
print(json.dumps({"code": code, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "parse": runs}))
"""


def corpus(out: Path, size: int, gen: Path) -> Path:
    target = out / f"corpus_{size}"
    if not (target / "manifest.json").exists():
        subprocess.run([sys.executable, str(gen), str(target), "-n", str(size)], check=True,
                       stdout=subprocess.DEVNULL)
    return target


def child(code: str, *args: str, cwd: Path | None = None) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{args}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return wall, data


def check(*args: str, cwd: Path | None = None) -> tuple[float, dict[str, Any]]:
    wall, data = child(_CHECK, "check", "--format", "json", *args, cwd=cwd)
    if data["code"] not in (0, 1):
        raise RuntimeError(f"why403 check {args}: exit status {data['code']}")
    return wall, data


def changed_file(path: Path) -> Path:
    """A Terraform file of a module to change: a generated module's main.tf, or the first child
    module file of a real folder (a directory with .tf files below the top)."""
    generated = sorted((path / "terraform" / "modules").glob("mod_*/main.tf"))
    if generated:
        return generated[len(generated) // 2]
    candidates = sorted(p for p in path.rglob("*.tf") if ".terraform" not in p.parts and "modules" in p.parts)
    if not candidates:
        candidates = sorted(p for p in path.rglob("*.tf") if ".terraform" not in p.parts)
    return candidates[len(candidates) // 2]


def parsed(data: dict[str, Any]) -> int:
    return sum(int(r["parsed"]) for r in data["parse"])


def measure(path: Path, repeat: int, scratch: Path) -> dict[str, Any]:
    _, raw = child(_RAW, str(path))
    target = changed_file(path)
    original = target.read_bytes()
    series: dict[str, list[float]] = {k: [] for k in ("cold1", "cold", "warm", "one", "hook")}
    peaks: list[float] = []
    workers: list[float] = []
    warm_parsed: list[int] = []
    one_parsed: list[int] = []
    hook_parsed: list[int] = []
    cache_mb = 0.0
    try:
        for i in range(repeat):
            cold1 = scratch / f"c1-{i}"
            wall, data = check(str(path), "--jobs", "1", "--cache-dir", str(cold1))
            series["cold1"].append(wall)
            peaks.append(data["peak_mb"])
            shutil.rmtree(cold1, ignore_errors=True)
            cache = scratch / f"c-{i}"
            wall, data = check(str(path), "--cache-dir", str(cache))
            series["cold"].append(wall)
            peaks.append(data["peak_mb"])
            workers.append(data["workers_mb"])
            cache_mb = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 1048576
            wall, data = check(str(path), "--cache-dir", str(cache))
            series["warm"].append(wall)
            warm_parsed.append(parsed(data))
            peaks.append(data["peak_mb"])
            target.write_bytes(original + f"\n# changed by bench/scale.py, run {i}\n".encode())
            wall, data = check(str(path), "--cache-dir", str(cache))
            series["one"].append(wall)
            one_parsed.append(parsed(data))
            target.write_bytes(original + f"\n# changed again by bench/scale.py, run {i}\n".encode())
            wall, data = check("--pre-commit", "--cache-dir", str(cache), str(target.relative_to(path)), cwd=path)
            series["hook"].append(wall)
            hook_parsed.append(parsed(data))
            target.write_bytes(original)
            shutil.rmtree(cache, ignore_errors=True)
    finally:
        target.write_bytes(original)
    return {"path": str(path), "raw": raw, "series": series, "peak_mb": max(peaks), "workers_mb": max(workers),
            "warm_parsed": warm_parsed, "one_parsed": one_parsed, "hook_parsed": hook_parsed, "cache_mb": cache_mb,
            "jobs": _jobs(), "changed": str(target)}


def _jobs() -> int:
    from why403.sources.parsing import default_jobs

    return default_jobs()


def _fmt(values: list[float]) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}"
    return f"{med:.2f} ({min(values):.2f}-{max(values):.2f})"


def report(name: str, r: dict[str, Any]) -> None:
    raw, s = r["raw"], r["series"]
    raw_total = raw["hcl2"] + raw["cfn"]
    cold, warm = statistics.median(s["cold"]), statistics.median(s["warm"])
    print(f"\n== {name}: {raw['tf']} .tf (+{raw['tf_json']} .tf.json/tfvars), {raw['templates']} templates, "
          f"{raw['tf_bytes'] / 1048576:.1f} MB of .tf; jobs={r['jobs']}; changed {r['changed']}")
    print(f"  raw parse (one process): hcl2 {raw['hcl2']:.2f} s + cfn-lint decode {raw['cfn']:.2f} s "
          f"= {raw_total:.2f} s ({raw['errors']} files refused)")
    print(f"  cold --jobs 1     {_fmt(s['cold1'])} s")
    print(f"  cold default      {_fmt(s['cold'])} s   = {cold / max(raw_total, 1e-9):.2f}x raw "
          f"(hcl2 alone: {cold / max(raw['hcl2'], 1e-9):.2f}x)")
    print(f"  warm              {_fmt(s['warm'])} s   = {100 * warm / cold:.1f}% of cold   parsed {r['warm_parsed']}")
    print(f"  1 file, whole dir {_fmt(s['one'])} s   parsed {r['one_parsed']}")
    print(f"  1 file, hook      {_fmt(s['hook'])} s   parsed {r['hook_parsed']}")
    print(f"  peak memory       {r['peak_mb']:.0f} MB (largest worker {r['workers_mb']:.0f} MB); "
          f"cache {r['cache_mb']:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 1000])
    parser.add_argument("--real", type=Path, nargs="*", default=[], help="folders of real repositories")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "tools" / "gen_corpus.py")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="why403-scale-") as scratch:
        for size in args.sizes:
            name = f"generated, {size} modules"
            results[name] = measure(corpus(args.out, size, args.gen), args.repeat, Path(scratch))
            report(name, results[name])
        for folder in args.real:
            name = f"real: {folder}"
            results[name] = measure(folder.resolve(), args.repeat, Path(scratch))
            report(name, results[name])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

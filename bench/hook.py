#!/usr/bin/env python3
"""The pre-commit hook after a one-file change, on a 1,000-module repository (issue 17.3).

    .venv/bin/python bench/hook.py [--samples 15] [--out bench/out] [--json FILE] [--editable]

The repository (made once under ``--out``, a git work tree) is laid out as infrastructure
repositories are: 250 root modules ``envs/env_NNN`` (a provider and an S3 backend each) that call
four of the 1,000 child modules ``modules/mod_NNNN`` of the generated corpus
(``../shared/tools/gen_corpus.py``), wired as its single root wires them, and the corpus's 1,000
CloudFormation templates under ``stacks/``.

why403 is run as pre-commit runs it: pre-commit installs the hook's repository into a virtual
environment of its own with pip (a wheel, not an editable install) and runs its ``why403`` entry
point from the repository's top. So the bench builds a wheel of this tree and installs it into
``--out``/hook_venv (dependencies resolved by pip the first time; offline where pip has a
wheelhouse), with its bytecode compiled as pip compiles it. ``--editable`` runs this
interpreter's installation instead.

For ``--samples`` files taken evenly from the child modules' files, the roots' files and the
templates, one at a time: a comment is appended to the file (a change the parse cache has not
seen), ``why403 check --pre-commit FILE`` runs in a fresh process, and the file is restored. Wall
time is taken from outside (interpreter start-up included), CPU time is the process's and its
children's. Two series: with the parse cache filled by one full check beforehand (every later
commit), and with an empty cache for each run (the first commit after a clone). The target:
median wall time under 0.5 s with the cache filled.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import ROOT, corpus  # a sibling script, not a package

ROOTS, PER_ROOT = 250, 4
# As on a user's machine: bytecode is written (a sandbox's PYTHONDONTWRITEBYTECODE would make every
# run compile why403 again); CI=1 keeps the progress line off.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "CI": "1"}


def repository(out: Path, gen: Path) -> Path:
    target = out / "hook_repo"
    if (target / ".git").exists():
        return target
    source = corpus(out, ROOTS * PER_ROOT, gen)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "terraform" / "modules", target / "modules")
    shutil.copytree(source / "cloudformation", target / "stacks")
    for r in range(ROOTS):
        calls = []
        for i in range(r * PER_ROOT, (r + 1) * PER_ROOT):
            peer = f"\n  peer_bucket_arn = module.mod_{i - 1:04}.bucket_arns[0]" if i % PER_ROOT else ""
            calls.append(f'module "mod_{i:04}" {{\n  source         = "../../modules/mod_{i:04}"\n'
                         f'  name_prefix    = "env{r:03}-{i:04}"\n'
                         f'  admin_role_arn = "arn:aws:iam::111122223333:role/admin"\n  tags = {{}}{peer}\n}}\n')
        root = target / "envs" / f"env_{r:03}"
        root.mkdir(parents=True)
        (root / "main.tf").write_text(
            'terraform {\n  backend "s3" {\n    bucket = "acme-tfstate"\n'
            f'    key    = "env_{r:03}.tfstate"\n    region = "eu-west-1"\n  }}\n}}\n\n'
            'provider "aws" {\n  region = "eu-west-1"\n}\n\n' + "\n".join(calls))
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    return target


def samples(repo: Path, count: int) -> list[Path]:
    groups = [sorted(repo.glob("modules/*/*.tf")), sorted(repo.glob("envs/*/*.tf")), sorted(repo.glob("stacks/*"))]
    per = [count - 2 * (count // 3), count // 3, count // 3]
    out = []
    for files, n in zip(groups, per, strict=True):
        step = max(1, len(files) // max(n, 1))
        out.extend(files[step // 2::step][:n])
    return [p.relative_to(repo) for p in out]


def installed(out: Path) -> Path:
    """The ``why403`` entry point of a wheel of this tree installed into a venv of its own, as
    pre-commit installs a hook (the wheel is rebuilt and reinstalled on each bench run)."""
    venv = out / "hook_venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with tempfile.TemporaryDirectory(prefix="why403-wheel-") as wheels:
        subprocess.run([str(python), "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, str(ROOT)], check=True)
        wheel = next(Path(wheels).glob("why403-*.whl"))
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                       check=True)
    return venv / "bin" / "why403"


def hook(repo: Path, file: Path, cache: Path, why403: str) -> tuple[float, float, int]:
    """(wall, CPU, exit status) of the hook on ``file`` changed by a comment."""
    original = (repo / file).read_bytes()
    comment = b"\n# changed by bench/hook.py\n" if file.suffix != ".json" else b"\n"
    (repo / file).write_bytes(original + comment)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run([why403, "check", "--pre-commit", "--cache-dir", str(cache), str(file)], cwd=repo,
                              capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        (repo / file).write_bytes(original)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{file}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "tools" / "gen_corpus.py")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--editable", action="store_true", help="run this interpreter's why403, not a wheel")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    repo = repository(args.out, args.gen)
    why403 = str(Path(sys.executable).parent / "why403") if args.editable else str(installed(args.out))
    files = samples(repo, args.samples)
    results: dict[str, list[dict[str, Any]]] = {"warm": [], "cold": []}
    with tempfile.TemporaryDirectory(prefix="why403-hook-") as scratch:
        warm = Path(scratch) / "warm"
        started = time.perf_counter()
        subprocess.run([why403, "check", "--cache-dir", str(warm), "--format", "json",
                        "--output", str(Path(scratch) / "full.json"), "."], cwd=repo, capture_output=True, env=ENV)
        full = time.perf_counter() - started
        for file in files:
            wall, cpu, code = hook(repo, file, warm, why403)
            results["warm"].append({"file": str(file), "wall": wall, "cpu": cpu, "exit": code})
            cold = Path(scratch) / f"cold-{len(results['cold'])}"
            wall, cpu, code = hook(repo, file, cold, why403)
            results["cold"].append({"file": str(file), "wall": wall, "cpu": cpu, "exit": code})
            shutil.rmtree(cold, ignore_errors=True)
    print(f"{why403} ({'editable' if args.editable else 'wheel, as pre-commit installs it'})")
    print(f"{repo}: {ROOTS} roots x {PER_ROOT} of 1,000 modules, 1,000 templates; full check to fill the cache "
          f"{full:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, label in (("warm", "cache filled"), ("cold", "empty cache ")):
        for kind, rows in (("all files", results[name]),
                           ("Terraform", [r for r in results[name] if r["file"].endswith(".tf")]),
                           ("templates", [r for r in results[name] if not r["file"].endswith(".tf")])):
            walls = [r["wall"] for r in rows]
            cpus = [r["cpu"] for r in rows]
            if walls:
                print(f"  hook, {label}, {kind:9}: median {statistics.median(walls):.2f} s wall "
                      f"({min(walls):.2f}-{max(walls):.2f}), median {statistics.median(cpus):.2f} s CPU, "
                      f"{len(walls)} files")
    for row in results["warm"]:
        print(f"    {row['wall']:.2f} s  {row['file']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Time ``--baseline`` against a plain check on the generated corpus with a one-file change (issue 6).

    .venv/bin/python bench/baseline.py [--size 1000] [--out bench/out]

The corpus is copied into a git repository and committed; one file of one module is then changed:
the writer role's policy goes from ``s3:PutObject`` to ``s3:*`` (a widening baseline mode exists to
catch). Then ``why403 check`` runs in fresh processes: plainly and with ``--baseline HEAD``, each
cold (empty parse cache) and warm (the parse cache a previous run of the repository left; the whole-run
cache is emptied first, as an edit would miss it, and its own hit is timed apart). The target is a
baseline run under 2.5x the plain one; the new-access findings are counted to show the change was
seen.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHY403 = [sys.executable, "-m", "why403"]



def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def prepare(out: Path, size: int, gen: Path) -> Path:
    corpus = out / f"corpus_{size}"
    if not (corpus / "manifest.json").exists():
        subprocess.run([sys.executable, str(gen), str(corpus), "-n", str(size)], check=True, stdout=subprocess.DEVNULL)
    repo = out / f"baseline_repo_{size}"
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(corpus / "terraform", repo / "terraform")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "add", ".")
    _git(repo, "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-q", "-m", "corpus")
    target = repo / "terraform" / "modules" / "mod_0000" / "iam.tf"
    text = target.read_text()
    widened = text.replace('actions   = ["s3:PutObject", "s3:GetObject"]', 'actions   = ["s3:*"]', 1)
    if widened == text:
        raise SystemExit(f"{target}: the writer statement to widen was not found")
    target.write_text(widened)
    return repo


def timed(args: list[str], cwd: Path, cache: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run([*WHY403, *args, "--format", "json", "--cache-dir", str(cache)], cwd=cwd,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"why403 failed ({proc.returncode}): {proc.stderr[-500:]}")
    report: dict[str, object] = json.loads(proc.stdout)
    return elapsed, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--gen", type=Path, default=ROOT.parent / "shared" / "tools" / "gen_corpus.py")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    repo = prepare(args.out, args.size, args.gen)
    caches = args.out / "baseline_caches"
    shutil.rmtree(caches, ignore_errors=True)
    plain_cold, plain_report = timed(["check", "terraform"], repo, caches / "plain")
    base_cold, base_report = timed(["check", "terraform", "--baseline", "HEAD"], repo, caches / "baseline")
    plain_hit, _ = timed(["check", "terraform"], repo, caches / "plain")  # answered by the run cache
    shutil.rmtree(caches / "plain" / "runs", ignore_errors=True)
    plain_warm, _ = timed(["check", "terraform"], repo, caches / "plain")  # parse cache only, as after an edit
    base_warm, _ = timed(["check", "terraform", "--baseline", "HEAD"], repo, caches / "baseline")
    findings = base_report.get("findings", [])
    assert isinstance(findings, list)
    new_access = [f for f in findings if f.get("kind") == "new-access"]
    plain_findings = plain_report.get("findings", [])
    assert isinstance(plain_findings, list)
    print(f"modules {args.size}: cold plain {plain_cold:.1f} s, cold --baseline HEAD {base_cold:.1f} s "
          f"({base_cold / plain_cold:.2f}x); warm parse cache: plain {plain_warm:.1f} s, --baseline {base_warm:.1f} s "
          f"({base_warm / plain_warm:.2f}x); an unchanged plain re-run (run cache) {plain_hit:.1f} s")
    print(f"findings: plain {len(plain_findings)}, baseline {len(findings)} of which new-access {len(new_access)}")
    for f in new_access[:5]:
        print(f"  {f.get('rule')} {f.get('severity')}: {str(f.get('message'))[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

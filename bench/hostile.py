#!/usr/bin/env python3
"""Wall time and peak memory of ``why403 check`` on each hostile input of issue 12 (point 4).

    .venv/bin/python bench/hostile.py            # every input; --only NAME for one

Each input (tests/hostile/inputs.py: number literals out of range, format widths, backtracking
regular expressions, values doubled thirty times, a YAML alias bomb, FIFOs and device links ...)
is written next to an ordinary public bucket and checked in a child process with the cache on.
Prints each input's wall seconds and peak resident memory (from the child's rusage), then the
maxima; the targets are < 30 s and < 1 GB for every input. Exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile.inputs import NAMES, build  # noqa: E402

WALL_TARGET = 30.0
RSS_TARGET = 1024 * 1024 * 1024


def measure(name: str, scratch: Path) -> tuple[float, int, int]:
    """(wall seconds, peak resident bytes, exit status) of checking the input ``name``."""
    root = build(name, scratch / name)
    command = [sys.executable, "-m", "why403", "check", ".", "--format", "json", "--no-config",
               f"--cache-dir={scratch / 'cache'}"]
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss * 1024, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=NAMES, action="append")
    args = parser.parse_args()
    worst_wall, worst_rss, failed = 0.0, 0, False
    with tempfile.TemporaryDirectory(prefix="why403-bench-hostile-") as tmp:
        for name in args.only or NAMES:
            wall, rss, code = measure(name, Path(tmp))
            worst_wall, worst_rss = max(worst_wall, wall), max(worst_rss, rss)
            missed = wall >= WALL_TARGET or rss >= RSS_TARGET or code not in (0, 1)
            failed |= missed
            print(f"{name:24} {wall:7.2f} s {rss / 2**20:8.1f} MiB  exit {code}{'  MISSED' if missed else ''}")
    print(f"{'max':24} {worst_wall:7.2f} s {worst_rss / 2**20:8.1f} MiB  (targets: < {WALL_TARGET:.0f} s, < 1 GiB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Point 4: no input hangs the run or eats its memory; the other files' findings still come out.

Each input of :mod:`tests.hostile.inputs` is checked in a child process (with the cache on, which
hashes every file), which must finish well within 30 s, with at most 1 GB resident, and report the
ordinary public bucket beside the hostile tree. ``bench/hostile.py`` measures the same inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.inputs import NAMES, build


@pytest.mark.parametrize("name", NAMES)
def test_every_hostile_input_is_bounded(name: str, tmp_path: Path) -> None:
    root = build(name, tmp_path / "tree")
    command = [sys.executable, "-c", "import resource, sys\nfrom why403.cli.main import main\ncode = main()\n"
               "sys.stderr.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\nsys.exit(code)",
               "check", ".", "--format", "json", "--no-config", f"--cache-dir={tmp_path / 'cache'}"]
    started = time.monotonic()
    proc = subprocess.run(command, cwd=root, capture_output=True, timeout=120)
    wall = time.monotonic() - started
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    peak_kib = int(proc.stderr.decode().strip().splitlines()[-1])
    assert wall < 30, wall
    assert peak_kib < 1024 * 1024, peak_kib
    report = json.loads(proc.stdout)
    assert any(f["rule"] == "W403-B307" and f["location"]["file"].startswith("fine/") for f in report["findings"])

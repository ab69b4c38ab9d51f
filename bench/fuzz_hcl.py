#!/usr/bin/env python3
"""atheris harness for the Terraform reader and expression evaluator, run by hand.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_hcl.py -atheris_runs=200000      # or -max_total_time=600

Each input is read three ways: as a whole ``.tf`` file and as a ``.tf.json`` file
(``parse_bytes`` must return a body or an error, never raise) and as one expression, parsed and
evaluated in a scope with known and unknown variables (a value of the documented types, or
EvalError/BudgetExceeded, as tests/fuzz/harness.py states).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))

from atheris_main import fuzz  # noqa: E402

from tests.fuzz import harness  # noqa: E402

# why403 is installed in editable mode, through a finder atheris's import hook does not see:
# instrument every function loaded so far instead (a few seconds at start).
atheris.instrument_all()

EMPTY = Path(tempfile.mkdtemp(prefix="why403-fuzz-hcl-"))  # empty: file() finds nothing to read


def one_input(data: bytes) -> None:
    if not data:
        return
    mode, rest = data[0] % 3, data[1:]
    if mode == 0:
        harness.tf_file(rest, False)
    elif mode == 1:
        harness.tf_file(rest, True)
    else:
        harness.tf_expression(rest.decode("utf-8", "replace"), EMPTY)


def seeds() -> list[bytes]:
    """The Terraform files of the repository's examples and fixtures: a start for the mutations."""
    files = sorted(ROOT.glob("examples/**/*.tf")) + sorted(ROOT.glob("tests/terraform/fixtures/**/*.tf"))
    return [b"\x00" + p.read_bytes()[:4096] for p in files[:60]]


def main() -> None:
    fuzz(one_input, seeds)


if __name__ == "__main__":
    main()

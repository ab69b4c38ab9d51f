#!/usr/bin/env python3
"""atheris harness for the CloudFormation decoder, frontend and intrinsic resolver, run by hand.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_cfn.py -atheris_runs=100000      # or -max_total_time=600

Each input is decoded as a template (``parse_template`` never raises; ``build_template`` of what
it decodes never raises) and, when it decodes to a mapping, its ``Outputs``/``Resources`` values
are resolved with ``Resolver.value`` (documented values only, conditions True/False/None), as
tests/fuzz/harness.py states.
"""

from __future__ import annotations

import json
import sys
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


def one_input(data: bytes) -> None:
    if not data:
        return
    supplied = {"P": "prod", "Env": "a,b"} if data[0] & 1 else {}
    body = data[1:]
    harness.cfn_template(body, supplied)
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return
    if isinstance(doc, dict):
        for section in ("Outputs", "Resources", "Conditions"):
            harness.cfn_resolve(doc, doc.get(section), supplied)


def seeds() -> list[bytes]:
    """The templates of the repository's fixtures: a start for the mutations."""
    files = sorted(ROOT.glob("tests/cloudformation/fixtures/*.yaml")) + sorted(ROOT.glob("tests/**/fixtures/**/*.json"))
    return [b"\x00" + p.read_bytes()[:8192] for p in files[:60]]


def main() -> None:
    fuzz(one_input, seeds)


if __name__ == "__main__":
    main()

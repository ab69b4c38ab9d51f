#!/usr/bin/env python3
"""atheris harness for the policy parser (``why403.policy.parse.parse_policy``), run by hand.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_policy.py -atheris_runs=200000      # or -max_total_time=600
    .venv/bin/python bench/fuzz_policy.py CORPUS_DIR                  # keep and grow a corpus

Each input is read as JSON text and, when it decodes, also as the JSON value; the contract is the
one tests/fuzz/test_fuzz.py holds with hypothesis (tests/fuzz/harness.py): no exception, a Policy
of Statements and Problems. A crash prints the input and writes it as crash-<sha1>.
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
from why403.model.policy import PolicyKind  # noqa: E402

# why403 is installed in editable mode, through a finder atheris's import hook does not see:
# instrument every function loaded so far instead (a few seconds at start).
atheris.instrument_all()

KINDS = list(PolicyKind)


def one_input(data: bytes) -> None:
    if not data:
        return
    kind = KINDS[data[0] % len(KINDS)]
    text = data[1:].decode("utf-8", "replace")
    harness.policy(text, kind)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return
    harness.policy(value, kind)


def seeds() -> list[bytes]:
    """Policies of the repository's examples and fixtures: a start for the mutations."""
    docs = [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
             "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*",
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]},
            {"Statement": {"Effect": "Deny", "NotPrincipal": "*", "NotAction": "kms:*", "NotResource": ["*"]}}]
    out = [b"\x00" + json.dumps(d).encode() for d in docs]
    for i, path in enumerate(sorted(ROOT.glob("tests/**/fixtures/**/*.json"))[:40]):
        out.append(bytes([i]) + path.read_bytes()[:4096])
    return out


def main() -> None:
    fuzz(one_input, seeds)


if __name__ == "__main__":
    main()

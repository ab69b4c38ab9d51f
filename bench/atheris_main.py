"""The command line the atheris harnesses share: a corpus directory, or the harness's seeds."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris


def fuzz(one_input: Callable[[bytes], None], seeds: Callable[[], list[bytes]]) -> None:
    """Run atheris on ``one_input``; with no corpus directory on the command line, start from a
    temporary one holding ``seeds()`` so that a bare run mutates realistic inputs, not noise."""
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        corpus = Path(tempfile.mkdtemp(prefix="why403-fuzz-corpus-"))
        for i, data in enumerate(seeds()):
            (corpus / f"seed-{i}").write_bytes(data)
        argv.append(str(corpus))
    atheris.Setup(argv, one_input)
    atheris.Fuzz()

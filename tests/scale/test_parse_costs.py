"""What parsing costs before it parses: nothing a small or uncached run does not need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.scale.corpus import synthetic
from why403.sources import fingerprint, parsekind
from why403.sources.parsing import ParseSession


def test_importing_the_parse_session_does_not_import_multiprocessing() -> None:
    probe = ("import sys, why403.sources.parsing\n"
             "print(sorted(m for m in sys.modules if m.startswith(('multiprocessing', 'concurrent.futures.process'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_a_cache_no_cache_key_salt_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   jobs: int) -> None:
    """The salt (library versions read from the installed metadata, a hash of the frontends' code)
    only makes keys that outlive the run; without a cache, in-run keys need none."""
    tree = synthetic(tmp_path / "repo", 30)
    asked: list[str] = []
    monkeypatch.setattr(parsekind, "salt", lambda kind: asked.append(kind) or b"")
    session = ParseSession(None, jobs=jobs)
    files = [(parsekind.TF, p) for p in sorted(tree.rglob("*.tf"))]
    session.prefetch(files)
    first = [session.terraform(p) for _, p in files]
    assert asked == []
    assert first == [ParseSession(None, jobs=1).terraform(p) for _, p in files]


def test_the_code_fingerprint_is_computed_once_for_every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real = fingerprint.code_fingerprint

    def counting(*args: str, **kwargs: object) -> str:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fingerprint, "code_fingerprint", counting)
    monkeypatch.setattr(parsekind, "_SALTS", {})
    clear = getattr(parsekind, "_frontend_code", None)
    if clear is not None:
        clear.cache_clear()
    salts = {parsekind.salt(kind) for kind in (parsekind.TF, parsekind.TF_JSON, parsekind.CFN)}
    assert len(salts) == 3
    assert len(calls) <= 1

"""Progress appears on stderr for long runs on a terminal, and is erased; never otherwise."""

from __future__ import annotations

import io
import time

from why403.cli.progress import Progress


def test_long_run_shows_progress_then_erases_it() -> None:
    stream = io.StringIO()
    with Progress(stream, "checking infra", enabled=True, delay=0.05, every=0.01):
        time.sleep(0.3)
    text = stream.getvalue()
    assert "why403: checking infra" in text
    assert text.endswith("\r\x1b[K")


def test_short_run_shows_nothing() -> None:
    stream = io.StringIO()
    with Progress(stream, "checking infra", enabled=True, delay=5):
        pass
    assert stream.getvalue() == ""


def test_disabled_shows_nothing() -> None:
    stream = io.StringIO()
    with Progress(stream, "checking infra", enabled=False, delay=0):
        time.sleep(0.05)
    assert stream.getvalue() == ""

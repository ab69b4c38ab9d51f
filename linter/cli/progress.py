"""A progress line on stderr for long runs: files parsed, units simulated, time so far.

Shown only when stderr is a terminal, the run is not in CI (``CI`` set, as GitHub Actions, GitLab
CI and most others set it) and ``--quiet`` was not given: reports go to stdout or files and are
never touched, and CI logs and pipes get nothing. The line appears only once a run has taken
:data:`DELAY` seconds, so the pre-commit hook on a small change stays silent, and it is erased
before the report is written.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

DELAY = 1.0  # seconds a run takes before its progress is shown
EVERY = 0.25  # seconds between two updates of the line


def wanted(stream: TextIO, quiet: bool) -> bool:
    """Whether a run writing its progress to ``stream`` should show it."""
    from why403.cli.outputs import is_terminal

    return not quiet and is_terminal(stream) and os.environ.get("CI", "").strip().lower() in ("", "0", "false")


class Progress:
    def __init__(self, stream: TextIO, label: str, *, enabled: bool, status: Callable[[], str] | None = None,
                 delay: float | None = None, every: float | None = None) -> None:
        self.stream = stream
        self.label = label
        self.status = status
        self.enabled = enabled
        self.delay = DELAY if delay is None else delay
        self.every = EVERY if every is None else every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._started = 0.0

    def __enter__(self) -> Progress:
        if self.enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._tick, name="why403-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def line(self, width: int = 0) -> str:
        """The line as it reads now (without the carriage return that redraws it), cut to
        ``width`` columns when given: a line that wraps cannot be redrawn in place. The label may
        name files of the checked tree, so it is escaped like the text report."""
        from why403.report.escape import terminal_text

        elapsed = time.monotonic() - self._started
        status = f": {self.status()}" if self.status is not None else ""
        text = f"why403: {terminal_text(self.label).replace(chr(10), ' ')}{status}, {elapsed:.0f} s"
        return text[:width - 1] if width > 1 else text

    def _tick(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self.stream.write("\r\x1b[K" + self.line(_columns(self.stream)))
            self.stream.flush()
            self._shown = True
            self._stop.wait(self.every)


def _columns(stream: TextIO) -> int:
    """The terminal's width, or 0 when it cannot be told."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return 0

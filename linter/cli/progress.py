"""A progress line on stderr for long runs, only when stderr is a terminal.

Reports go to stdout or files and are never touched; CI logs and pipes (stderr not a terminal)
get nothing. The line appears only once a run has taken ``delay`` seconds, so the pre-commit hook
on a small change stays silent, and it is erased before the report is written.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO, label: str, *, enabled: bool, delay: float = 1.0, every: float = 0.25) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self.delay = delay
        self.every = every
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

    def _tick(self) -> None:
        if self._stop.wait(self.delay):
            return
        frames = "|/-\\"
        i = 0
        while not self._stop.is_set():
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r\x1b[Kwhy403: {self.label} {frames[i % 4]} {elapsed:.0f} s")
            self.stream.flush()
            self._shown = True
            i += 1
            self._stop.wait(self.every)

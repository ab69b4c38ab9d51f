"""Progress appears on stderr for long runs on a terminal, and is erased; never otherwise."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_the_line_counts_files_and_units() -> None:
    from why403.model.tally import Tally

    tally = Tally()
    progress = Progress(io.StringIO(), "checking infra", enabled=False, status=tally.describe)
    assert progress.line().startswith("why403: checking infra: 0 files parsed, ")
    tally.files, tally.units, tally.units_total = 1204, 12, 37
    assert progress.line().startswith("why403: checking infra: 1,204 files parsed, 12/37 units simulated, ")


# A real run of ``why403 check`` whose stderr is the terminal side of a pty, with the delay shortened
# so that the progress line appears within a small run.
_CHILD = (
    "import sys\nimport why403.cli.progress as p\np.DELAY, p.EVERY = 0.05, 0.02\n"
    "from why403.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run_on_a_terminal(*args: str, env: dict[str, str], stderr_tty: bool = True) -> tuple[bytes, bytes]:
    """(what reached the terminal, standard output) of a run with stderr on a pty (or a pipe)."""
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, *args], stdout=subprocess.PIPE,
                                stderr=slave if stderr_tty else subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        os.close(slave)
        stdout, piped = proc.communicate(timeout=300)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO once the child side is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return (seen if stderr_tty else piped or b""), stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # the suite itself may run in CI
    return {**env, **extra}


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_a_terminal_sees_files_parsed_and_units_simulated_then_nothing() -> None:
    seen, stdout = _run_on_a_terminal("check", "--no-cache", "--jobs", "1", str(EXAMPLES), env=_env())
    assert b"why403: checking " in seen
    assert re.search(rb"[0-9,]+ files? parsed", seen)
    assert re.search(rb"(\d+)/\d+ units? simulated", seen)
    assert seen.endswith(b"\r\x1b[K")  # erased before the report
    assert b"why403: checking" not in stdout and b"error" in stdout  # the report is untouched


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("how", ["quiet", "ci", "pipe"])
def test_no_progress_when_quiet_in_ci_or_not_a_terminal(how: str) -> None:
    args = ["check", "--no-cache", "--jobs", "1", str(EXAMPLES / "kms-403")]
    if how == "quiet":
        args.insert(1, "--quiet")
    seen, stdout = _run_on_a_terminal(*args, env=_env(CI="true") if how == "ci" else _env(),
                                      stderr_tty=how != "pipe")
    assert b"why403: checking" not in seen and b"parsed" not in seen
    assert b"W403-D103" in stdout


def test_the_line_fits_the_terminal_and_names_files_safely() -> None:
    progress = Progress(io.StringIO(), "checking evil\x1b]0;owned\x07.tf", enabled=False)
    assert "\x1b" not in progress.line() and "\x07" not in progress.line()
    assert len(progress.line(40)) == 39

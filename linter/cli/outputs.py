"""Where ``why403 check`` writes its reports: standard output, in colour on a terminal, and files
written atomically, never through a symbolic link of the tree under check."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from why403.cli.arguments import OutputSpec, UsageError
from why403.report.base import Report


def write_reports(report: Report, outputs: tuple[OutputSpec, ...], color: str, roots: Sequence[Path] = ()) -> None:
    from dataclasses import replace

    from why403.report import render

    for spec in outputs:
        to_stdout = spec.path in (None, "-")
        coloured = spec.fmt == "text" and to_stdout and _colour(color)
        text = render(spec.fmt, replace(report, color=coloured, width=_width(to_stdout)))
        if to_stdout:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        assert spec.path is not None
        write_output(spec.path, text, roots)


def write_output(path: str, text: str, roots: Sequence[Path], flag: str = "--output") -> None:
    """Write a report file atomically (a temporary file in its directory, renamed over it), never
    through a symbolic link of the tree under check: a pull request may commit ``why403.sarif`` as
    a link to a file of the runner, or a ``reports`` directory as a link elsewhere. The rename
    replaces a link at the destination itself, and links on the way inside the tree are refused."""
    import tempfile

    from why403.sources import confine

    target = Path(os.path.abspath(path))
    walked = Path(target.anchor)
    for part in target.parent.parts[1:]:
        walked = walked / part
        if walked.is_symlink() and confine.within_roots(walked.parent, roots):
            raise UsageError(f"{flag} {path}: {walked} is a symbolic link inside the tree under check; not "
                             "followed (write the report outside the tree, e.g. to $RUNNER_TEMP)")
    if target.is_dir() and not target.is_symlink():
        raise UsageError(f"{flag} {path}: is a directory")
    if _is_special(target) and not (target.is_symlink() and confine.within_roots(target.parent, roots)):
        _write_in_place(f"{flag} {path}", target, text)
        return
    try:
        fd, temp = tempfile.mkstemp(prefix=".why403-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            mask = os.umask(0)  # a report is as readable as any file the user writes (mkstemp makes 0600)
            os.umask(mask)
            if os.chmod in os.supports_fd:
                os.chmod(handle.fileno(), 0o666 & ~mask)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise UsageError(f"{flag} {path}: cannot write: {exc.strerror or exc}") from None
        raise


def _is_special(target: Path) -> bool:
    """A device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe), or a link to one: renaming a
    file over it would replace it (as root, ``/dev/null`` itself), so it is written to. A link in the
    tree under check is still replaced, never followed."""
    import stat

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_in_place(shown: str, target: Path, text: str) -> None:
    try:
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"{shown}: cannot write: {exc.strerror or exc}") from None


def _width(to_stdout: bool) -> int:
    """The terminal's columns when the text goes to one, else 100 (a file, a pipe, a CI log)."""
    if not to_stdout or not is_terminal(sys.stdout):
        return 100
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _colour(mode: str) -> bool:
    if mode != "auto":
        return mode == "always"
    return not os.environ.get("NO_COLOR") and is_terminal(sys.stdout)


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False

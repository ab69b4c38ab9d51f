"""Where something came from in the user's sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file. ``file`` is as given to the tool (made relative by the report)."""

    file: str
    line: int = 0
    end_line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, reported instead of raised.

    ``code`` is a short stable identifier (``json``, ``type``, ``unknown-action`` ...) that rules and
    reports can group on; ``severity`` says whether AWS would refuse the input (``error``) or
    accept something that does not do what it reads (``warning``).
    """

    code: str
    message: str
    location: Location | None = None
    severity: str = "error"
    # The element the problem is about, as written (an action name, an ARN), so that a report can
    # tell which of a statement's problems another finding already explains.
    subject: str | None = None

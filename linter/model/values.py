"""Markers that frontends put inside JSON-like documents for what the sources leave open.

Strings carry unknown parts as tokens (see :mod:`why403.model.symbols`). Values that are not
strings (a whole list, a statement, a boolean setting) use these markers instead; the policy
parser and the world builder understand both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unknown:
    """A value the sources do not determine, with the reason (``var.bucket has no value``)."""

    reason: str

    def __str__(self) -> str:
        return f"unknown ({self.reason})"


@dataclass(frozen=True)
class MaybePresent:
    """An element (a statement, a list item) that exists only under a condition the sources leave
    open, such as a CloudFormation ``Fn::If`` on a parameter without a value."""

    value: Any
    reason: str

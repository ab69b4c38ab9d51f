"""The base of every fact, and the one fact that is not about AWS: a suppression written in the
sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.location import Location

__all__ = ["Fact", "SuppressionFact"]


@dataclass(frozen=True)
class Fact:
    ref: str
    location: Location


@dataclass(frozen=True)
class SuppressionFact(Fact):
    """A suppression written in the sources: ``# why403:ignore[RULE] reason until=YYYY-MM-DD`` in
    Terraform, ``Metadata: {why403: {ignore: [{rule, reason, until}]}}`` in CloudFormation.

    ``location`` spans what it covers (``line``..``end_line``): the resource block or statement
    the comment sits on or above, or the whole CloudFormation resource. An empty ``reason`` is
    kept so that the run can say a reason is required.
    """

    rules: tuple[str, ...]
    reason: str
    until: str | None = None
    comment_location: Location | None = None

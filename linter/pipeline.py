"""The ``check`` pipeline: paths -> sources -> world -> simulation -> rules -> findings.

The CLI, the pre-commit hook, the CI gate and the cfn-lint plugin all call :func:`run_check`;
reports and suppressions are applied to its result by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from why403.model.facts import SourceOptions, SuppressionFact
from why403.model.finding import RunResult
from why403.model.settings import Settings


@dataclass(frozen=True)
class CheckRequest:
    paths: tuple[str, ...]
    source_options: SourceOptions = field(default_factory=SourceOptions)
    settings: Settings = field(default_factory=Settings)
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty = all
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # glob patterns of paths not to read
    jobs: int | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    progress: bool = False  # report progress on stderr (only when it is a terminal)


@dataclass(frozen=True)
class CheckOutcome:
    result: RunResult
    suppressions: tuple[SuppressionFact, ...] = ()

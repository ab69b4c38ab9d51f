"""Which baseline file a run honours, read from where it may be trusted, and writing one.

``--baseline-file FILE`` is the caller's choice and read from disk. ``baseline-file`` in the
configuration is relative to the configuration file; the configuration may come from the tree
under check, so the file must be inside the repository or below the configuration's folder, and
with ``--config-from REF`` (implied by ``--baseline REF``) it is read *as it is at REF*, like the
configuration itself: a pull request that records its own new findings in the baseline file does
not get them accepted by the gate that judges it (docs/security.md).

``--write-baseline FILE`` records the run's findings; the baseline in force is not applied then,
so that writing the file again keeps every finding still there and drops the stale ones.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from why403.cli.arguments import UsageError
from why403.cli.config import Config, ConfigFiles
from why403.report.base import Report, relative
from why403.report.baselinefile import Baseline, BaselineFileError, anchored, entries, parse, render

if TYPE_CHECKING:
    from why403.sources.gitrepo import Revision

# A baseline of a large repository holds thousands of entries of ~300 bytes.
MAX_BASELINE_BYTES = 64 * 1024 * 1024


def baseline_for(args: argparse.Namespace, config: Config, roots: tuple[Path, ...],
                 at_ref: Revision | None) -> Baseline | None:
    """The baseline file this run honours (None: none). ``roots``: the trees under check; ``at_ref``:
    the revision the configuration was read at, if any (the configured file is read there too)."""
    if getattr(args, "write_baseline", None):
        if getattr(args, "baseline_file", None):
            raise UsageError("--write-baseline records the findings, --baseline-file leaves them out: give one")
        return None
    named = getattr(args, "baseline_file", None)
    if named:
        return _load(named, named, ConfigFiles(), found=False)
    if not config.baseline_file or config.path is None:
        return None
    from why403.sources import confine

    allowed = (*roots, Path(config.path).resolve().parent)
    if not confine.within_roots(config.baseline_file, allowed):
        raise UsageError(f"{config.path}: baseline-file {config.baseline_file} is outside the repository and the "
                         "configuration's directory; name a file elsewhere with --baseline-file")
    files = ConfigFiles()
    if at_ref is not None:
        from why403.cli.config import RevisionFiles

        files = RevisionFiles(at_ref)
    return _load(config.baseline_file, relative(config.baseline_file), files, found=True)


def _load(path: str, shown: str, files: ConfigFiles, found: bool) -> Baseline:
    try:
        text = files.read_text(Path(path), found, MAX_BASELINE_BYTES)
    except FileNotFoundError:
        hint = "" if found else "; write one with why403 check --write-baseline FILE"
        raise UsageError(f"baseline file {shown}: no such file{hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(f"baseline file {shown}: cannot read it: {why}") from None
    try:
        return parse(text, shown)
    except BaselineFileError as exc:
        raise UsageError(str(exc)) from None


def write(report: Report, path: str, roots: tuple[Path, ...]) -> int:
    """Write the baseline file of ``report``; the number of findings recorded."""
    from why403.cli.outputs import write_output

    accepted = entries(anchored(report, path))
    write_output(path, render(accepted), roots, flag="--write-baseline")
    return len(accepted)

"""The sources as they were at a git revision, for ``--baseline REF``.

The revision is exported with ``git archive`` into a temporary directory: the working tree, the
index and the repository's refs are never touched. Only the ``git`` program is run, never anything
from the sources.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BaselineError(Exception):
    """The revision cannot be read (not a git repository, unknown ref, paths outside the repository)."""


def _git(args: list[str], cwd: Path) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise BaselineError("--baseline needs the git program, which is not on PATH")
    try:
        proc = subprocess.run([git, *args], cwd=cwd, capture_output=True, check=False, timeout=300)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BaselineError(f"git {' '.join(args)}: {exc}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaselineError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return proc.stdout


@contextmanager
def checkout(ref: str, paths: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Yield ``paths`` (relative to the working directory) mapped into a temporary export of ``ref``
    (same relative layout)."""
    here = Path.cwd().resolve()
    first = (here / paths[0]).resolve() if paths else here
    anchor = first if first.is_dir() else first.parent
    # The repository is the one holding the linted paths, which need not be the working directory's.
    top = Path(_git(["rev-parse", "--show-toplevel"], anchor).decode().strip()).resolve()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).decode().strip()
    if not commit:
        raise BaselineError(f"--baseline {ref}: no such revision in {top}")
    relative: list[str] = []
    for p in paths:
        absolute = (here / p).resolve()
        try:
            relative.append(absolute.relative_to(top).as_posix() or ".")
        except ValueError as exc:
            raise BaselineError(f"{p} is outside the git repository {top}") from exc
    with tempfile.TemporaryDirectory(prefix="why403-baseline-") as tmp:
        archive = _git(["archive", "--format=tar", commit], top)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]  # no links, no devices
            tar.extractall(tmp, members=members, filter="data")
        yield tuple(str(Path(tmp) / r) for r in relative)

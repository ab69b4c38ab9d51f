"""The last check's findings, remembered so that ``why403 explain --finding FINGERPRINT`` can walk
one of them through the layers without retyping its principal, action and resource.

``why403 check`` writes ``last-run.json`` into the cache directory (the default one, or
``--cache-dir``; never inside the tree under check, never one others may write: the cache's own
rules; nothing with ``--no-cache``). It holds the checked paths and, for each finding about an
access, its fingerprint (the one JSON and SARIF print) and the access. Nothing else reads it; a
damaged or foreign file is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from why403.report.base import Report

FILE = "last-run.json"
FORMAT = 1
_MAX_BYTES = 64 * 1024 * 1024


class LastRunError(Exception):
    """No last run, or no finding of it with that fingerprint: the message says what to do."""


@dataclass(frozen=True)
class Remembered:
    """One finding of the last run, as ``explain`` needs it."""

    fingerprint: str
    rule: str
    message: str
    principal: str
    action: str
    resource: str
    via: str | None
    paths: tuple[str, ...]
    cwd: str
    unit: str | None = None  # the deployment unit the finding belongs to (absolute path)


def _directory(cache_dir: str | None) -> Path:
    from why403.sources.parsecache import default_cache_dir

    return Path(cache_dir) if cache_dir else default_cache_dir()


def remember(report: Report, paths: Sequence[str], cache_dir: str | None, roots: Sequence[Path]) -> None:
    """Record the run for ``explain --finding``; silently skipped where no cache may be written."""
    from why403.sources.parsecache import directory_problem

    directory = _directory(cache_dir)
    if directory_problem(directory, roots) is not None:
        return
    findings = []
    for finding in report.active:
        access = finding.access
        if access is None:
            continue
        findings.append({
            "fingerprint": report.fingerprint(finding), "rule": finding.rule, "message": finding.message,
            "principal": access.principal_ref or access.principal, "action": access.action,
            "resource": access.resource, "via": access.via,
            "unit": os.path.abspath(os.path.join(report.cwd, finding.unit)) if finding.unit else None,
        })
    data = {"format": FORMAT, "time": time.time(), "cwd": report.cwd,
            "paths": [os.path.abspath(os.path.join(report.cwd, p)) for p in paths], "findings": findings}
    with contextlib.suppress(OSError):
        fd, temp = tempfile.mkstemp(prefix=".last-run-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temp, directory / FILE)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def recall(prefix: str, cache_dir: str | None = None) -> Remembered:
    """The finding of the last run whose fingerprint starts with ``prefix`` (at least 6 characters)."""
    wanted = prefix.strip().lower()
    if len(wanted) < 6 or any(c not in "0123456789abcdef" for c in wanted):
        raise LastRunError(f"--finding {prefix}: a fingerprint is hexadecimal, at least its first 6 characters "
                           "(the 'fingerprint' of --format json, SARIF's partialFingerprints)")
    data = _load(_directory(cache_dir) / FILE)
    found = [f for f in data["findings"] if isinstance(f, dict) and str(f.get("fingerprint", "")).startswith(wanted)]
    if not found:
        raise LastRunError(f"--finding {prefix}: no finding of the last check ({', '.join(data['paths'])}) about an "
                           "access has this fingerprint; run 'why403 check' again, or explain the access with "
                           "--principal/--action/--resource")
    if len(found) > 1:
        raise LastRunError(f"--finding {prefix}: {len(found)} findings start so "
                           f"({', '.join(f['fingerprint'][:12] for f in found)}); give more characters")
    f = found[0]
    return Remembered(f["fingerprint"], f["rule"], f["message"], f["principal"], f["action"], f["resource"],
                      f.get("via"), tuple(data["paths"]), str(data["cwd"]),
                      f["unit"] if isinstance(f.get("unit"), str) else None)


def _load(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise LastRunError(f"{path}: too large to be a record of why403")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LastRunError("no check has been recorded yet: run 'why403 check PATH' first (without --no-cache), "
                           "then explain one of its findings with --finding FINGERPRINT") from None
    except (OSError, ValueError) as exc:
        raise LastRunError(f"{path}: cannot be read ({exc}); run 'why403 check' again") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("findings"), list) \
            or not isinstance(data.get("paths"), list):
        raise LastRunError(f"{path}: not a record this why403 wrote; run 'why403 check' again")
    return data

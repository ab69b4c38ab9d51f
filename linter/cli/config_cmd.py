"""``why403 config [PATH]``: the settings a check of PATH would run with, and where each came from.

The configuration is looked up exactly as ``why403 check`` looks it up (from the target up to its
repository root, or ``--config``/``--no-config``, read at ``--config-from``/``--baseline`` REF when
given), and the same flags override it, so that ``why403 config infra --fail-level error`` answers
"what would ``why403 check infra --fail-level error`` do". Each setting says where its value comes
from: ``default``, ``FILE:LINE`` (``FILE:LINE at REF`` when read at a revision), or the flag.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from why403.cli.arguments import UsageError
from why403.cli.config import Config, ConfigError, ConfigFiles
from why403.report.base import relative

if TYPE_CHECKING:
    from why403.cli.plan import Plan
    from why403.pipeline import CheckRequest
    from why403.sources.gitrepo import Revision

DESCRIPTION = """\
Print the settings 'why403 check PATH' would run with and where each comes from: the default,
the configuration file and line ([tool.why403] in pyproject.toml or .why403.yaml, found walking up
from PATH to the repository root), or a flag. Takes check's options, which override the file as
they do for check."""


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    origin: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from why403.cli import arguments

    arguments.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from why403.cli.check import EXIT_OK, EXIT_USAGE, say

    try:
        rows, config, notes = _rows(args, os.getcwd())
        fmt = _format(args)
    except (UsageError, ConfigError) as exc:
        say(f"why403: error: {exc}")
        return EXIT_USAGE
    except Exception as exc:
        from why403.sources.gitrepo import BaselineError

        if not isinstance(exc, BaselineError):
            raise
        say(f"why403: error: {exc}")
        return EXIT_USAGE
    import sys

    from why403.report.escape import printable

    if fmt == "json":
        sys.stdout.write(json.dumps({"file": config.path, "settings": [
            {"key": r.key, "value": r.value, "from": r.origin} for r in rows], "notes": notes}, indent=2) + "\n")
        return EXIT_OK
    width = max(len(r.key) for r in rows) + 2
    value_width = min(max(len(r.value) for r in rows), 48) + 2
    for r in rows:
        sys.stdout.write(f"{printable(r.key):<{width}}{printable(r.value):<{value_width}}{printable(r.origin)}\n")
    for note in notes:
        sys.stdout.write(f"note: {printable(note)}\n")
    return EXIT_OK


def _format(args: argparse.Namespace) -> str:
    items = getattr(args, "report_args", None) or []
    formats = [str(v) for d, v in items if d == "format"]
    if any(d == "output" for d, _ in items) or any(f not in ("text", "json") for f in formats) or len(formats) > 1:
        raise UsageError("why403 config prints its settings as text, or as JSON with --format json")
    return formats[0] if formats else "text"


def _rows(args: argparse.Namespace, cwd: str) -> tuple[list[Row], Config, list[str]]:
    """The rows of the plan ``check`` would run (:func:`why403.cli.plan.plan`, with its validation
    and errors), each with where its value comes from."""
    from why403.cli.plan import plan

    planned = plan(args, cwd)
    if planned is None:
        raise UsageError("the pre-commit hook lints none of these files; give the paths without --pre-commit")
    config, at_ref = planned.config, planned.config_revision
    where = _Where(config, _text(config, args, at_ref), f" at {at_ref.ref}" if at_ref else "")
    rows = [Row("configuration", relative(config.path) if config.path else "(none)", where.file_origin(args))]
    rows += _gate_rows(args, planned, where)
    rows += _deployment_rows(args, planned.request, where)
    notes = [f"{relative(f.location.file)}:{f.location.line}: {f.message}" if f.location else f.message
             for f in planned.gate_findings]
    return rows, config, notes


def _text(config: Config, args: argparse.Namespace, at_ref: Revision | None) -> str:
    """The configuration file's text (to find each key's line), as it is where it was read from."""
    if config.path is None:
        return ""
    files = ConfigFiles()
    if at_ref is not None:
        from why403.cli.config import RevisionFiles

        files = RevisionFiles(at_ref)
    try:
        return files.read_text(Path(config.path), not args.config)
    except (OSError, UnicodeDecodeError):
        return ""


@dataclass(frozen=True)
class _Where:
    config: Config
    text: str
    at: str  # " at REF" when the file was read at a revision

    def file_origin(self, args: argparse.Namespace) -> str:
        if args.no_config:
            return "--no-config"
        if args.config:
            return "--config"
        if self.config.path is None:
            return "none found from the target up to the repository root"
        return "found from the target up" + self.at

    def of(self, key: str) -> str | None:
        """``FILE:LINE`` where the configuration sets ``key`` (``terraform.vars``: within its table),
        or None when it does not set it."""
        if self.config.path is None or not self.text:
            return None
        line = key_line(self.text, key, self.config.path.endswith(".toml"))
        return f"{relative(self.config.path)}:{line}{self.at}" if line else None


def key_line(text: str, key: str, toml: bool) -> int | None:
    """The line that sets ``key`` (``fail-level``, or ``terraform.vars`` one level down) in why403's
    settings: in YAML, a top-level ``key:`` and an indented ``sub:`` below it (or ``{sub: ...}`` on
    its line); in TOML, ``key =`` in ``[tool.why403]`` or a ``[tool.why403.key]`` table header, and
    ``sub =`` in that table (or ``key = {sub = ...}``)."""
    top, _, sub = key.partition(".")
    lines = text.splitlines()
    start = _toml_line(lines, top) if toml else _yaml_line(lines, top)
    if start is None or not sub:
        return start
    setting = re.compile(rf"^\s*[\"']?{re.escape(sub)}[\"']?\s*[:=]")
    inline = re.compile(rf"[{{,]\s*[\"']?{re.escape(sub)}[\"']?\s*[:=]")
    if inline.search(lines[start - 1]):
        return start
    for number in range(start, len(lines)):
        raw = lines[number]
        ended = raw.lstrip().startswith("[") if toml else bool(raw.strip()) and not raw[:1].isspace()
        if ended and not (toml and raw.strip().startswith(f"[tool.why403.{top}.")):
            return None
        if setting.match(raw):
            return number + 1
    return None


def _yaml_line(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"^[\"']?{re.escape(key)}[\"']?\s*:")
    return next((n for n, raw in enumerate(lines, 1) if pattern.match(raw)), None)


def _toml_line(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    table = ""
    for number, raw in enumerate(lines, 1):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", raw)
        if header:
            table = header.group(1).replace('"', "").replace("'", "")
            if table == f"tool.why403.{key}" or table.startswith(f"tool.why403.{key}."):
                return number
        elif table == "tool.why403" and pattern.match(raw):
            return number
    return None


def _origin(where: _Where, key: str, flag: str | None, flag_set: bool, default: str = "default") -> str:
    if flag_set and flag:
        return flag
    return where.of(key) or default


def _both(where: _Where, key: str, flag: str, from_flag: bool) -> str:
    """A list the file sets and a flag extends (``ignore``, ``exclude``, var files ...)."""
    parts = [p for p in (where.of(key), flag if from_flag else None) if p]
    return ", ".join(parts) or "default"


def _gate_rows(args: argparse.Namespace, planned: Plan, where: _Where) -> list[Row]:
    config, request = planned.config, planned.request
    baseline_file = getattr(args, "baseline_file", None) or config.baseline_file
    return [
        Row("fail-level", planned.fail_level, _origin(where, "fail-level", "--fail-level", bool(args.fail_level))),
        Row("select", _list(request.select, "every rule"), _origin(where, "select", "--select", bool(args.select))),
        Row("ignore", _list(request.ignore, "none"), _both(where, "ignore", "--ignore", bool(args.ignore))),
        Row("exclude", _list(request.exclude, "none"), _both(where, "exclude", "--exclude", bool(args.exclude))),
        Row("jobs", str(request.jobs or "one per CPU"), _origin(where, "jobs", "--jobs", bool(args.jobs))),
        Row("cache-dir", _cache(request), "--no-cache" if args.no_cache else
            _origin(where, "cache-dir", "--cache-dir", bool(args.cache_dir))),
        Row("baseline-file", relative(baseline_file) if planned.baseline is not None and baseline_file else "none",
            _origin(where, "baseline-file", "--baseline-file", bool(getattr(args, "baseline_file", None)))),
        Row("baseline", f"{request.baseline.ref} (commit {request.baseline.commit[:12]})" if request.baseline
            else "none (report every finding)",
            "--baseline" if request.settings.baseline else "default"),
        Row("suppressions.inline", "allowed" if config.suppressions.inline else "not honoured",
            _origin(where, "suppressions.inline", None, False)),
        Row("suppressions.forbid", _list(config.suppressions.forbid, "none"),
            _origin(where, "suppressions.forbid", None, False)),
    ]


def _cache(request: CheckRequest) -> str:
    if not request.use_cache:
        return "off"
    if request.cache_dir:
        return relative(request.cache_dir)
    from why403.sources.parsecache import default_cache_dir

    return str(default_cache_dir())


def _deployment_rows(args: argparse.Namespace, request: CheckRequest, where: _Where) -> list[Row]:
    s, options = request.settings, request.source_options
    org = s.organization
    intents = s.intents
    allow = sum(1 for i in intents if i.expect_allowed)
    return [
        Row("account-id", s.account_id or "left open (<this unit's account>)",
            _origin(where, "account-id", "--account-id", bool(args.account_id))),
        Row("region", s.region or "left open", _origin(where, "region", "--region", bool(args.region))),
        Row("accounts", _list([f"{n}={i}" for n, i in s.accounts], "none"), _origin(where, "accounts", None, False)),
        Row("organization", f"{org.id}, {len(org.accounts)} member accounts" if org else "none",
            _origin(where, "organization", None, False)),
        Row("units", _list([u.name or ", ".join(relative(p) for p in u.paths) for u in s.units], "none"),
            _origin(where, "units", None, False)),
        Row("intents", f"{allow} must-allow, {len(intents) - allow} must-deny" if intents else "none",
            _origin(where, "intents", None, False)),
        Row("paths", _list([f"{p}={e}" for p, e in s.paths], "none"), _origin(where, "paths", None, False)),
        Row("admins", _list(s.admins, "none"), _origin(where, "admins", None, False)),
        Row("deployers", _list(s.deployers, "none"), _origin(where, "deployers", None, False)),
        Row("severity.default-endpoint-policy", s.default_endpoint_policy_severity,
            _origin(where, "severity.default-endpoint-policy", None, False)),
        Row("severity.full-access-endpoint-policy", s.explicit_full_access_endpoint_severity,
            _origin(where, "severity.full-access-endpoint-policy", None, False)),
        Row("terraform.vars", _list([f"{k}={v}" for k, v in options.tf_vars], "none"),
            _both(where, "terraform.vars", "--var", bool(args.var))),
        Row("terraform.var-files", _list([relative(f) for f in options.tf_var_files], "none"),
            _both(where, "terraform.var-files", "--var-file", bool(args.var_file))),
        Row("cloudformation.parameters", _list([f"{k}={v}" for k, v in options.cfn_parameters], "none"),
            _both(where, "cloudformation.parameters", "--parameter", bool(args.parameter))),
        Row("cloudformation.parameter-files", _list([relative(f) for f in options.cfn_parameter_files], "none"),
            _both(where, "cloudformation.parameter-files", "--parameter-file", bool(args.parameter_file))),
    ]


def _list(items: Sequence[str], empty: str) -> str:
    return ", ".join(items) if items else empty

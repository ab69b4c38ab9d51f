"""What ``why403 check`` would run with: the configuration in force, the flags over it, validated.

``check`` runs the plan and ``why403 config`` prints it, so the two cannot disagree: one function
finds the configuration, applies the flags and refuses what a run would refuse (a rule id that
names no rule, a variable file that does not exist, a configured file or cache outside the tree)
with the same one-line usage error. ``explain`` builds its request with :func:`request_for` too.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from why403.cli.arguments import UsageError, merge_pairs, parse_pairs
from why403.cli.config import Config, ConfigError, config_for_paths, load_config
from why403.cli.config_schema import unknown_rule
from why403.cli.progress import wanted as progress_wanted
from why403.model.finding import Finding
from why403.report.base import FailLevel

if TYPE_CHECKING:
    from why403.pipeline import CheckRequest
    from why403.report.baselinefile import Baseline
    from why403.sources.gitrepo import Revision


@dataclass(frozen=True)
class Plan:
    """One check, settled but not run: what it reads, with which settings, and how it judges."""

    paths: tuple[str, ...]
    config: Config
    gate_findings: tuple[Finding, ...]  # W403-E004: what the change does to its own configuration
    fail_level: FailLevel
    request: CheckRequest
    baseline: Baseline | None  # the baseline file honoured (--baseline-file, baseline-file)
    config_revision: Revision | None = None  # where the configuration was read (--config-from, --baseline)


def plan(args: argparse.Namespace, cwd: str) -> Plan | None:
    """The check these arguments describe, or a :class:`UsageError`/:class:`ConfigError` saying
    what to fix. None when the pre-commit hook was given nothing it lints."""
    if args.pre_commit:
        from why403.cli.precommit import targets

        # The configuration that governs the changed files decides what the hook leaves out too.
        at_ref = config_revision(args, cwd, tuple(args.paths))
        config, gate_findings = configs_for(args, cwd, tuple(args.paths), at_ref)
        # Refused before the search for callers, which writes to the cache directory.
        confined_config(args, config, tuple(args.paths))
        paths = targets(args.paths, cache_dir=args.cache_dir or config.cache_dir, use_cache=not args.no_cache,
                        exclude=(*config.exclude, *(args.exclude or ())))
        if not paths:
            return None
    else:
        paths = tuple(args.paths) or (".",)
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(missing)}")
        at_ref = config_revision(args, cwd, paths)
        config, gate_findings = configs_for(args, cwd, paths, at_ref)
    for flag, patterns in (("--select", args.select), ("--ignore", args.ignore)):
        for pattern in patterns or ():
            problem = unknown_rule(pattern)
            if problem:
                raise UsageError(f"{flag} {problem}")
    select = tuple(args.select) if args.select else config.select
    ignore = (*config.ignore, *(args.ignore or ()))
    request = request_for(args, config, paths, select, ignore)
    if args.baseline:
        # Resolved once: the configuration's revision when it is the same name.
        same = at_ref is not None and at_ref.ref == args.baseline
        request = replace(request, baseline=at_ref if same else _revision(args.baseline, paths, cwd))

    from why403.cli.baselines import baseline_for
    from why403.sources import confine

    baseline = baseline_for(args, config, confine.roots_for(paths), at_ref)
    return Plan(paths, config, tuple(gate_findings), args.fail_level or config.fail_level or "warning",
                request, baseline, at_ref)


def config_revision(args: argparse.Namespace, cwd: str, paths: tuple[str, ...]) -> Revision | None:
    """The revision the configuration is read at: ``--config-from`` REF, else ``--baseline`` REF,
    resolved; None when neither is given or ``--config``/``--no-config`` names the configuration."""
    ref = getattr(args, "config_from", None) or getattr(args, "baseline", None)
    if not ref or args.config or args.no_config:
        return None
    return _revision(ref, paths, cwd)


def _revision(ref: str, paths: tuple[str, ...], cwd: str) -> Revision:
    from why403.cli.config import checked_directory
    from why403.sources import gitrepo

    return gitrepo.revision(ref, checked_directory(paths, cwd))


def config_for(args: argparse.Namespace, cwd: str, paths: tuple[str, ...] = ()) -> Config:
    """The configuration in force: see :func:`configs_for`."""
    return configs_for(args, cwd, paths, config_revision(args, cwd, paths))[0]


def configs_for(args: argparse.Namespace, cwd: str, paths: tuple[str, ...],
                at_ref: Revision | None) -> tuple[Config, list[Finding]]:
    """The configuration ``--config``/``--no-config`` name, else the one found walking up from the
    checked ``paths`` to their repository root (:func:`~why403.cli.config.config_for_paths`) -- as
    it is at the revision :func:`config_revision` resolved when there is one, with the
    ``W403-E004`` findings of the change's own configuration (:mod:`why403.cli.gate`)."""
    if args.no_config:
        return Config(), []
    if args.config:
        if not os.path.isfile(args.config):
            raise UsageError(f"--config {args.config}: no such file")
        return load_config(args.config), []
    found = config_for_paths(paths, cwd)
    if at_ref is None:
        return (load_config(found, found=True) if found is not None else Config()), []
    from why403.cli import gate
    from why403.cli.config import ConfigFiles, RevisionFiles, config_from_text
    from why403.rules import all_rules

    ref = at_ref.ref
    files = RevisionFiles(at_ref)
    base_path = config_for_paths(paths, cwd, files)
    base = load_config(base_path, files, found=True) if base_path is not None else Config()
    if found is None:  # the change deletes the configuration: compare the defaults with it
        defaults = Config(path=str(base_path) if base_path is not None else None)
        return base, gate.findings(base, defaults, None, ref, tuple(r.id for r in all_rules()))
    try:
        text = ConfigFiles().read_text(found, True)
        head = config_from_text(text, str(found), found)
    except (OSError, UnicodeDecodeError, ConfigError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return base, [gate.unreadable(str(found), problem, ref)]
    return base, gate.findings(base, head, text, ref, tuple(r.id for r in all_rules()))


def confined_config(args: argparse.Namespace, config: Config, paths: tuple[str, ...]) -> tuple[Path, ...]:
    """The roots of ``paths``, once the files and cache the configuration names are known to be
    where it may name them. The configuration may come from the tree under check: the files it
    names are read, and its cache written, only inside the tree or beside (below) the
    configuration file itself; a usage error says which one is not."""
    from why403.sources import confine

    roots = confine.roots_for(paths)
    allowed = (*roots, *([Path(config.path).resolve().parent] if config.path else []))
    for file in (*config.tf_var_files, *config.cfn_parameter_files):
        if not os.path.isfile(file):
            raise UsageError(f"{config.path}: no such file: {file}")
        if not confine.within_roots(file, allowed):
            raise UsageError(f"{config.path}: {file} is outside the repository and the configuration's directory; "
                             "name files outside them with --var-file/--parameter-file")
    if config.cache_dir and not args.cache_dir and not confine.within_roots(config.cache_dir, allowed):
        raise UsageError(f"{config.path}: cache-dir {config.cache_dir} is outside the configuration's directory; "
                         "name a cache elsewhere with --cache-dir")
    return roots


def request_for(
    args: argparse.Namespace,
    config: Config,
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> CheckRequest:
    """The pipeline request of these arguments over this configuration (``explain`` builds its
    own this way too). Var and parameter files must exist: a usage error names the missing one."""
    from why403.model.facts import SourceOptions
    from why403.pipeline import CheckRequest

    for file in (*args.var_file, *args.parameter_file):
        if not os.path.isfile(file):
            raise UsageError(f"no such file: {file}")
    roots = confined_config(args, config, paths)
    account = args.account_id or config.settings.account_id
    if args.account_id is not None and not (len(args.account_id) == 12 and args.account_id.isdigit()):
        raise UsageError(f"--account-id: expected 12 digits, got {args.account_id!r}")
    region = args.region or config.settings.region
    settings = replace(config.settings, account_id=account, region=region, baseline=args.baseline)
    options = SourceOptions(
        account_id=account,
        region=region,
        tf_vars=merge_pairs(config.tf_vars, parse_pairs("--var", args.var)),
        tf_var_files=(*config.tf_var_files, *args.var_file),
        cfn_parameters=merge_pairs(config.cfn_parameters, parse_pairs("--parameter", args.parameter)),
        cfn_parameter_files=(*config.cfn_parameter_files, *args.parameter_file),
    )
    return CheckRequest(
        paths=paths,
        source_options=options,
        settings=settings,
        select=select,
        ignore=ignore,
        exclude=(*config.exclude, *(args.exclude or ())),
        jobs=args.jobs or config.jobs,
        cache_dir=args.cache_dir or config.cache_dir,
        use_cache=not args.no_cache,
        progress=progress_wanted(sys.stderr, getattr(args, "quiet", False)),
        roots=tuple(map(str, roots)),
    )

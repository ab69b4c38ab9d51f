"""``why403 check``: lint paths, apply suppressions, write the reports, exit by the fail level.

The same command is the local lint, the pre-commit hook (``--pre-commit``: the arguments are
changed files) and the CI gate (``--format sarif --output ...``). Flags override the
configuration file; ``select`` replaces the configured list, ``ignore`` and ``exclude`` add to it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.cli.arguments import UsageError, merge_pairs, pair_outputs, parse_pairs
from why403.cli.config import Config, ConfigError, config_for_paths, load_config
from why403.cli.config_schema import unknown_rule
from why403.cli.outputs import write_reports
from why403.cli.progress import wanted as progress_wanted
from why403.model.finding import Finding
from why403.report.base import PARSE_ERROR_RULE, Report, plural

if TYPE_CHECKING:
    from why403.pipeline import CheckRequest

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (UsageError, ConfigError) as exc:
        say(f"why403: error: {exc}")
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line and a failing status, the traceback only on request
        from why403.sources.gitref import BaselineError

        if isinstance(exc, BaselineError):  # the revision cannot be read: the message says how to fix it
            say(f"why403: error: {exc}")
            return EXIT_USAGE
        if os.environ.get("WHY403_DEBUG"):
            raise
        say(f"why403: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in why403; run again with WHY403_DEBUG=1 to see where it happened.")
        return EXIT_USAGE


def say(message: str) -> None:
    """A message on standard error. It may quote the sources (a configuration value, a file name):
    CI logs read standard error for workflow commands too, so it is escaped like the text report."""
    from why403.report.escape import terminal_text

    sys.stderr.write(terminal_text(message) + "\n")


@dataclass(frozen=True)
class Checked:
    """One run, ready to report: what was asked for and everything the reports show."""

    paths: tuple[str, ...]
    report: Report
    pre_commit: bool = False

    @property
    def exit_status(self) -> int:
        return EXIT_FINDINGS if self.report.failed else EXIT_OK


def check(args: argparse.Namespace, cwd: str) -> Checked | None:
    """Run the check the arguments describe: config, flags, pipeline, rule selection and
    suppressions. None when the pre-commit hook was given nothing it lints. The cfn-lint plugin
    calls this too, so that both apply the same configuration the same way."""
    if args.pre_commit:
        from why403.cli.precommit import targets

        # The configuration that governs the changed files decides what the hook leaves out too.
        config, gate_findings = configs_for(args, cwd, tuple(args.paths))
        paths = targets(args.paths, cache_dir=args.cache_dir or config.cache_dir, use_cache=not args.no_cache,
                        exclude=(*config.exclude, *(args.exclude or ())))
        if not paths:
            return None
    else:
        paths = tuple(args.paths) or (".",)
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(missing)}")
        config, gate_findings = configs_for(args, cwd, paths)
    fail_level = args.fail_level or config.fail_level or "warning"

    for flag, patterns in (("--select", args.select), ("--ignore", args.ignore)):
        for pattern in patterns or ():
            problem = unknown_rule(pattern)
            if problem:
                raise UsageError(f"{flag} {problem}")
    select = tuple(args.select) if args.select else config.select
    ignore = (*config.ignore, *(args.ignore or ()))
    request = request_for(args, config, paths, select, ignore)

    from why403 import pipeline
    from why403.cli.baselines import baseline_for
    from why403.cli.config import checked_directory
    from why403.cli.progress import Progress
    from why403.model.tally import Tally
    from why403.rules import rule_selected
    from why403.sources import confine

    baseline = baseline_for(args, config, confine.roots_for(paths), checked_directory(paths, cwd))

    tally = Tally()
    request = replace(request, tally=tally)
    with Progress(sys.stderr, f"checking {_describe(paths)}", enabled=request.progress, status=tally.describe):
        outcome = pipeline.run_check(request)
    for warning in outcome.warnings:
        say(f"why403: warning: {warning}")
    result = outcome.result

    def active(rule: str) -> bool:
        return rule_selected(rule, select, ignore)

    findings = (*result.findings, *(f for f in gate_findings if active(f.rule)))  # the pipeline ran the selected rules
    if outcome.suppressions:
        from why403.report.suppress import apply_suppressions

        findings = apply_suppressions(
            findings, outcome.suppressions, config.suppressions, rule_known=_rule_known, rule_active=active
        )
        findings = tuple(f for f in findings if active(f.rule))  # W403-E002 notes may be ignored too
    report = Report(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        errors=result.errors,
        stats=result.stats,
        files=result.files,
        cwd=cwd,
        root=_repository_root(paths, cwd),
        fail_level=fail_level,
        verbose=args.verbose,
        show_parse_errors=active(PARSE_ERROR_RULE),
        docs_url=getattr(args, "docs_url", None),
    )
    if baseline is not None:
        from why403.report.baselinefile import apply

        report = apply(report, baseline)
    return Checked(paths, report, args.pre_commit)


def _run(args: argparse.Namespace) -> int:
    outputs = pair_outputs(getattr(args, "report_args", None) or [])
    checked = check(args, os.getcwd())
    if checked is None:
        return EXIT_OK  # nothing this hook lints was changed
    report = checked.report
    from why403.sources import confine

    write_reports(report, outputs, args.color, confine.roots_for(checked.paths))
    if getattr(args, "write_baseline", None):
        from why403.cli.baselines import write

        recorded = write(report, args.write_baseline, confine.roots_for(checked.paths))
        say(f"why403: recorded {plural(recorded, 'finding')} in {args.write_baseline}; check with "
            f"--baseline-file {args.write_baseline} (or baseline-file in the configuration) to report only new ones")
    from why403.cli.lastrun import remember

    if not getattr(args, "no_cache", False):  # --no-cache writes nothing at all
        remember(report, checked.paths, getattr(args, "cache_dir", None), confine.roots_for(checked.paths))

    if not report.files and not report.errors:  # an empty folder, or one of other files: nothing wrong
        if not checked.pre_commit:
            where = ", ".join(checked.paths)
            skipped = report.stats.skipped_files
            others = f" ({plural(skipped, 'YAML/JSON file')} there, none a template)" if skipped else ""
            say(f"why403: no Terraform files or CloudFormation templates found in {where}{others}; nothing to check")
        return EXIT_OK
    if _nothing_readable(report.files, report.errors):
        sys.stderr.write("why403: error: none of the inputs could be read\n")
        return EXIT_USAGE
    if getattr(args, "write_baseline", None):
        return EXIT_OK  # every finding is accepted now
    return checked.exit_status


def _repository_root(paths: tuple[str, ...], cwd: str) -> str | None:
    from why403.cli.config import checked_directory, repository_of

    found = repository_of(checked_directory(paths, cwd))
    return str(found) if found is not None else None


def config_for(args: argparse.Namespace, cwd: str, paths: tuple[str, ...] = ()) -> Config:
    """The configuration in force: see :func:`configs_for`."""
    return configs_for(args, cwd, paths)[0]


def configs_for(args: argparse.Namespace, cwd: str,
                paths: tuple[str, ...] = ()) -> tuple[Config, list[Finding]]:
    """The configuration ``--config``/``--no-config`` name, else the one found walking up from the
    checked ``paths`` to their repository root (:func:`~why403.cli.config.config_for_paths`) -- as
    it is at ``--config-from``/``--baseline`` REF when one is given, with the ``W403-E004`` findings
    of the change's own configuration (:mod:`why403.cli.gate`)."""
    if args.no_config:
        return Config(), []
    if args.config:
        if not os.path.isfile(args.config):
            raise UsageError(f"--config {args.config}: no such file")
        return load_config(args.config), []
    found = config_for_paths(paths, cwd)
    ref = getattr(args, "config_from", None) or getattr(args, "baseline", None)
    if not ref:
        return (load_config(found, found=True) if found is not None else Config()), []
    from why403.cli import gate
    from why403.cli.config import ConfigFiles, RevisionFiles, checked_directory, config_from_text
    from why403.rules import all_rules

    at_ref = RevisionFiles(ref, checked_directory(paths, cwd))
    base_path = config_for_paths(paths, cwd, at_ref)
    base = load_config(base_path, at_ref, found=True) if base_path is not None else Config()
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


def request_for(
    args: argparse.Namespace,
    config: Config,
    paths: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> CheckRequest:
    """The pipeline request of these arguments over this configuration (``explain`` builds its
    own this way too). Var and parameter files must exist: a usage error names the missing one."""
    from dataclasses import replace

    from why403.model.facts import SourceOptions
    from why403.pipeline import CheckRequest
    from why403.sources import confine

    for file in (*args.var_file, *args.parameter_file):
        if not os.path.isfile(file):
            raise UsageError(f"no such file: {file}")
    # The configuration may come from the tree under check: the files it names are read only when
    # they are inside the tree or beside (below) the configuration file itself.
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


def _describe(paths: tuple[str, ...]) -> str:
    return paths[0] if len(paths) == 1 else f"{len(paths)} paths"


def _rule_known(rule: str) -> bool:
    from why403.rules import all_rules, rule_matches

    return any(rule_matches(r.id, rule) for r in all_rules())


def _nothing_readable(files: tuple[str, ...], errors: Sequence[Any]) -> bool:
    if not files:
        return True
    broken = {os.path.abspath(e.file) for e in errors}
    return all(os.path.abspath(f) in broken for f in files)

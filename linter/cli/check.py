"""``why403 check``: lint paths, apply suppressions, write the reports, exit by the fail level.

The same command is the local lint, the pre-commit hook (``--pre-commit``: the arguments are
changed files) and the CI gate (``--format sarif --output ...``). Flags override the
configuration file; ``select`` replaces the configured list, ``ignore`` and ``exclude`` add to it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.cli.config import Config, ConfigError, config_for_paths, load_config
from why403.model.finding import Finding
from why403.report import FORMATS
from why403.report.base import FAIL_LEVELS, PARSE_ERROR_RULE, Report, plural

if TYPE_CHECKING:
    from why403.pipeline import CheckRequest

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Lint Terraform modules and CloudFormation templates: simulate every access the code grants
through each policy layer and report the layer that would deny it (explicitly or implicitly),
and every allow that reaches further than it needs to."""

EPILOG = """\
exit status:
  0  no finding at or above the fail level (default: warning)
  1  findings at or above the fail level
  2  usage error, bad configuration, or no input could be read at all

reports:
  --format and --output pair up in order: each --output is for the --format before it.
  A format without --output goes to standard output (at most one may).
    why403 check infra/
    why403 check . --format json
    why403 check . --format text --format sarif --output why403.sarif

configuration:
  [tool.why403] in pyproject.toml or .why403.yaml, found by walking up from the working
  directory (see docs/config.md). Flags override it."""


class UsageError(Exception):
    """A problem with what the user asked for: reported as one line, exit status 2."""


@dataclass(frozen=True)
class OutputSpec:
    fmt: str
    path: str | None  # None: standard output


class _Ordered(argparse.Action):
    """Records --format and --output in the order given, so that they can be paired."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, "report_args", None) or [])
        items.append((self.dest, values))
        namespace.report_args = items


class _Listed(argparse.Action):
    """Repeatable and comma-separated: ``--ignore A,B --ignore C``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        items = list(getattr(namespace, self.dest, None) or [])
        items.extend(v.strip() for v in str(values).split(",") if v.strip())
        setattr(namespace, self.dest, items)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="Terraform module directories, .tf files or CloudFormation templates (default: .)",
    )
    out = parser.add_argument_group("reports")
    out.add_argument(
        "-f",
        "--format",
        dest="format",
        action=_Ordered,
        choices=sorted(FORMATS),
        help="report format (repeatable): text (default), json (the why403/v1 contract), sarif "
        "(code scanning), junit (CI test reports), github (Actions annotations), gitlab (Code Quality)",
    )
    out.add_argument(
        "-o",
        "--output",
        dest="output",
        action=_Ordered,
        metavar="FILE",
        help="write the preceding --format to FILE",
    )
    out.add_argument(
        "--fail-level",
        choices=FAIL_LEVELS,
        help="lowest severity that makes the run fail with exit status 1 (default: warning)",
    )
    out.add_argument(
        "-v", "--verbose", action="count", default=0, help="show each finding's evaluation trace and fix"
    )
    out.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report (auto: only on a terminal, and never when NO_COLOR is set)",
    )

    world = parser.add_argument_group("what the sources leave open")
    world.add_argument("--account-id", metavar="ID", help="the account the sources deploy into (12 digits)")
    world.add_argument("--region", metavar="REGION", help="the region the sources deploy into")
    world.add_argument(
        "--var", action="append", default=[], metavar="NAME=VALUE", help="a Terraform variable (repeatable)"
    )
    world.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="a Terraform .tfvars file (repeatable)",
    )
    world.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a CloudFormation parameter (repeatable)",
    )
    world.add_argument(
        "--parameter-file",
        action="append",
        default=[],
        metavar="FILE",
        help="a CloudFormation parameter file (JSON list of ParameterKey/ParameterValue, or a mapping)",
    )

    run = parser.add_argument_group("what to run")
    run.add_argument("--config", metavar="FILE", help="configuration file (default: found walking up from .)")
    run.add_argument("--no-config", action="store_true", help="ignore any configuration file")
    run.add_argument(
        "--config-from",
        metavar="REF",
        help="read the configuration from git revision REF (default with --baseline): a change cannot "
        "switch off the gate that judges it, and a change that weakens it is reported (W403-E004)",
    )
    run.add_argument(
        "--select",
        action=_Listed,
        metavar="RULES",
        help="only these rule ids or prefixes (replaces the config's)",
    )
    run.add_argument("--ignore", action=_Listed, metavar="RULES", help="skip these rule ids or prefixes")
    run.add_argument("--exclude", action=_Listed, metavar="GLOB", help="do not read paths matching GLOB")
    run.add_argument("--jobs", "-j", type=_positive_int, metavar="N", help="parallel workers")
    run.add_argument("--cache-dir", metavar="DIR", help="where to keep the parse cache")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the parse cache")
    run.add_argument(
        "--baseline",
        metavar="REF",
        help="git revision to compare with: report access the change adds (new-access findings)",
    )
    run.add_argument(
        "--pre-commit",
        action="store_true",
        help="the PATHs are changed files (as pre-commit passes them): lint the Terraform module "
        "directory holding each changed .tf file and each changed template, nothing else",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


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

        paths = targets(args.paths)
        if not paths:
            return None
    else:
        paths = tuple(args.paths) or (".",)
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise UsageError(f"no such file or directory: {', '.join(missing)}")
    config, gate_findings = configs_for(args, cwd, paths)
    fail_level = args.fail_level or config.fail_level or "warning"

    select = tuple(args.select) if args.select else config.select
    ignore = (*config.ignore, *(args.ignore or ()))
    request = request_for(args, config, paths, select, ignore)

    from why403 import pipeline
    from why403.cli.progress import Progress
    from why403.rules import rule_selected

    with Progress(sys.stderr, f"checking {_describe(paths)}", enabled=request.progress):
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
    )
    return Checked(paths, report, args.pre_commit)


def _run(args: argparse.Namespace) -> int:
    outputs = pair_outputs(getattr(args, "report_args", None) or [])
    checked = check(args, os.getcwd())
    if checked is None:
        return EXIT_OK  # nothing this hook lints was changed
    report = checked.report
    from why403.sources import confine

    _write_reports(report, outputs, args.color, confine.roots_for(checked.paths))

    if _nothing_readable(report.files, report.errors):
        if not report.files and not report.errors:
            if checked.pre_commit:
                return EXIT_OK
            where = ", ".join(checked.paths)
            skipped = report.stats.skipped_files
            others = f" ({plural(skipped, 'YAML/JSON file')} there, none a template)" if skipped else ""
            say(f"why403: error: no Terraform files or CloudFormation templates found in {where}{others}")
        else:
            sys.stderr.write("why403: error: none of the inputs could be read\n")
        return EXIT_USAGE
    return checked.exit_status


def pair_outputs(items: Sequence[tuple[str, Any]]) -> tuple[OutputSpec, ...]:
    """Pair ``--format``/``--output`` given in order: an output belongs to the format just before
    it when that one has none, else to the next format after it; formats without one go to stdout.
    """
    formats: list[list[str | None]] = []  # [fmt, path]
    pending: list[str] = []  # outputs seen before any format that could take them
    for dest, value in items:
        if dest == "format":
            slot: list[str | None] = [str(value), None]
            if pending:
                slot[1] = pending.pop(0)
            formats.append(slot)
        else:
            if formats and formats[-1][1] is None:
                formats[-1][1] = str(value)
            else:
                pending.append(str(value))
    if not formats:
        formats.append(["text", pending.pop(0) if pending else None])
    if pending:
        raise UsageError(f"--output {pending[0]} has no --format to go with it")
    specs = tuple(OutputSpec(str(fmt), path) for fmt, path in formats)
    on_stdout = [s.fmt for s in specs if s.path is None or s.path == "-"]
    if len(on_stdout) > 1:
        raise UsageError(
            f"only one report can go to standard output, got {', '.join(on_stdout)}: give --output FILE "
            "after the others"
        )
    paths = [s.path for s in specs if s.path not in (None, "-")]
    if len(paths) != len(set(paths)):
        raise UsageError("two reports name the same --output file")
    return specs


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
        tf_vars=_merge(config.tf_vars, _pairs("--var", args.var)),
        tf_var_files=(*config.tf_var_files, *args.var_file),
        cfn_parameters=_merge(config.cfn_parameters, _pairs("--parameter", args.parameter)),
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
        progress=_is_terminal(sys.stderr),
        roots=tuple(map(str, roots)),
    )


def _describe(paths: tuple[str, ...]) -> str:
    return paths[0] if len(paths) == 1 else f"{len(paths)} paths"


def _pairs(flag: str, items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{flag} {item!r}: expected NAME=VALUE")
        out.append((name.strip(), value))
    return tuple(out)


Pairs = tuple[tuple[str, str], ...]


def _merge(base: Pairs, override: Pairs) -> Pairs:
    merged = dict(base)
    merged.update(override)
    return tuple(merged.items())


def _rule_known(rule: str) -> bool:
    from why403.rules import all_rules, rule_matches

    return any(rule_matches(r.id, rule) for r in all_rules())


def _nothing_readable(files: tuple[str, ...], errors: Sequence[Any]) -> bool:
    if not files:
        return True
    broken = {os.path.abspath(e.file) for e in errors}
    return all(os.path.abspath(f) in broken for f in files)


def _write_reports(report: Report, outputs: tuple[OutputSpec, ...], color: str, roots: Sequence[Path] = ()) -> None:
    from dataclasses import replace

    from why403.report import render

    for spec in outputs:
        to_stdout = spec.path in (None, "-")
        coloured = spec.fmt == "text" and to_stdout and _colour(color)
        text = render(spec.fmt, replace(report, color=coloured))
        if to_stdout:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        assert spec.path is not None
        write_output(spec.path, text, roots)


def write_output(path: str, text: str, roots: Sequence[Path]) -> None:
    """Write a report file atomically (a temporary file in its directory, renamed over it), never
    through a symbolic link of the tree under check: a pull request may commit ``why403.sarif`` as
    a link to a file of the runner, or a ``reports`` directory as a link elsewhere. The rename
    replaces a link at the destination itself, and links on the way inside the tree are refused."""
    import tempfile

    from why403.sources import confine

    target = Path(os.path.abspath(path))
    walked = Path(target.anchor)
    for part in target.parent.parts[1:]:
        walked = walked / part
        if walked.is_symlink() and confine.within_roots(walked.parent, roots):
            raise UsageError(f"--output {path}: {walked} is a symbolic link inside the tree under check; not "
                             "followed (write the report outside the tree, e.g. to $RUNNER_TEMP)")
    if target.is_dir() and not target.is_symlink():
        raise UsageError(f"--output {path}: is a directory")
    try:
        fd, temp = tempfile.mkstemp(prefix=".why403-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"--output {path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            mask = os.umask(0)  # a report is as readable as any file the user writes (mkstemp makes 0600)
            os.umask(mask)
            if os.chmod in os.supports_fd:
                os.chmod(handle.fileno(), 0o666 & ~mask)
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise UsageError(f"--output {path}: cannot write: {exc.strerror or exc}") from None
        raise


def _colour(mode: str) -> bool:
    if mode != "auto":
        return mode == "always"
    return not os.environ.get("NO_COLOR") and _is_terminal(sys.stdout)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False

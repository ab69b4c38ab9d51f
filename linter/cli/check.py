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
from typing import Any

from why403.cli.arguments import UsageError, pair_outputs
from why403.cli.config import ConfigError
from why403.cli.outputs import write_reports
from why403.report.base import PARSE_ERROR_RULE, Report, plural

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (UsageError, ConfigError) as exc:
        say(f"why403: error: {exc}")
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line and a failing status, the traceback only on request
        from why403.sources.gitrepo import BaselineError

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
    """Run the check the arguments describe (:func:`why403.cli.plan.plan`: config, flags, their
    validation), then the pipeline, rule selection and suppressions. None when the pre-commit hook
    was given nothing it lints. The cfn-lint plugin calls this too, so that both apply the same
    configuration the same way."""
    from why403 import pipeline
    from why403.cli.plan import plan
    from why403.cli.progress import Progress
    from why403.model.tally import Tally
    from why403.rules import rule_selected

    planned = plan(args, cwd)
    if planned is None:
        return None
    paths, config, request, baseline = planned.paths, planned.config, planned.request, planned.baseline
    select, ignore, gate_findings = request.select, request.ignore, planned.gate_findings
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
        fail_level=planned.fail_level,
        verbose=args.verbose,
        show_parse_errors=active(PARSE_ERROR_RULE),
        docs_url=getattr(args, "docs_url", None),
    )
    if baseline is not None:
        from why403.report.baselinefile import apply

        report = apply(report, baseline)
    return Checked(paths, report, args.pre_commit)


def _other_infrastructure(paths: tuple[str, ...]) -> tuple[int, int]:
    """(Terragrunt configurations, JSON files that look like IAM policy documents) below the paths,
    said when nothing was found to check: a Terragrunt repository names its modules by a remote
    ``source``, which why403 does not fetch, and a policy file alone says neither what kind of
    policy it is nor what it is attached to."""
    from why403.sources import confine
    from why403.sources.discover import SKIP_DIRS, walk_files

    terragrunt = policies = 0
    with confine.confined(confine.roots_for(paths)):  # a link out of the repository is not read
        for raw in paths:
            top = Path(raw)
            for file in [top] if top.is_file() else walk_files(top, lambda d: d.name not in SKIP_DIRS):
                if file.name in ("terragrunt.hcl", "terragrunt.hcl.json"):
                    terragrunt += 1
                elif file.name.lower().endswith(".json"):
                    try:
                        head = confine.read_head(file, 4096)
                    except OSError:
                        continue
                    policies += head.lstrip().startswith(b"{") and b'"Statement"' in head
    return terragrunt, policies


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
            terragrunt, policies = _other_infrastructure(checked.paths)
            if terragrunt:
                say(f"why403: {plural(terragrunt, 'terragrunt.hcl file')} found: why403 reads the Terraform modules "
                    "Terragrunt deploys, not its configuration; check the modules' repository, or this one after "
                    "'terragrunt init' has put them in .terragrunt-cache")
            if policies:
                say(f"why403: {plural(policies, 'JSON file')} found that look like IAM policy documents: why403 "
                    "checks a policy with the Terraform or CloudFormation that creates and attaches it (which "
                    "says what kind of policy it is and what it applies to), not as a file on its own")
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

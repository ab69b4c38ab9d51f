"""The arguments of ``why403 check``: flags, their help, and how reports pair with outputs.

``why403 diagnose`` and ``why403 explain`` share the report pairing and the NAME=VALUE flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from why403.report import FORMATS
from why403.report.base import FAIL_LEVELS

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
  [tool.why403] in pyproject.toml or .why403.yaml, found by walking up from the checked paths
  to their repository root (see docs/config.md). Flags override it. 'why403 config PATH' prints
  the settings a check of PATH runs with and where each comes from."""


class UsageError(Exception):
    """A problem with what the user asked for: reported as one line, exit status 2."""


@dataclass(frozen=True)
class OutputSpec:
    fmt: str
    path: str | None  # None: standard output


class _Collecting(argparse.Action):
    """An option whose every use adds to a list in the namespace (``collect_into``) rather than
    replacing the value: ``items`` says what one use adds."""

    def collect_into(self) -> str:
        return self.dest

    def items(self, values: str | Sequence[Any] | None) -> list[Any]:
        raise NotImplementedError

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        into = self.collect_into()
        setattr(namespace, into, [*(getattr(namespace, into, None) or []), *self.items(values)])


class Ordered(_Collecting):
    """Records --format and --output in the order given, so that they can be paired."""

    def collect_into(self) -> str:
        return "report_args"

    def items(self, values: str | Sequence[Any] | None) -> list[Any]:
        return [(self.dest, values)]


class _Listed(_Collecting):
    """Repeatable and comma-separated: ``--ignore A,B --ignore C``."""

    def items(self, values: str | Sequence[Any] | None) -> list[Any]:
        return [v.strip() for v in str(values).split(",") if v.strip()]


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
        "--output-format",
        dest="format",
        action=Ordered,
        choices=sorted(FORMATS),
        help="report format (repeatable): text (default), json (the why403/v1 contract), sarif "
        "(code scanning), junit (CI test reports), github (Actions annotations), gitlab (Code Quality)",
    )
    out.add_argument(
        "-o",
        "--output",
        dest="output",
        action=Ordered,
        metavar="FILE",
        help="write the preceding --format to FILE",
    )
    out.add_argument(
        "--fail-level",
        choices=FAIL_LEVELS,
        help="lowest severity that makes the run fail with exit status 1 (default: warning): 'error' passes "
        "warnings and notes, 'warning' passes notes, 'note' passes nothing, 'never' always passes "
        "(docs/severity.md)",
    )
    out.add_argument(
        "-v", "--verbose", action="count", default=0, help="show each finding's evaluation trace and fix"
    )
    out.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line on stderr (it is shown only on a terminal, outside CI, once a run takes "
        "more than a second)",
    )
    out.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text report (auto: only on a terminal, and never when NO_COLOR is set)",
    )
    out.add_argument(
        "--docs-url",
        metavar="URL",
        help="where the rule pages (docs/rules/<ID>.md) are published, e.g. "
        "https://github.com/OWNER/why403/blob/v0.1.0/docs/rules: SARIF rules link there (helpUri)",
    )

    world = parser.add_argument_group("what the sources leave open")
    world.add_argument("--account-id", metavar="ID", help="the account the sources deploy into (12 digits)")
    world.add_argument("--region", metavar="REGION", help="the region the sources deploy into")
    for flag, metavar, text in (
        ("--var", "NAME=VALUE", "a Terraform variable (repeatable)"),
        ("--var-file", "FILE", "a Terraform .tfvars file (repeatable)"),
        ("--parameter", "NAME=VALUE", "a CloudFormation parameter (repeatable)"),
        ("--parameter-file", "FILE",
         "a CloudFormation parameter file (JSON list of ParameterKey/ParameterValue, or a mapping)"),
    ):
        world.add_argument(flag, action="append", default=[], metavar=metavar, help=text)

    run = parser.add_argument_group("what to run")
    run.add_argument("--config", metavar="FILE",
                     help="configuration file (default: found walking up from the checked paths to the repository "
                     "root)")
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
        "--baseline-file",
        metavar="FILE",
        help="leave out the findings recorded in FILE (written by --write-baseline) and list its stale "
        "entries; default: baseline-file in the configuration (docs/baseline.md)",
    )
    run.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record this run's findings in FILE, so that later runs with --baseline-file report only new "
        "ones; the run then exits 0",
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
    for fmt, path in formats:
        if path is not None and _looks_like_a_format(path):
            raise UsageError(
                f"-o/--output names the file to write, so '-o {path}' would write the {fmt} report to a file "
                f"called {path!r}; for a {path} report type: --format {path} (on standard output) or "
                f"--format {path} --output why403.{_SUFFIXES.get(path, path)} (to a file; ./{path} if you meant "
                "that name)")
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


_SUFFIXES = {"text": "txt", "github": "txt", "gitlab": "json", "junit": "xml"}


def _looks_like_a_format(path: str) -> bool:
    """``-o sarif``: checkov's and trivy's ``-o`` picks the format; here it names a file."""
    return path.lower() in FORMATS


def parse_pairs(flag: str, items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{flag} {item!r}: expected NAME=VALUE")
        out.append((name.strip(), value))
    return tuple(out)


Pairs = tuple[tuple[str, str], ...]


def merge_pairs(base: Pairs, override: Pairs) -> Pairs:
    merged = dict(base)
    merged.update(override)
    return tuple(merged.items())

"""``why403``: the command line. ``check`` lints, ``explain`` walks one access through every
layer, ``diagnose`` explains a production 403 from dumps of the live account, ``rules`` documents
the rules.

Only argparse and the subcommand that runs are imported: the pre-commit hook starts this for
every commit, so start-up time is part of the user interface.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from why403 import __version__

EXIT_OK, EXIT_USAGE = 0, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the subcommand, and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.stderr.write(f"Run '{self.prog} --help' for the options.\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``explain``'s own options are only loaded when ``command`` is ``explain``."""
    from why403.cli import arguments, rules_cmd

    parser = _Parser(
        prog="why403",
        description=(
            "Find, before deployment, which AWS policy layer would answer an S3 request with "
            "403 Forbidden, and the over-broad allows added to make one go away. Reads Terraform "
            "and CloudFormation; no network, no credentials."
        ),
        epilog="Run 'why403 COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"why403 {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    arguments.add_arguments(
        sub.add_parser(
            "check",
            help="lint Terraform and CloudFormation sources",
            description=arguments.DESCRIPTION,
            epilog=arguments.EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    _lazy_command(sub, command, "explain", "walk one access through every policy layer and show each decision")
    _lazy_command(sub, command, "diagnose",
                  "explain a production 403 offline, from read-only dumps of the live account")
    _lazy_command(sub, command, "config", "print the settings a check would run with, and where each comes from",
                  module="config_cmd")
    rules_cmd.add_arguments(
        sub.add_parser(
            "rules",
            help="list the rules, or print one rule's documentation",
            description=rules_cmd.DESCRIPTION,
        )
    )
    return parser


def _lazy_command(sub: Any, command: str | None, name: str, summary: str, module: str | None = None) -> None:
    """A subcommand whose options (and their imports) are loaded only when it is the one run, so
    that ``check``, the pre-commit hook, starts fast; otherwise it takes whatever follows it."""
    parser = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
    if command == name:
        loaded = importlib.import_module(f"why403.cli.{module or name}")
        if getattr(loaded, "DESCRIPTION", None):
            parser.description = loaded.DESCRIPTION
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        loaded.add_arguments(parser)
    else:
        parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(command)
    args = parser.parse_args(args_list)
    try:
        if args.command == "check":
            from why403.cli import check

            return check.run(args)
        if args.command == "rules":
            from why403.cli import rules_cmd

            return rules_cmd.run(args)
        if args.command == "explain":
            from why403.cli import explain

            return explain.run(args)
        if args.command == "config":
            from why403.cli import config_cmd

            return config_cmd.run(args)
        if args.command == "diagnose":
            from why403.cli import diagnose

            return diagnose.run(args)
    except KeyboardInterrupt:
        sys.stderr.write("why403: interrupted\n")
        return 130
    except BrokenPipeError:
        # `why403 check | head`: the reader went away; not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def console() -> NoReturn:
    """The ``why403`` command (and ``python -m why403``): :func:`main`, then leave without the
    interpreter's clean-up, as mypy's fast exit does. Freeing every object of a run one by one took
    a tenth of the pre-commit hook's time; by then everything the run wrote is closed (reports are
    written whole and renamed, caches atomically, temporary directories removed by their own
    ``with``), so what is left to do is flushing the standard streams."""
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone (`why403 check | head`), a closed stream
            stream.flush()
    os._exit(code)

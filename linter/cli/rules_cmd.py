"""``why403 rules``: what each rule finds, why it matters and how to fix it.

The documentation is each rule module's docstring, so ``why403 rules ID``, SARIF help text and
``docs/rules.md`` (``why403 rules --format markdown > docs/rules.md``) never disagree.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from why403.rules import Rule

DESCRIPTION = (
    "List the rules (id, kind, default severity, summary), or print one rule's full "
    "documentation (an id with or without its W403- prefix: 'why403 rules D103'). "
    "'--format markdown' writes docs/rules.md; '--pages DIR' writes one page per rule (docs/rules/)."
)
PAGES_NOTE = (
    "<!-- Generated from the rule's docstring by `why403 rules --pages docs/rules`; do not edit by hand. -->"
)
HEADER = """\
# why403 rules

<!-- Generated from the rules' docstrings by `why403 rules --format markdown > docs/rules.md`;
     do not edit by hand (tests/cli/test_rules_cmd.py fails when this file is stale). -->

Each rule's id, what kind of problem it reports, and its default severity (docs/severity.md says
what each severity means; a finding less severe than its rule's default says why in its message).
Suppress a finding with a reason: `# why403:ignore[RULE] reason` in Terraform,
`Metadata: {why403: {ignore: [{rule: RULE, reason: ...}]}}` in CloudFormation.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", nargs="?", metavar="ID",
                        help="a rule id, e.g. W403-D103 or D103 (any case)")
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text (default) or markdown (the generated docs/rules.md)",
    )
    parser.add_argument("--pages", metavar="DIR",
                        help="write one markdown page per rule into DIR (docs/rules/: SARIF's helpUri points there)")


def run(args: argparse.Namespace) -> int:
    from why403.rules import all_rules, get_rule

    if args.pages:
        return _write_pages(args.pages)
    if args.rule:
        rule = get_rule(args.rule)
        if rule is None:
            sys.stderr.write(f"why403: error: no rule {args.rule!r}{_near(args.rule)}\n")
            return 2
        if args.format == "markdown":
            sys.stdout.write(rule_markdown(rule))
        else:
            sys.stdout.write(
                f"{rule.id}  {rule.kind}  {rule.severity}\n{rule.summary}\n\n{rule.doc or rule.summary}\n"
            )
        return 0
    if args.format == "markdown":
        sys.stdout.write(markdown())
        return 0
    rules = all_rules()
    kind_width = max((len(r.kind) for r in rules), default=4)
    for rule in rules:
        sys.stdout.write(f"{rule.id:<10} {rule.kind:<{kind_width}}  {rule.severity:<7}  {rule.summary}\n")
    sys.stdout.write(f"\n{len(rules)} rules. 'why403 rules ID' prints one rule's documentation.\n")
    return 0


def _near(name: str) -> str:
    """A hint for an id that names no rule: the rules it is a prefix of, else the closest id."""
    from why403.rules import all_rules, closest_rule, rule_matches

    near = [r.id for r in all_rules() if rule_matches(r.id, name)]
    if near:
        return f"; rules starting so: {', '.join(near)}"
    close = closest_rule(name, families=False)
    return f"; did you mean {close}?" if close else "; 'why403 rules' lists them"


def _write_pages(directory: str) -> int:
    """Write ``DIR/<ID>.md`` for every rule, and remove pages of rules that no longer exist."""
    from pathlib import Path

    from why403.rules import all_rules

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    wanted = {f"{rule.id}.md": rule_page(rule) for rule in all_rules()}
    for stale in out.glob("W403-*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {len(wanted)} rule pages to {out}\n")
    return 0


def rule_page(rule: Rule) -> str:
    """One rule's page (docs/rules/<ID>.md), the page SARIF's ``helpUri`` names."""
    doc = _demote_headings(rule.doc or rule.summary)
    return (f"# {rule.id}: {rule.summary}\n\n{PAGES_NOTE}\n\n*{rule.kind}, {rule.severity} by default.* "
            f"[All rules](../rules.md)\n\n{doc.strip()}\n")


def markdown() -> str:
    """The whole of docs/rules.md."""
    from why403.rules import all_rules

    rules = all_rules()
    lines = [HEADER, "| id | kind | severity | summary |", "| --- | --- | --- | --- |"]
    for rule in rules:
        lines.append(f"| [{rule.id}](#{rule.id.lower()}) | {rule.kind} | {rule.severity} | {rule.summary} |")
    body = "\n".join(lines) + "\n"
    return body + "".join("\n" + rule_markdown(rule) for rule in rules)


def rule_markdown(rule: Rule) -> str:
    doc = _demote_headings(rule.doc or rule.summary)
    return f"## {rule.id}\n\n*{rule.kind}, {rule.severity} by default.*\n\n{doc.strip()}\n"


def _demote_headings(doc: str) -> str:
    """Headings inside a docstring sit below the rule's own ``##`` heading."""
    out = []
    fenced = False
    for line in doc.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            line = "##" + line
        out.append(line)
    return "\n".join(out)

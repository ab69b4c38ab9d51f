"""Whether a change to the configuration weakens the gate.

With ``--baseline REF`` (or ``--config-from REF``) the run obeys the configuration as it is at
``REF``: a pull request that edits ``.why403.yaml`` cannot switch off the check that judges it.
Its own configuration is still read, and every way it is *weaker* than the one in force is
reported as a ``W403-E004`` finding on the line that does it, so that reviewers see it:

- ``fail-level`` raised (fewer severities fail the run);
- a rule that ran no longer runs (``select`` narrowed, ``ignore`` widened);
- ``exclude`` gained a pattern (fewer files read);
- inline suppressions allowed where they were not, or a rule no longer ``forbid``-den from them;
- a severity setting lowered (``severity.default-endpoint-policy`` ...);
- an intent dropped (``intents.must-allow``/``must-deny``: an access no longer checked);
- ``cache-dir`` moved (a cache decides re-runs);
- ``baseline-file`` named or changed (its findings are accepted; the file itself is read at REF).

Other settings (accounts, region, variables, admins ...) describe the deployment, not the gate,
and a change to them is not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from why403.cli.config import Config
from why403.model.finding import Finding
from why403.model.location import Location

RULE = "W403-E004"
_STRICTNESS = {"note": 0, "warning": 1, "error": 2, "never": 3}
_SEVERITY = {"note": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Weakening:
    key: str  # the configuration key that does it (for its line)
    what: str


def weakenings(base: Config, head: Config, rule_ids: tuple[str, ...]) -> list[Weakening]:
    """Every way ``head`` (the change's configuration) checks less than ``base`` (the one in force)."""
    from why403.rules import rule_selected

    out: list[Weakening] = []
    was, now = base.fail_level or "warning", head.fail_level or "warning"
    if _STRICTNESS[now] > _STRICTNESS[was]:
        out.append(Weakening("fail-level", f"fail-level {now} (was {was}) lets more findings pass"))
    lost = [r for r in rule_ids if rule_selected(r, base.select, base.ignore)
            and not rule_selected(r, head.select, head.ignore)]
    if lost:
        key = "ignore" if any(p not in base.ignore for p in head.ignore) else "select"
        shown = ", ".join(lost[:6]) + (f" and {len(lost) - 6} more" if len(lost) > 6 else "")
        out.append(Weakening(key, f"rules no longer run: {shown}"))
    added = [p for p in head.exclude if p not in base.exclude]
    if added:
        out.append(Weakening("exclude", f"exclude {', '.join(added)} leaves files unread"))
    if head.suppressions.inline and not base.suppressions.inline:
        out.append(Weakening("inline", "inline suppressions are allowed (they were not)"))
    freed = [p for p in base.suppressions.forbid if p not in head.suppressions.forbid]
    if freed:
        out.append(Weakening("forbid", f"{', '.join(freed)} may be suppressed inline (it was forbidden)"))
    for key, attr in (("default-endpoint-policy", "default_endpoint_policy_severity"),
                      ("full-access-endpoint-policy", "explicit_full_access_endpoint_severity")):
        before, after = getattr(base.settings, attr), getattr(head.settings, attr)
        if _SEVERITY.get(after, 0) < _SEVERITY.get(before, 0):
            out.append(Weakening(key, f"severity.{key} {after} (was {before})"))
    dropped = [i for i in base.settings.intents if i not in head.settings.intents]
    if dropped:
        names = ", ".join(f"{'must-allow' if i.expect_allowed else 'must-deny'} {i.principal} {i.action} {i.resource}"
                          for i in dropped[:3])
        out.append(Weakening("intents", f"intents no longer checked: {names}"))
    if head.baseline_file != base.baseline_file and head.baseline_file is not None:
        out.append(Weakening("baseline-file", f"baseline-file {head.baseline_file} accepts the findings in it"))
    if head.cache_dir != base.cache_dir and head.cache_dir is not None:
        out.append(Weakening("cache-dir", f"cache-dir moves the cache to {head.cache_dir}"))
    return out


def findings(base: Config, head: Config, head_text: str | None, ref: str, rule_ids: tuple[str, ...]) -> list[Finding]:
    """The ``W403-E004`` findings of a change from ``base`` to ``head`` (``head_text``: the file's
    text, to place each finding on the line of its key)."""
    if head.path is None:
        return []
    out = []
    for weakening in weakenings(base, head, rule_ids):
        out.append(Finding(
            rule=RULE, kind="source", severity="error",
            message=f"the change weakens the gate: {weakening.what}; this run keeps the configuration of {ref}",
            location=Location(head.path, _line_of(head_text or "", weakening.key)),
            identity=(head.path, weakening.key),
        ))
    return out


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def unreadable(path: str, problem: str, ref: str) -> Finding:
    """The change's configuration cannot be read: the run keeps ``ref``'s, and says so."""
    return Finding(rule=RULE, kind="source", severity="error",
                   message=f"the change's configuration cannot be read ({problem}); this run keeps the "
                           f"configuration of {ref}", location=Location(path, 1), identity=(path, "unreadable"))

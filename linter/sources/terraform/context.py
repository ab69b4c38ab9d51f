"""State shared by one load of a root module: options, evaluator, diagnostics, what was missing.

Nothing here is global: a load creates one context and drops it at the end, so loads are
independent and deterministic.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, SourceOptions
from why403.model.location import Location
from why403.sources import confine
from why403.sources.terraform.config import ModuleConfig, Parse, load_config
from why403.sources.terraform.convert import TOKEN_RE
from why403.sources.terraform.evaluate import BACKSTOP_REACHED, STEPS_EXHAUSTED, Evaluator
from why403.sources.terraform.functions import FileAccess, FunctionTable
from why403.sources.terraform.tfvalues import Budget, LocatedJson, Unk

LISTED = 8  # module calls named in the note of those not read; the rest are counted

MAX_INSTANCES = 1000
MAX_MODULE_DEPTH = 24
# The evaluation steps (expressions evaluated) of one resource, and of one root module with its
# child modules. The step count, not the clock, decides where evaluation stops, so a root gives the
# same findings on an idle and on a loaded machine. A step costs about 5 us of CPU at most (a for
# expression's element); the total keeps a tree written to exhaust the evaluator well under 30 s
# (bench/hostile.py), and is several times what the largest real root measured needs (about
# 530,000 steps for a root calling 1,000 modules; real roots need under 10,000).
STEPS_PER_TASK = 400_000
STEPS_TOTAL = 2_000_000


class CycleError(Exception):
    """A value that depends on itself (cyclic locals, resources referring to each other)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.path = [key]


@dataclass
class Missing:
    """An input that would decide values of the sources, and where they were needed."""

    source: str
    used_by: list[str] = field(default_factory=list)


class LoadContext:
    def __init__(self, root: Path, options: SourceOptions, parse: Parse) -> None:
        self.root = root
        self.options = options
        self.parse = parse
        self.files = FileAccess(root, on_refused=self._read_refused)
        self.budget = Budget(steps=STEPS_PER_TASK)
        self.total_steps = 0
        self.evaluator = Evaluator(FunctionTable(self.files), self.budget)
        self.diagnostics: list[Diagnostic] = []
        self._diag_keys: set[tuple[str, str, str, int]] = set()
        self.missing: dict[str, Missing] = {}
        self.configs: dict[Path, ModuleConfig] = {}
        self.active: set[str] = set()
        self.manifest: dict[str, str] | None = None
        self.variable_decls: dict[str, Location] = {}
        # Module calls whose module is not here: label -> (why, whether terraform init fetches it, the call).
        self.remote_calls: dict[str, tuple[str, bool, Location]] = {}
        self.remote_users: dict[str, str] = {}  # label -> what its unknown outputs decide
        # Root variables read at an empty default ("", [], {}, null) for want of a value: name -> the
        # default as written. Such a default is a placeholder each environment's variable file
        # replaces; what rests on it is stated outside the sources.
        self.placeholder_defaults: dict[str, str] = {}

    # -- diagnostics ----------------------------------------------------------------------------

    def diag(self, severity: str, message: str, file: str, line: int = 0, code: str = "source") -> None:
        key = (severity, message, file, line)
        if key in self._diag_keys:
            return
        self._diag_keys.add(key)
        self.diagnostics.append(Diagnostic(severity, message, Location(file, line), code))

    def _read_refused(self, name: str, why: str, file: str, line: int) -> None:
        self.diag("note", f"{name!r} is not read ({why}); the value read from it is unknown", file, line,
                  code="read-refused")

    def remote_module(self, label: str, why: str, file: str, line: int, fetchable: bool) -> None:
        """Record a module call whose module is not here; :meth:`remote_note` says it, with what
        depends on its outputs (:meth:`missing_notes` adds that rather than a second note)."""
        if label not in self.remote_calls:
            self.remote_calls[label] = (why, fetchable, Location(file, line))

    def remote_note(self) -> Diagnostic | None:
        """One note for every module call of this root that is not read, at the first call.

        A root that calls its modules from the registry and was never ``terraform init``-ed calls a
        dozen of them, a hundred in a large environment: one note per call buried the findings
        (146 in one repository), and each said the same remedy. The note lists each call, where it
        is and what its unknown outputs decide (the first :data:`LISTED`), and the remedy once."""
        if not self.remote_calls:
            return None
        calls = sorted(self.remote_calls.items(), key=lambda kv: (kv[1][2].file, kv[1][2].line, kv[0]))
        fetchable = any(f for _, (_, f, _) in calls)
        how = (f". To include {'it' if len(calls) == 1 else 'them'}, run terraform init in {self.root} (why403 "
               "reads the modules it places in .terraform/modules), or check the plan instead: "
               "terraform show -json PLANFILE > plan.json" if fetchable else "")
        first = calls[0][1][2]
        if len(calls) == 1:
            label, (why, _, _) = calls[0]
            users = self.remote_users.get(label)
            depends = f" (used by {users})" if users else ""
            message = f"{why}; its resources are not linted and its outputs are unknown{depends}{how}"
        else:
            listed = []
            for label, (why, _, where) in calls[:LISTED]:
                users = self.remote_users.get(label)
                listed.append(f"{why} ({where.file}:{where.line}{'; used by ' + users if users else ''})")
            more = f"; and {len(calls) - LISTED} more" if len(calls) > LISTED else ""
            message = (f"{len(calls)} module calls are not read, so their resources are not linted and their outputs "
                       f"are unknown: {'; '.join(listed)}{more}{how}")
        return Diagnostic("note", message, first, "remote-module")

    # -- work budget ----------------------------------------------------------------------------

    def start_task(self) -> str | None:
        """Give the next top-level task (a resource, a provider) its budget; once the whole load
        has used up what any real configuration needs, why evaluation stops instead."""
        used = STEPS_PER_TASK - max(self.budget.steps, 0)
        self.total_steps += used
        if self.total_steps > STEPS_TOTAL:
            return STEPS_EXHAUSTED
        if self.budget.deadline is not None and time.monotonic() > self.budget.deadline:
            return BACKSTOP_REACHED
        self.budget.steps = STEPS_PER_TASK
        return None

    # -- configurations -------------------------------------------------------------------------

    def config(self, directory: Path) -> ModuleConfig:
        key = Path(os.path.normpath(directory))
        found = self.configs.get(key)
        if found is None:
            found = load_config(directory, self.parse)
            self.configs[key] = found
            self.diagnostics.extend(found.diagnostics)
            for parsed in found.files:
                if parsed.error is not None:
                    self.diag("error", parsed.error.message, parsed.name, parsed.error.line, code="parse")
        return found

    def module_manifest(self) -> dict[str, str]:
        """``.terraform/modules/modules.json``: module key -> directory, when ``terraform init`` ran."""
        if self.manifest is None:
            self.manifest = {}
            path = self.root / ".terraform" / "modules" / "modules.json"
            try:
                data = json.loads(confine.read_text(path))
                for entry in data.get("Modules", []):
                    key, directory = entry.get("Key"), entry.get("Dir")
                    if isinstance(key, str) and isinstance(directory, str) and key:
                        self.manifest[key] = directory
            except (OSError, ValueError, AttributeError):
                pass
        return self.manifest

    # -- what was unknown -----------------------------------------------------------------------

    def sources_of(self, value: Any, depth: int = 0) -> set[str]:
        """The inputs (``var.x``, ``data.t.n``, ``module.m``) that decide unknown parts of a value."""
        out: set[str] = set()
        if depth > 64:
            return out
        if isinstance(value, Unk):
            out |= value.sources
            if value.doc is not None:
                out |= self.sources_of(value.doc, depth + 1)
        elif isinstance(value, LocatedJson):
            out |= self.sources_of(value.doc, depth + 1)
        elif isinstance(value, str):
            if symbols.OPEN in value:
                for m in TOKEN_RE.finditer(value):
                    out |= self.evaluator.token_sources.get(m.group(0), frozenset())
        elif isinstance(value, dict):
            for v in value.values():
                out |= self.sources_of(v, depth + 1)
        elif isinstance(value, list | tuple):
            for v in value:
                out |= self.sources_of(v, depth + 1)
        return out

    def note_missing(self, value: Any, used_by: str) -> None:
        for source in sorted(self.sources_of(value)):
            entry = self.missing.setdefault(source, Missing(source))
            if used_by not in entry.used_by:
                entry.used_by.append(used_by)

    def missing_notes(self) -> list[Diagnostic]:
        out = []
        for source in sorted(self.missing):
            entry = self.missing[source]
            users = ", ".join(entry.used_by[:4]) + (" ..." if len(entry.used_by) > 4 else "")
            if source in self.remote_calls:  # said in the note of the module calls not read
                self.remote_users[source] = users
                continue
            if source.startswith("var."):
                name = source[4:]
                loc = self.variable_decls.get(name, Location(str(self.root), 0))
                message = (f"var.{name} has no value, so what depends on it is unknown ({users}); supply it with "
                           f"--var {name}=VALUE, a tfvars file (terraform.tfvars, *.auto.tfvars or --var-file), "
                           "or lint the plan JSON (terraform show -json)")
            elif source.startswith("data."):
                loc = Location(str(self.root), 0)
                message = (f"{source} is read from AWS when Terraform plans, so what depends on it is unknown "
                           f"({users}); lint the plan JSON (terraform show -json) to include it")
            else:
                loc = Location(str(self.root), 0)
                message = (f"{source} is not in the sources read, so what depends on it is unknown ({users}); "
                           "run terraform init so that .terraform/modules holds it, or lint the plan JSON")
            out.append(Diagnostic("note", message, loc, "unknown-input"))
        return out

"""Terraform's filesystem functions: ``file``, ``fileexists`` and ``templatefile`` read files of
the root module through :class:`FileAccess`; ``basename`` and ``dirname`` only handle text.

The tree under check is untrusted: every read goes through :mod:`why403.sources.confine`
(inside the repository, regular files only, bounded), and an absolute path must also be inside
the root module. A read that is refused is an unknown value, and a note at the call says why;
the file's content never reaches a finding.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources import confine
from why403.sources.terraform.convert import EvalError, unknown_for_token
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.functions.base import Family, arity
from why403.sources.terraform.functions.tokens import any_token_may_contain
from why403.sources.terraform.hclread import parse_template
from why403.sources.terraform.syntax import SyntaxProblem, Template, TPart
from why403.sources.terraform.tfvalues import LocatedStr, Unk, combine_unknown

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

FILESYSTEM = Family("filesystem")

FileFn = Callable[["Evaluator", "FileAccess | None", str, list[Any], Scope, int], Any]
"""A function that reads files: also given the file access of the run (None: reading is not
allowed here), its own name and the scope of the call (for the note when a read is refused)."""
Refused = Callable[[str, str, str, int], None]
"""Told of a refused read: (the path as written, why, the file of the call, its line)."""


class FileAccess:
    """Reads files for ``file()`` and ``templatefile()``, each once per run (templates are parsed
    once too). Paths are relative to the root module, as Terraform resolves them; an absolute path
    outside the root module names something of the machine, not of the sources, and is not read."""

    def __init__(self, root: Path, max_bytes: int = 4 * 1024 * 1024, on_refused: Refused | None = None) -> None:
        self.given_root = str(root)
        self.root = root.resolve()
        self.max_bytes = max_bytes
        self.on_refused = on_refused
        self.texts: dict[Path, str | None] = {}
        self.why: dict[Path, str] = {}  # why a path could not be read
        self.templates: dict[Path, tuple[TPart, ...]] = {}

    def resolve(self, name: str) -> Path | None:
        p = Path(name)
        if p.is_absolute():
            full = p.resolve()
            return full if full == self.root or self.root in full.parents else None
        return (self.root / p).resolve()

    def display(self, name: str) -> str:
        """How locations name the file: under the root directory as the user gave it."""
        p = Path(name)
        return name if p.is_absolute() else os.path.normpath(os.path.join(self.given_root, name))

    def read_resolved(self, full: Path) -> str | None:
        """The text of a path :meth:`resolve` gave (None: refused, too large, unreadable or not
        UTF-8; :attr:`why` says which)."""
        if full not in self.texts:
            self.texts[full] = None
            try:
                self.texts[full] = confine.read_text(full, self.max_bytes)
            except OSError as exc:
                self.why[full] = exc.strerror or str(exc)
            except UnicodeDecodeError:
                self.why[full] = "not UTF-8 text"
        return self.texts[full]

    def unreadable(self, name: str, full: Path | None, scope: Scope, line: int) -> Unk:
        """The unknown value of a read that failed, with a note at the call when it was refused."""
        why = "outside the root module" if full is None else self.why.get(full, "it cannot be read")
        if self.on_refused is not None and (full is None or full in self.why):
            self.on_refused(name, why, scope.file, line)
        return Unk(f'file("{name}")', f"{name} cannot be read: {why}")


def _file(ev: Evaluator, files: FileAccess | None, name: str, args: list[Any], scope: Scope, line: int) -> Any:
    arity(name, args, 1)
    path = args[0]
    if isinstance(path, Unk):
        return path.derived(f"{name}(...)")
    if not isinstance(path, str) or symbols.has_token(path):
        return Unk(f"{name}(...)", f"the path given to {name}() is not known")
    if files is None:
        return Unk(f"{name}({path})", f"{name}() is not available here")
    full = files.resolve(path)
    text = None if full is None else files.read_resolved(full)
    if name == "fileexists":
        return text is not None
    if text is None:
        return files.unreadable(path, full, scope, line)
    return LocatedStr(text, files.display(path), 1)


def _templatefile(ev: Evaluator, files: FileAccess | None, name: str, args: list[Any], scope: Scope,
                  line: int) -> Any:
    arity("templatefile", args, 2)
    path, variables = args
    if isinstance(path, Unk) or isinstance(variables, Unk):
        return combine_unknown("templatefile(...)", [path, variables])
    if not isinstance(path, str) or symbols.has_token(path):
        return Unk("templatefile(...)", "the template path is not known")
    if not isinstance(variables, dict):
        raise EvalError("templatefile() needs an object of variables", line)
    if files is None:
        return Unk(f"templatefile({path})", "templatefile() is not available here")
    full = files.resolve(path)
    text = None if full is None else files.read_resolved(full)
    if full is None or text is None:
        unknown = files.unreadable(path, full, scope, line)
        unknown.label = f'templatefile("{path}")'
        return unknown
    parts = files.templates.get(full)
    if parts is None:
        try:
            parts = parse_template(text, 1)
        except SyntaxProblem as exc:
            raise EvalError(f"the template {path} cannot be parsed: {exc}", line) from None
        files.templates[full] = parts
    # The file's text is a template like any other: the evaluator renders it (one interpolation
    # alone gives its value, not text) in a scope holding only the variables given.
    return ev.eval(Template(parts, line, 1), Scope(_NoNames(), files.display(path), dict(variables)))


class _NoNames:
    """Templates see only their variables."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        raise EvalError(f"{name!r} is not a variable of this template", line)


FILE_FUNCTIONS: dict[str, FileFn] = {"file": _file, "fileexists": _file, "templatefile": _templatefile}


def _basename(s: str) -> str:
    """Go's ``filepath.Base``."""
    if s == "":
        return "."
    stripped = s.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else "/"


def _dirname(s: str) -> str:
    """Go's ``filepath.Dir``: everything up to the last slash, cleaned."""
    cut = s.rfind("/")
    head = s[: cut + 1]
    if not head:
        return "."
    cleaned = posixpath.normpath(head)
    return "/" if cleaned.startswith("//") and cleaned.strip("/") == "" else cleaned


def _path_fn(name: str, fn: Callable[[str], str]) -> None:
    @FILESYSTEM.string(name)
    def run(ev: Evaluator, s: str, line: int) -> Any:
        if symbols.has_token(s) and any_token_may_contain(s, "/"):
            return unknown_for_token(s)
        return fn(s)


_path_fn("basename", _basename)
_path_fn("dirname", _dirname)

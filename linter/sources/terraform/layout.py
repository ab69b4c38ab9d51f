"""What a module directory says about its place in a repository, from its syntax alone.

A repository of Terraform holds root modules (what ``terraform apply`` runs in) and the child
modules they call. Which is which decides what why403 simulates together (one deployment unit per
root, its modules expanded into it), so it is read before anything is evaluated:

- a directory that configures a provider (``provider`` blocks) or where its state lives
  (``terraform { backend ... }`` or ``cloud``) is a root module;
- so is one that no other directory of the tree calls as a module (``source = "./..."``);
- any other directory is a child module, read through the roots that call it.

The backend a root writes its state to, and the ``terraform_remote_state`` data sources that read
another root's state, are evidence that two roots work together (see ``world.units``). Only
literal values count: nothing here evaluates an expression.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from why403.sources.terraform.config import module_files
from why403.sources.terraform.syntax import Body, Lit, ObjectExpr, ParsedFile

Parse = Callable[[Path], ParsedFile]

# Per backend type, the settings that say *which* state it is (not how to reach it). A type not
# listed is identified by all its literal settings.
_STATE_KEYS: dict[str, tuple[str, ...]] = {
    "s3": ("bucket", "key"),
    "gcs": ("bucket", "prefix"),
    "azurerm": ("storage_account_name", "container_name", "key"),
    "consul": ("path",),
    "http": ("address",),
    "pg": ("conn_str", "schema_name"),
    "oss": ("bucket", "prefix", "key"),
    "cos": ("bucket", "prefix", "key"),
    "remote": ("organization", "workspaces.name", "workspaces.prefix"),
    "cloud": ("organization", "workspaces.name"),
    "local": ("path",),
}
# Settings of an unlisted backend that never identify a state.
_NOT_IDENTITY = frozenset({"region", "profile", "role_arn", "encrypt", "dynamodb_table", "kms_key_id", "acl",
                           "shared_credentials_file", "skip_credentials_validation", "skip_region_validation",
                           "skip_metadata_api_check", "use_lockfile", "assume_role", "endpoints"})

State = tuple[str, tuple[tuple[str, str], ...]]
"""A state's identity: the backend type and its identifying settings, e.g.
``("s3", (("bucket", "tfstate"), ("key", "prod/network.tfstate")))``."""


def handle(state: State) -> str:
    """The handle by which a root's state and a ``terraform_remote_state`` reading it meet."""
    kind, settings = state
    return "state:" + kind + ":" + ",".join(f"{k}={v}" for k, v in settings)


@dataclass(frozen=True)
class DirectoryLayout:
    """One module directory, as its syntax describes it."""

    directory: Path
    configures_provider: bool = False  # provider blocks, or a backend / cloud block
    state: State | None = None  # where its own state is, when every identifying setting is literal
    calls: tuple[Path, ...] = ()  # local module directories it calls (normalized paths)
    reads_states: tuple[State, ...] = ()  # the states its terraform_remote_state data sources read


def read_layout(directory: Path, parse: Parse) -> DirectoryLayout:
    """The layout of the module in ``directory`` (files that do not parse count for nothing)."""
    provider = False
    state: State | None = None
    calls: list[Path] = []
    reads: list[State] = []
    for path in module_files(directory):
        parsed = parse(path)
        if parsed.body is None:
            continue
        for block in parsed.body.blocks_:
            if block.type == "provider":
                provider = True
            elif block.type == "terraform":
                found, configured = _own_state(block.body, directory)
                provider = provider or configured
                state = state or found
            elif block.type == "module":
                source = _literal(block.body, "source")
                if source is not None and (source.startswith(("./", "../")) or source in (".", "..")):
                    calls.append(Path(os.path.normpath(directory / source)))
            elif block.type == "data" and block.labels[:1] == ("terraform_remote_state",):
                found_state = _remote_state(block.body, directory)
                if found_state is not None:
                    reads.append(found_state)
    return DirectoryLayout(directory, provider, state, tuple(dict.fromkeys(calls)), tuple(dict.fromkeys(reads)))


def root_modules(layouts: Mapping[Path, DirectoryLayout]) -> list[Path]:
    """The directories of ``layouts`` that are root modules (see the module docstring), in the
    order given."""
    called: set[Path] = set()
    for layout in layouts.values():
        called.update(c for c in layout.calls if c != layout.directory)
    return [d for d, layout in layouts.items() if layout.configures_provider or d not in called]


def _own_state(body: Body, directory: Path) -> tuple[State | None, bool]:
    """``terraform { backend "T" {...} }`` or ``terraform { cloud {...} }``: the state's identity
    (None when a setting is not literal, or is left to ``-backend-config``), and whether there is
    such a block at all."""
    for block in body.blocks("backend"):
        kind = block.labels[0] if block.labels else None
        if kind is None:
            return None, True
        return _identity(kind, _settings(block.body), directory), True
    for block in body.blocks("cloud"):
        return _identity("cloud", _settings(block.body), directory), True
    return None, False


def _remote_state(body: Body, directory: Path) -> State | None:
    kind = _literal(body, "backend")
    config = body.attr("config")
    if kind is None or config is None or not isinstance(config.expr, ObjectExpr):
        return None
    settings: dict[str, str] = {}
    for key, value in config.expr.items:
        name = key.value if isinstance(key, Lit) and isinstance(key.value, str) else None
        if name is None:
            continue
        if isinstance(value, Lit) and isinstance(value.value, str):
            settings[name] = value.value
        elif isinstance(value, ObjectExpr):  # remote: workspaces = { name = "..." }
            for sub_key, sub_value in value.items:
                if isinstance(sub_key, Lit) and isinstance(sub_value, Lit) and isinstance(sub_value.value, str):
                    settings[f"{name}.{sub_key.value}"] = sub_value.value
    return _identity(kind, settings, directory)


def _settings(body: Body) -> dict[str, str]:
    """A backend block's literal settings, nested blocks (``workspaces``) as ``block.setting``."""
    out = {a.name: a.expr.value for a in body.attributes if isinstance(a.expr, Lit) and isinstance(a.expr.value, str)}
    for block in body.blocks_:
        for attr in block.body.attributes:
            if isinstance(attr.expr, Lit) and isinstance(attr.expr.value, str):
                out[f"{block.type}.{attr.name}"] = attr.expr.value
    return out


def _identity(kind: str, settings: Mapping[str, str], directory: Path) -> State | None:
    keys = _STATE_KEYS.get(kind)
    if kind == "local":
        # The default is terraform.tfstate in the root's own directory; paths are relative to it.
        path = settings.get("path", "terraform.tfstate")
        return kind, (("path", os.path.normpath(directory / path)),)
    if keys is None:
        chosen = tuple(sorted((k, v) for k, v in settings.items() if k.split(".")[0] not in _NOT_IDENTITY))
        return (kind, chosen) if chosen else None
    present = tuple((k, settings[k]) for k in keys if k in settings)
    required = [k for k in keys if not k.startswith("workspaces.")]
    if any(k not in settings for k in required) or not present:
        return None  # partial configuration (-backend-config) or a value that is not literal
    return kind, present


def _literal(body: Body, name: str) -> str | None:
    attr = body.attr(name)
    if attr is not None and isinstance(attr.expr, Lit) and isinstance(attr.expr.value, str):
        return attr.expr.value
    return None


def layouts(directories: Iterable[Path], parse: Parse) -> dict[Path, DirectoryLayout]:
    return {d: read_layout(d, parse) for d in directories}


# ``source = "../x"`` (native syntax) or ``"source": "../x"`` (JSON syntax) with a local path: what a
# local module call looks like in a file's text. An escape sequence in the path is not followed.
_LOCAL_SOURCE = re.compile(rb'\bsource"?[ \t]*[=:][ \t]*"(\.\.?(?:/[^"\\\r\n]*)?)"')


def mentioned_calls(directory: Path, data: bytes) -> tuple[Path, ...]:
    """The local module directories one file of ``directory`` may call, from its text alone: every
    local ``source`` string, whatever block holds it. A superset of the file's calls (another
    block's ``source`` attribute counts too), found without parsing, so that a whole repository can
    be searched for the callers of a module: :func:`read_layout` of the caller says which are calls."""
    return tuple(dict.fromkeys(Path(os.path.normpath(directory / s)) for s in local_sources(data)))


def local_sources(data: bytes) -> tuple[str, ...]:
    """The local ``source`` strings of one file's text (``../modules/x``), as written, once each."""
    if b"source" not in data:
        return ()
    return tuple(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in _LOCAL_SOURCE.finditer(data)))



def closure(directory: Path, layouts: Mapping[Path, DirectoryLayout]) -> list[Path]:
    """``directory`` and every directory of ``layouts`` it calls, directly or through its modules."""
    out: dict[Path, None] = {}
    stack = [directory]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out[current] = None
        layout = layouts.get(current)
        if layout is not None:
            stack.extend(c for c in layout.calls if c in layouts and c not in out)
    return list(out)


class SharedParses:
    """A parse function shared by the layout pass and every root module of a run, so that each
    file is parsed once however many roots expand its directory.

    Until :meth:`expect` is told how many more reads each file will have, every parse is kept;
    afterwards a parse is kept only until its last read. What is kept is the pickled parse (a few
    times smaller than the objects, and what the parse cache and the worker processes hand over
    anyway), so a run does not hold every parse tree until it ends."""

    def __init__(self, parse: Parse) -> None:
        self.parse = parse
        self.kept: dict[str, bytes] = {}
        self.left: dict[str, int] | None = None

    def __call__(self, path: Path) -> ParsedFile:
        key = str(path)
        payload = self.kept.get(key)
        result: ParsedFile | None = None
        if payload is not None:
            result = pickle.loads(payload)  # our own bytes, made just now in this process
        if result is None:
            result = self.parse(path)
            if self.left is None or self.left.get(key, 0) > 1:
                with contextlib.suppress(RecursionError, pickle.PicklingError):  # else parsed again if read again
                    self.kept[key] = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        if self.left is not None:
            left = self.left.get(key, 0) - 1
            self.left[key] = left
            if left <= 0:
                self.kept.pop(key, None)
        return result

    def expect(self, uses: Mapping[Path, int]) -> None:
        """From now on each file will be read ``uses[file]`` more times (0 when absent)."""
        self.left = {str(path): count for path, count in uses.items()}
        for key in [k for k in self.kept if self.left.get(k, 0) <= 0]:
            del self.kept[key]


def file_uses(roots: Iterable[Path], layouts: Mapping[Path, DirectoryLayout]) -> dict[Path, int]:
    """How many times the root modules read each module file: once per root module that expands
    its directory."""
    per_directory = dict.fromkeys(layouts, 0)
    for root in roots:
        for directory in closure(root, layouts):
            per_directory[directory] = per_directory.get(directory, 0) + 1
    return {path: count for directory, count in per_directory.items() for path in module_files(directory)}

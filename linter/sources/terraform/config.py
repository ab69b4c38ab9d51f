"""A module directory's files -> its declarations (variables, locals, resources, modules...).

Terraform reads every ``*.tf`` and ``*.tf.json`` of a directory, in lexical order, as one module,
then merges ``override.tf``/``*_override.tf`` files into the blocks they name. This module does
exactly that and nothing more: no evaluation. Duplicate declarations, which Terraform refuses,
become diagnostics and the first declaration wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from why403.model.facts import Diagnostic
from why403.model.location import Location
from why403.sources.terraform.syntax import Attribute, Block, Body, ParsedFile

Parse = Callable[[Path], ParsedFile]


@dataclass(frozen=True)
class Decl:
    """A block with the file it is written in."""

    block: Block
    file: str

    @property
    def location(self) -> Location:
        return Location(self.file, self.block.line, self.block.end_line)


@dataclass(frozen=True)
class LocalDecl:
    attr: Attribute
    file: str


@dataclass
class ModuleConfig:
    directory: Path
    files: list[ParsedFile] = field(default_factory=list)
    variables: dict[str, Decl] = field(default_factory=dict)
    locals: dict[str, LocalDecl] = field(default_factory=dict)
    outputs: dict[str, Decl] = field(default_factory=dict)
    resources: dict[tuple[str, str], Decl] = field(default_factory=dict)
    data: dict[tuple[str, str], Decl] = field(default_factory=dict)
    modules: dict[str, Decl] = field(default_factory=dict)
    providers: list[Decl] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def first_file(self) -> str:
        return self.files[0].name if self.files else str(self.directory)


def module_files(directory: Path) -> list[Path]:
    """The files Terraform reads as the module in ``directory``, in its order."""
    try:
        entries = sorted(p for p in directory.iterdir() if p.is_file())
    except OSError:
        return []
    return [p for p in entries if p.name.endswith((".tf", ".tf.json")) and not p.name.startswith(".")]


def is_override(name: str) -> bool:
    base = name.removesuffix(".json").removesuffix(".tf")
    return base == "override" or base.endswith("_override")


def load_config(directory: Path, parse: Parse) -> ModuleConfig:
    config = ModuleConfig(directory)
    overrides: list[ParsedFile] = []
    for path in module_files(directory):
        parsed = parse(path)
        config.files.append(parsed)
        if parsed.body is None:
            continue
        if is_override(Path(parsed.name).name):
            overrides.append(parsed)
            continue
        _declare(config, parsed)
    for parsed in overrides:
        _apply_override(config, parsed)
    return config


def _duplicate(config: ModuleConfig, what: str, file: str, line: int, first: Location) -> None:
    config.diagnostics.append(Diagnostic(
        "error", f"{what} is declared twice (first at {first}); Terraform refuses this, why403 uses the first",
        Location(file, line)))


def _declare(config: ModuleConfig, parsed: ParsedFile) -> None:
    assert parsed.body is not None
    file = parsed.name
    for block in parsed.body.blocks_:
        decl = Decl(block, file)
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            key = (labels[0], labels[1])
            if key in config.resources:
                _duplicate(config, f"resource {labels[0]}.{labels[1]}", file, block.line,
                           config.resources[key].location)
            else:
                config.resources[key] = decl
        elif kind == "data" and len(labels) == 2:
            key = (labels[0], labels[1])
            if key in config.data:
                _duplicate(config, f"data.{labels[0]}.{labels[1]}", file, block.line, config.data[key].location)
            else:
                config.data[key] = decl
        elif kind in ("variable", "output", "module") and len(labels) == 1:
            table = {"variable": config.variables, "output": config.outputs, "module": config.modules}[kind]
            if labels[0] in table:
                _duplicate(config, f"{kind} {labels[0]}", file, block.line, table[labels[0]].location)
            else:
                table[labels[0]] = decl
        elif kind == "provider" and len(labels) == 1:
            config.providers.append(decl)
        elif kind == "locals":
            for attr in block.body.attributes:
                if attr.name in config.locals:
                    first = config.locals[attr.name]
                    _duplicate(config, f"local.{attr.name}", file, attr.line, Location(first.file, first.attr.line))
                else:
                    config.locals[attr.name] = LocalDecl(attr, file)


def _merge_body(base: Body, over: Body) -> Body:
    """Override semantics: attributes replace by name; nested blocks of a type replace all of
    that type in the original."""
    attrs = {a.name: a for a in base.attributes}
    for a in over.attributes:
        attrs[a.name] = a
    over_types = {b.type for b in over.blocks_}
    blocks = [b for b in base.blocks_ if b.type not in over_types] + list(over.blocks_)
    return Body(tuple(attrs.values()), tuple(blocks), base.from_json or over.from_json)


def _apply_override(config: ModuleConfig, parsed: ParsedFile) -> None:
    assert parsed.body is not None
    for block in parsed.body.blocks_:
        kind, labels = block.type, block.labels
        table: dict[object, Decl] | None = None
        key: object = None
        if kind == "resource" and len(labels) == 2:
            table, key = config.resources, (labels[0], labels[1])  # type: ignore[assignment]
        elif kind == "data" and len(labels) == 2:
            table, key = config.data, (labels[0], labels[1])  # type: ignore[assignment]
        elif kind in ("variable", "output", "module") and len(labels) == 1:
            table = {"variable": config.variables, "output": config.outputs,  # type: ignore[assignment]
                     "module": config.modules}[kind]
            key = labels[0]
        elif kind == "locals":
            for attr in block.body.attributes:
                config.locals[attr.name] = LocalDecl(attr, parsed.name)
            continue
        if table is None or key not in table:
            continue
        base = table[key]
        table[key] = Decl(replace(base.block, body=_merge_body(base.block.body, block.body)), base.file)

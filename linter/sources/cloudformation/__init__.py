"""The CloudFormation frontend: templates (YAML or JSON, SAM, CDK's ``cdk.out``) into facts.

Two steps, so that a caller can parallelize and cache the expensive one:

1. :func:`parse_template` (pure, picklable result): file bytes -> :class:`ParsedTemplate`,
   decoded by :mod:`~why403.sources.cloudformation.cfnyaml` (lines kept on every mapping and list).
2. :func:`build_template`: a ParsedTemplate + options + the exports of the other templates ->
   :class:`~why403.model.facts.SourceResult`.

:func:`load_templates` does both for several files, resolving ``Fn::ImportValue`` between them.
Nothing here touches the network or runs anything a template names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from why403.model.facts import Diagnostic, SourceOptions, SourceResult
from why403.model.location import Location
from why403.model.symbols import token_scope
from why403.sources import confine
from why403.sources.cloudformation.decode import ParsedTemplate, parse_template
from why403.sources.cloudformation.parameters import supplied_values
from why403.sources.cloudformation.sniff import is_template

__all__ = ["ParsedTemplate", "build_template", "is_template", "load_templates", "parse_file", "parse_template"]

# Export values can depend on other stacks' exports; a few rounds settle any realistic chain.
_EXPORT_ROUNDS = 4


def parse_file(path: Path) -> ParsedTemplate:
    """Read and decode one file; an unreadable file becomes an error, not an exception."""
    try:
        data = confine.read_bytes(path)
    except OSError as exc:
        return ParsedTemplate(str(path), None, Diagnostic("error", f"cannot read the template: {exc.strerror or exc}",
                                                          Location(str(path)), code="cfn-template"))
    return parse_template(data, str(path))


def build_template(parsed: ParsedTemplate, options: SourceOptions, supplied: Mapping[str, str] | None = None,
                   exports: Mapping[str, Any] | None = None, nested_read: frozenset[str] = frozenset()) -> SourceResult:
    from why403.sources.cloudformation.build import build

    return build(parsed, options, supplied or dict(options.cfn_parameters), exports, nested_read)


def collect_exports(parsed: Sequence[ParsedTemplate], options: SourceOptions,
                    supplied: Mapping[str, str], by_file: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Export name -> value over all templates; a name exported twice is left unknown.
    ``by_file``, when given, receives the names each template exports."""
    from why403.sources.cloudformation.build import exports

    known: dict[str, Any] = {}
    for _ in range(_EXPORT_ROUNDS):
        merged: dict[str, Any] = {}
        duplicated: set[str] = set()
        for p in parsed:
            with token_scope(p.file):  # generated ids are per template (see symbols.token_scope)
                template_exports = exports(p, options, supplied, known)
            if by_file is not None:
                by_file[p.file] = tuple(template_exports)
            for name, value in template_exports.items():
                if name in merged:
                    duplicated.add(name)
                merged[name] = value
        for name in duplicated:
            merged.pop(name, None)
        if merged == known:
            break
        known = merged
    return known


def load_templates(paths: list[Path], options: SourceOptions,
                   parse: Callable[[Path], ParsedTemplate] = parse_file,
                   options_for: Callable[[Path], SourceOptions] | None = None) -> list[SourceResult]:
    """Read several templates in one run (one SourceResult each, in order). ``parse`` reads and
    decodes one file: the pipeline passes one that uses the parse cache and worker processes.
    ``options_for`` gives a template options of its own (the account its deployment unit deploys
    to); exports are resolved with the run's ``options``."""
    supplied, problems = supplied_values(options.cfn_parameters, options.cfn_parameter_files)
    parsed = [parse(p) for p in paths]
    exported: dict[str, tuple[str, ...]] = {}
    export_map = collect_exports(parsed, options, supplied, exported)
    nested = _nested(parsed)
    passed: dict[str, dict[str, str]] = {}  # nested template -> the parameters its parent passes
    results: dict[str, SourceResult] = {}
    for p in _parents_first(parsed, nested):
        own = options_for(Path(p.file)) if options_for else options
        values = {**supplied, **passed.get(p.file, {})}
        children = nested.get(p.file, {})
        with token_scope(p.file):
            result = build_template(p, own, values, export_map, frozenset(children))
            for lid, child in children.items():
                passed[child] = _nested_values(p, lid, own, values, export_map)
        names = [n for n in exported.get(p.file, ()) if n in export_map]  # not the ones exported twice
        results[p.file] = replace(result, provides=tuple(f"export:{n}" for n in names)) if names else result
    ordered = [results[p.file] for p in parsed]
    if problems:
        ordered.append(SourceResult(diagnostics=tuple(problems), files=tuple(sorted(options.cfn_parameter_files))))
    return ordered


def _nested(parsed: Sequence[ParsedTemplate]) -> dict[str, dict[str, str]]:
    """Parent template -> {nested stack logical id: nested template}, for the nested templates
    that are in the run (a CDK assembly's ``*.nested.template.json`` beside its parent)."""
    from why403.sources.cloudformation.build import nested_stacks

    files = {os.path.normpath(p.file): p.file for p in parsed}
    out: dict[str, dict[str, str]] = {}
    for p in parsed:
        for lid, name in nested_stacks(p).items():
            if os.path.isabs(name) or ".." in Path(name).parts:
                continue
            child = files.get(os.path.normpath(os.path.join(os.path.dirname(p.file), name)))
            if child is not None and child != p.file:
                out.setdefault(p.file, {})[lid] = child
    return out


def _parents_first(parsed: Sequence[ParsedTemplate], nested: Mapping[str, Mapping[str, str]]) -> list[ParsedTemplate]:
    """The templates in their order, except that a nested template comes after its parent (so that
    the parameters the parent passes are known when it is read)."""
    children = {child for inner in nested.values() for child in inner.values()}
    by_file = {p.file: p for p in parsed}
    out: list[ParsedTemplate] = []
    seen: set[str] = set()

    def visit(p: ParsedTemplate) -> None:
        if p.file in seen:
            return
        seen.add(p.file)
        out.append(p)
        for child in nested.get(p.file, {}).values():
            if child in by_file:
                visit(by_file[child])

    for p in parsed:
        if p.file not in children:
            visit(p)
    for p in parsed:  # nested in a cycle of nested stacks, or in a parent that is not in the run
        visit(p)
    return out


def _nested_values(parent: ParsedTemplate, lid: str, options: SourceOptions, supplied: Mapping[str, str],
                   exports: Mapping[str, Any]) -> dict[str, str]:
    from why403.sources.cloudformation.build import nested_parameters

    return nested_parameters(parent, lid, options, supplied, exports)

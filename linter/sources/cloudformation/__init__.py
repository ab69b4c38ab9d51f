"""The CloudFormation frontend: templates (YAML or JSON, SAM, CDK's ``cdk.out``) into facts.

Two steps, so that a caller can parallelize and cache the expensive one:

1. :func:`parse_template` (pure, picklable result): file bytes -> :class:`ParsedTemplate`,
   decoded with cfn-lint's decoder (lines kept on every mapping and list).
2. :func:`build_template`: a ParsedTemplate + options + the exports of the other templates ->
   :class:`~why403.model.facts.SourceResult`.

:func:`load_templates` does both for several files, resolving ``Fn::ImportValue`` between them.
Nothing here touches the network or runs anything a template names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
                   exports: Mapping[str, Any] | None = None) -> SourceResult:
    from why403.sources.cloudformation.build import build

    return build(parsed, options, supplied or dict(options.cfn_parameters), exports)


def collect_exports(parsed: Sequence[ParsedTemplate], options: SourceOptions,
                    supplied: Mapping[str, str]) -> dict[str, Any]:
    """Export name -> value over all templates; a name exported twice is left unknown."""
    from why403.sources.cloudformation.build import exports

    known: dict[str, Any] = {}
    for _ in range(_EXPORT_ROUNDS):
        merged: dict[str, Any] = {}
        duplicated: set[str] = set()
        for p in parsed:
            with token_scope(p.file):  # generated ids are per template (see symbols.token_scope)
                template_exports = exports(p, options, supplied, known)
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
                   parse: Callable[[Path], ParsedTemplate] = parse_file) -> list[SourceResult]:
    """Read several templates in one run (one SourceResult each, in order). ``parse`` reads and
    decodes one file: the pipeline passes one that uses the parse cache and worker processes."""
    supplied, problems = supplied_values(options.cfn_parameters, options.cfn_parameter_files)
    parsed = [parse(p) for p in paths]
    export_map = collect_exports(parsed, options, supplied)
    results = []
    for p in parsed:
        with token_scope(p.file):
            results.append(build_template(p, options, supplied, export_map))
    if problems:
        results.append(SourceResult(diagnostics=tuple(problems), files=tuple(sorted(options.cfn_parameter_files))))
    return results

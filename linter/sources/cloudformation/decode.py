"""The pure, cacheable step: file bytes -> :class:`ParsedTemplate`.

Nothing here depends on parameters, options or other templates, so the result can be computed
in a worker process and cached by the file's content. The text is decoded by cfnyaml (PyYAML),
which gives what cfn-lint's decoder gives without importing cfn-lint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from why403.model.facts import Diagnostic
from why403.model.location import Location
from why403.sources.cloudformation import cfnyaml
from why403.sources.cloudformation.catalog import PROPERTIES
from why403.sources.cloudformation.tree import Map, bare_map, convert, new_map

# CloudFormation accepts template bodies of at most 1 MB (from S3); anything far beyond that is
# not a deployable template, and decoding it would only burn time.
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024

# The Metadata key by which CDK names a nested stack's template file (beside its parent's).
NESTED_TEMPLATE = "aws:asset:path"

_TOP_SECTIONS = ("AWSTemplateFormatVersion", "Transform", "Parameters", "Conditions", "Mappings", "Outputs",
                 "Globals")


@dataclass(frozen=True)
class ParsedTemplate:
    """A decoded template (only the parts the model needs), or why it could not be decoded.

    ``template`` is None when the file is not a template at all or could not be read; ``error``
    then says why (None for a file that is simply not a template).
    """

    file: str
    template: Map | None
    error: Diagnostic | None = None
    resources: int = 0


def _error(file: str, message: str, line: int = 0) -> ParsedTemplate:
    return ParsedTemplate(file, None, Diagnostic("error", message, Location(file, line), code="cfn-template"))


def text_of(data: bytes) -> str | None:
    """The template's text (BOMs honoured), or None when it is not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_template(data: bytes, file: str) -> ParsedTemplate:
    """Decode one template. Never raises for bad input: problems become ``error``."""
    if len(data) > MAX_TEMPLATE_BYTES:
        size = len(data) / (1024 * 1024)
        return _error(file, f"the template is {size:.1f} MB; CloudFormation accepts at most 1 MB, so why403 "
                      f"does not read files over {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB")
    text = text_of(data)
    if text is None:
        return _error(file, "the file is not UTF-8 text, so it cannot be a CloudFormation template")
    try:
        raw = cfnyaml.loads(text)
    except RecursionError:
        return _error(file, "the template is nested too deeply to read")
    except cfnyaml.DecodeError as exc:
        return _error(file, f"the template could not be decoded: {exc.message}", exc.line)
    if not isinstance(raw, dict):
        return _error(file, f"a template must be a mapping at the top level, not {type(raw).__name__}", 1)
    try:
        return _select(raw, file, text)
    except RecursionError:
        return _error(file, "the template is nested too deeply to read")


def _select(raw: dict[str, Any], file: str, text: str) -> ParsedTemplate:
    out = convert_top(raw)
    resources = raw.get("Resources")
    if resources is None:
        if "AWSTemplateFormatVersion" not in raw:
            return ParsedTemplate(file, None)
        out["Resources"] = new_map()
        return ParsedTemplate(file, out)
    if not isinstance(resources, dict):
        if "AWSTemplateFormatVersion" not in raw:
            # A top-level Resources that is not a mapping, and nothing else saying "template": a file
            # of another kind (an AppSpec lists its targets under Resources), not a broken template.
            return ParsedTemplate(file, None)
        line = out.key_line("Resources")
        return _error(file, f"Resources must be a mapping of logical ids to resources, not "
                      f"{'a list' if isinstance(resources, list) else type(resources).__name__}", line)
    res_map = convert_shallow(resources, out.key_line("Resources"))
    lines = text.split("\n")
    for key, res in resources.items():
        lid = str(key)
        kl = res_map.key_lines.get(lid, res_map.line)
        node = _convert_resource(res, kl)
        if isinstance(node, Map):
            node.end_line = _last_line(res, lines, node.end_line)
        res_map[lid] = node
    out["Resources"] = res_map
    return ParsedTemplate(file, out, resources=len(res_map))


def _last_line(node: Any, lines: list[str], default: int) -> int:
    """The last line that holds part of ``node`` (1-based).

    A block mapping's end mark is the start of the next token, possibly after blank lines and
    comments; a flow mapping's (JSON) is just after its closing brace. At the end of a text with
    no final line break, libyaml puts the end mark on the line after the last one.
    """
    end = getattr(node, "end_mark", None)
    start = getattr(node, "start_mark", None)
    if end is None or start is None:
        return default
    row, col = int(end.line), int(end.column)
    first = int(start.line) + 1
    if row >= len(lines):
        row = len(lines)
    elif lines[row][:col].strip():
        return max(first, row + 1)
    last = row
    while last > first and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    return max(first, last)


# Of Parameters and Outputs, only these fields decide values.
_PARAM_FIELDS = ("Type", "Default", "AllowedValues")
_OUTPUT_FIELDS = ("Value", "Export", "Condition")


def convert_top(raw: dict[str, Any]) -> Map:
    out = convert_shallow(raw, 1)
    for key in _TOP_SECTIONS:
        if key not in raw:
            continue
        section = raw[key]
        fields = _PARAM_FIELDS if key == "Parameters" else _OUTPUT_FIELDS if key == "Outputs" else None
        if fields is None or not isinstance(section, dict):
            out[key] = convert(section, out.key_line(key))
            continue
        sm = convert_shallow(section, out.key_line(key))
        for name, spec in section.items():
            line = sm.key_lines.get(str(name), sm.line)
            if isinstance(spec, dict):
                entry = _bare(spec, line)
                for f in fields:
                    if f in spec:
                        entry[f] = convert(spec[f], line, 1)
                sm[str(name)] = entry
            else:
                sm[str(name)] = convert(spec, line)
        out[key] = sm
    return out


def convert_shallow(node: dict[str, Any], default_line: int) -> Map:
    """A Map with the node's lines and key lines but no values yet."""
    start = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    m = new_map(int(start.line) + 1 if start is not None else default_line,
                int(end.line) + (0 if int(end.column) == 0 else 1) if end is not None else default_line)
    for key in node:
        mark = getattr(key, "start_mark", None)
        m.key_lines[str(key)] = int(mark.line) + 1 if mark is not None else m.line
    return m


def _convert_resource(res: Any, key_line: int) -> Any:
    """A resource with what the model reads: Type, Condition, why403 Metadata and, for modelled
    types, the properties their handler reads; for other types only the ``...Name`` properties
    that Ref/GetAtt naming needs (and no key lines, which nothing asks of them)."""
    if not isinstance(res, dict):
        return convert(res, key_line)
    rtype = res.get("Type")
    wanted = PROPERTIES.get(rtype, frozenset()) if isinstance(rtype, str) else frozenset()
    modelled = isinstance(rtype, str) and rtype in PROPERTIES
    m = convert_shallow(res, key_line) if modelled else _bare(res, key_line)
    for key in ("Type", "Condition"):
        if key in res:
            m[key] = convert(res[key], m.key_line(key), 0)
    meta = res.get("Metadata")
    if isinstance(meta, dict) and ("why403" in meta or NESTED_TEMPLATE in meta):
        mm = convert_shallow(meta, m.key_line("Metadata"))
        for key in ("why403", NESTED_TEMPLATE):
            if key in meta:
                mm[key] = convert(meta[key], mm.key_line(key))
        m["Metadata"] = mm
    props = res.get("Properties")
    if props is None:
        return m
    if not isinstance(props, dict):
        m["Properties"] = convert(props, m.key_line("Properties"))
        return m
    if not modelled:
        pm = _bare(props, m.line)
        for pkey, pval in props.items():
            if pkey.endswith("Name"):
                pm[str(pkey)] = convert(pval, pm.line, 0)
        m["Properties"] = pm
        return m
    pm = convert_shallow(props, m.key_line("Properties"))
    for pkey, pval in props.items():
        k = str(pkey)
        if wanted is None or k in wanted or k.endswith("Name"):
            pm[k] = convert(pval, pm.key_lines.get(k, pm.line), 1)
    m["Properties"] = pm
    return m


def _bare(node: dict[str, Any], default_line: int) -> Map:
    start = getattr(node, "start_mark", None)
    return bare_map(int(start.line) + 1 if start is not None else default_line)

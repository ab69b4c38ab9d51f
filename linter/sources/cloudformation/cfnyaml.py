"""Template text -> the decoded template (with source marks), or the error that stops it.

Why our own decoder: cfn-lint's ``decode_str`` was the frontend's only use of cfn-lint at run
time, and importing it pulls cfn-lint's rules, templates, sympy and networkx (~0.45 s), which
dominated a pre-commit hook run on one changed template. This module is the part of it that
why403 consumes, on PyYAML alone: mappings, sequences and strings carry the loader's
``start_mark``/``end_mark`` (0-based ``line``/``column``), the short-form tags become their
``Fn::`` mappings, duplicate and null keys are errors, YAML aliases are bounded. cfn-lint stays
the reference (and a dependency): tests/cloudformation/test_cfnyaml.py decodes every template
fixture and a set of tricky inputs with both and requires the same values, marks and errors, and
lists the few deliberate differences.

Like cfn-lint, the C loader (libyaml) is used when PyYAML has it, which is also what decides
whether a JSON template may be indented with tabs (libyaml accepts tabs in flow context; the
pure-Python loader does not, and cfn-lint then retries the text as JSON).
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import ParserError
from yaml.scanner import ScannerError

# CloudFormation rejects YAML aliases, but the AWS CLI and SAM resolve them client-side, so they
# are resolved here too. A few nested aliases ("billion laughs") expand exponentially: a template
# larger than this once expanded is refused (cfn-lint's bound, docs/security.md).
MAX_EXPANDED_NODES = 250_000

# Short-form tags that keep their name; every other ``!Name`` is ``Fn::Name``.
_UNPREFIXED = ("Ref", "Condition")
_MERGE_TAG = "tag:yaml.org,2002:merge"
# The pure-Python scanner's complaints that make cfn-lint retry the text as JSON.
_TAB_PROBLEM = "found character '\\t' that cannot start any token"
_ESCAPE_PROBLEM = "found unknown escape character"


class MapNode(dict[Any, Any]):
    """A decoded mapping and where it is in the text."""

    __slots__ = ("end_mark", "start_mark")

    start_mark: Any
    end_mark: Any


class SeqNode(list[Any]):
    """A decoded sequence and where it is in the text."""

    __slots__ = ("end_mark", "start_mark")

    start_mark: Any
    end_mark: Any


class StrNode(str):
    """A decoded string and where it is in the text (mapping keys' lines come from here)."""

    __slots__ = ("end_mark", "start_mark")

    start_mark: Any
    end_mark: Any


_Node = TypeVar("_Node", MapNode, SeqNode, StrNode)


def _marked(node: _Node, source: Any) -> _Node:
    node.start_mark, node.end_mark = source.start_mark, source.end_mark
    return node


class DecodeError(Exception):
    """Why the text is not a template, with the 1-based line it concerns."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class _Constructing:
    """What turns PyYAML's safe loader into a template loader: mappings, sequences and strings
    keep their marks, mappings refuse duplicate and null keys, short-form tags are read."""

    # The loader's own methods, for the type checker (this class is only ever mixed into one).
    flatten_mapping: Any
    construct_object: Any
    construct_scalar: Any
    construct_sequence: Any
    construct_mapping: Any

    def construct_map(self, node: MappingNode) -> MapNode:
        # A mapping that merges (``<<``) may override merged keys: no duplicate check there.
        merges = any(key.tag == _MERGE_TAG for key, _ in node.value)
        self.flatten_mapping(node)
        out = _marked(MapNode(), node)
        first_line: dict[Any, int] = {}
        duplicate: tuple[Any, int] | None = None
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, False)
            value = self.construct_object(value_node, False)
            line = key_node.start_mark.line + 1
            if key is None:
                raise DecodeError(f"Null key {key_node.value!r} not supported (line {line})", line)
            try:
                seen = key in first_line
            except TypeError:
                raise DecodeError(f'Unhashable type "{key}" (line {line})', line) from None
            if seen and not merges:
                duplicate = duplicate or (key, first_line[key])
            else:
                first_line[key] = line
            out[key] = value
        if duplicate is not None:
            key, line = duplicate
            raise DecodeError(f"Duplicate found {key!r} (line {line})", line)
        return out

    def construct_seq(self, node: SequenceNode) -> SeqNode:
        return _marked(SeqNode(self.construct_object(child, False) for child in node.value), node)

    def construct_str(self, node: ScalarNode) -> StrNode:
        return _marked(StrNode(self.construct_scalar(node)), node)

    def construct_function(self, suffix: str, node: Any) -> MapNode:
        """``!Ref x`` -> ``{"Ref": "x"}``, ``!Sub ...`` -> ``{"Fn::Sub": ...}``: the scalar as written
        (not resolved: ``!Ref 5`` names "5"), a sequence's or mapping's items constructed."""
        name = suffix if suffix in _UNPREFIXED else f"Fn::{suffix}"
        value: Any
        if name == "Fn::GetAtt" and isinstance(node, ScalarNode):
            # ``!GetAtt Resource.Attribute.With.Dots``: only the first dot separates.
            value = _marked(SeqNode(str(node.value).split(".", 1)), node)
        elif name == "Fn::GetAtt" and isinstance(node, SequenceNode):
            value = _marked(SeqNode(self.construct_object(child, True) for child in node.value), node)
        elif isinstance(node, ScalarNode):
            value = self.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = self.construct_sequence(node, True)
        else:
            value = self.construct_map(node) if name == "Fn::GetAtt" else self.construct_mapping(node, True)
        out = _marked(MapNode(), node)
        out[name] = value
        return out


def _loader(base: type) -> Any:
    loader: Any = type(f"Template{base.__name__}", (base, _Constructing), {})
    loader.add_constructor("tag:yaml.org,2002:map", _Constructing.construct_map)
    loader.add_constructor("tag:yaml.org,2002:seq", _Constructing.construct_seq)
    loader.add_constructor("tag:yaml.org,2002:str", _Constructing.construct_str)
    loader.add_multi_constructor("!", _Constructing.construct_function)
    return loader


PURE_LOADER = _loader(yaml.SafeLoader)
LOADER = _loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def loads(text: str, loader: type = LOADER, retry: bool = True) -> Any:
    """The decoded template (an empty document is an empty mapping).

    Raises :class:`DecodeError` for text that is not a template; RecursionError when it nests
    deeper than the interpreter allows (the caller says so). ``loader`` is LOADER (libyaml's when
    PyYAML has it, as cfn-lint) or, for tests, PURE_LOADER.
    """
    try:
        return _load(text, loader)
    except yaml.MarkedYAMLError as err:
        if retry and isinstance(err, ScannerError) and _retry_as_json(err):
            return loads(_json_untabbed(text, err), loader, retry=False)
        if isinstance(err, ScannerError | ParserError):
            raise DecodeError(str(err.problem), _line(err)) from None
        raise DecodeError(f"Template could not be parsed: {err}", 1) from None
    except (DecodeError, RecursionError):
        raise
    except Exception as err:  # a constructor's ValueError (a bad !!binary, a bad timestamp ...)
        raise DecodeError(f"Template could not be parsed: {err}", 1) from None


def _load(text: str, loader_class: type) -> Any:
    loader = loader_class(text)
    try:
        template = loader.get_single_data()
    finally:
        loader.dispose()
    if template is None:
        template = MapNode()
        template.start_mark = template.end_mark = yaml.Mark("<unicode string>", 0, 0, 0, "", 0)
    elif "&" in text:  # no anchor, no alias: nothing to expand
        _bound_aliases(template)
    return template


def _line(err: yaml.MarkedYAMLError) -> int:
    mark = err.problem_mark
    return mark.line + 1 if mark is not None else 1


def _bound_aliases(template: Any) -> None:
    """Refuse a template whose aliases expand past MAX_EXPANDED_NODES. Counted once per distinct
    node (an alias is the anchored object itself), so the count costs what the text costs."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise DecodeError(f"Template resolves to more than {MAX_EXPANDED_NODES} nodes once YAML aliases "
                                  "are expanded; this is not supported and may indicate YAML alias amplification", 1)
        sizes[id(node)] = total
        return total

    size(template)


def _retry_as_json(err: yaml.MarkedYAMLError) -> bool:
    problem = str(err.problem or "")
    return problem == _TAB_PROBLEM or problem.startswith(_ESCAPE_PROBLEM)


def _json_untabbed(text: str, yaml_error: yaml.MarkedYAMLError) -> str:
    """The JSON retry of text the YAML scanner refused (as cfn-lint does).

    Valid JSON refused by YAML can only be JSON indented with tabs under the pure-Python loader
    (libyaml accepts tabs in flow context, and every JSON escape is a YAML one). Outside strings
    a tab in JSON is only a separator, so the text is read again as YAML with those tabs made
    spaces: the same values and marks libyaml gives the original. Text that is not JSON either
    gets the JSON error, or the YAML one when it does not even start as JSON.
    """
    try:
        json.loads(text, strict=False)  # libyaml takes a tab in a quoted string: so does this
    except json.JSONDecodeError as err:
        if err.msg == "Expecting value" and not text[:err.pos].strip():
            raise DecodeError(str(yaml_error.problem), _line(yaml_error)) from None
        raise DecodeError(_json_message(err), err.lineno) from None
    return _JSON_TAB.sub(_space_tab, text)


_JSON_TAB = re.compile(r'"(?:[^"\\]|\\.)*"|\t')


def _space_tab(match: re.Match[str]) -> str:
    found = match.group()
    return " " if found == "\t" else found


def _json_message(err: json.JSONDecodeError) -> str:
    """The JSON error as cfn-lint words it (its scanner names the offending character)."""
    if err.msg == "Invalid \\escape":
        return f"Invalid \\escape: {err.doc[err.pos + 1:err.pos + 2]!r}"
    if err.msg == "Invalid control character at":
        return f"Invalid control character {err.doc[err.pos:err.pos + 1]!r} at"
    return err.msg

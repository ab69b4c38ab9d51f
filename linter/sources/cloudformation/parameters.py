"""Template parameters: declared types and defaults, values the user supplies, parameter files.

Precedence (later wins): the parameter's Default, parameter files in the order given, then
``--parameter Key=Value``. A parameter with none of these is unknown. ``AWS::SSM::Parameter::Value``
parameters are always unknown: their value (or default) is the *name* of an SSM parameter that
CloudFormation reads at deploy time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from why403.model.facts import Diagnostic
from why403.model.location import Location
from why403.sources import confine
from why403.sources.cloudformation.tree import Map, line_of, scalar_text


@dataclass(frozen=True)
class Param:
    """A declared parameter. ``value`` is None when unknown; lists for list-typed parameters."""

    name: str
    type: str
    line: int
    value: str | tuple[str, ...] | None
    allowed: tuple[str, ...] | None = None
    ssm: bool = False
    # The value is the template's empty Default (``Default: ""``), not one the user supplied: a
    # placeholder that each deployment's parameters usually replace ("if not provided, ...").
    placeholder: bool = False

    @property
    def is_list(self) -> bool:
        t = self.type.replace(" ", "")
        return t == "CommaDelimitedList" or t.startswith("List<") or "<List<" in t


def _text(value: Any) -> str | None:
    """A parameter value as text: a scalar, or a list as CommaDelimitedList text."""
    if isinstance(value, list):
        parts = [_text(v) for v in value]
        return None if any(p is None for p in parts) else ",".join(p for p in parts if p is not None)
    return scalar_text(value)


def declared(template: Map, supplied: Mapping[str, str]) -> dict[str, Param]:
    """The template's parameters with the value each takes in this run."""
    out: dict[str, Param] = {}
    params = template.get("Parameters")
    if not isinstance(params, Map):
        return out
    for name, spec in params.items():
        if not isinstance(spec, dict):
            continue
        ptype = spec.get("Type")
        ptype = ptype if isinstance(ptype, str) else "String"
        ssm = ptype.replace(" ", "").startswith("AWS::SSM::Parameter::Value<")
        raw: str | None = supplied.get(name)
        if raw is None and "Default" in spec:
            raw = _text(spec.get("Default"))
        allowed_raw = spec.get("AllowedValues")
        allowed = None
        if isinstance(allowed_raw, list):
            texts = [_text(v) for v in allowed_raw]
            if texts and all(t is not None for t in texts):
                allowed = tuple(t for t in texts if t is not None)
        value: str | tuple[str, ...] | None = None
        if raw is not None and not ssm:
            value = raw
        placeholder = value == "" and name not in supplied
        param = Param(name, ptype, params.key_line(name) or line_of(spec), value, allowed, ssm, placeholder)
        if param.is_list and isinstance(value, str):
            param = Param(name, ptype, param.line, tuple(v.strip() for v in value.split(",")) if value else (),
                          allowed, ssm, placeholder)
        out[name] = param
    return out


def supplied_values(
    pairs: Iterable[tuple[str, str]], files: Iterable[str]
) -> tuple[dict[str, str], list[Diagnostic]]:
    """Merge parameter files (in order) and ``--parameter`` pairs (last) into one mapping."""
    values: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for file in files:
        got, problem = read_parameter_file(Path(file))
        if problem is not None:
            problems.append(problem)
        values.update(got)
    for key, value in pairs:
        values[key] = value
    return values, problems


def read_parameter_file(path: Path) -> tuple[dict[str, str], Diagnostic | None]:
    """``[{"ParameterKey": k, "ParameterValue": v}]`` (CLI) or ``{"Parameters": {k: v}}`` (CodePipeline)."""
    where = Location(str(path))
    try:
        text = confine.read_bytes(path).decode("utf-8-sig")
        data = json.loads(text)
    except OSError as exc:
        return {}, Diagnostic("error", f"cannot read the parameter file: {exc.strerror or exc}", where,
                              "cfn-parameters")
    except (UnicodeDecodeError, ValueError) as exc:
        return {}, Diagnostic("error", f"the parameter file is not JSON: {exc}", where, "cfn-parameters")
    out: dict[str, str] = {}
    if isinstance(data, list):
        for item in data:
            if not isinstance(item, dict) or "ParameterKey" not in item:
                return {}, Diagnostic("error", "each entry of a parameter list needs ParameterKey and ParameterValue",
                                      where, "cfn-parameters")
            if item.get("UsePreviousValue") is True or "ParameterValue" not in item:
                continue  # the deployed stack's value: not known here
            value = _text(item["ParameterValue"])
            if value is not None:
                out[str(item["ParameterKey"])] = value
        return out, None
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        for key, raw in data["Parameters"].items():
            value = _text(raw)
            if value is not None:
                out[str(key)] = value
        return out, None
    return {}, Diagnostic("error", 'a parameter file is either [{"ParameterKey": ..., "ParameterValue": ...}] or '
                          '{"Parameters": {...}}', where, "cfn-parameters")

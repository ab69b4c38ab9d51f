"""The fuzz targets: one function per entry point, asserting what its docstring promises.

Shared by the hypothesis tests (tests/fuzz/test_fuzz.py) and the atheris harnesses (bench/fuzz_*.py),
so a crash either finds is the same failure. Each target raises AssertionError when the contract
is broken; any other exception escaping it is a crash.
"""

from __future__ import annotations

import re
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

from why403.model.facts import Diagnostic, Fact, SourceOptions, SourceResult
from why403.model.location import Location, Problem
from why403.model.policy import Policy, PolicyKind, Statement
from why403.model.values import MaybePresent, Unknown
from why403.policy.parse import parse_policy
from why403.sources.cloudformation import build_template
from why403.sources.cloudformation.decode import ParsedTemplate, parse_template
from why403.sources.cloudformation.intrinsics import Resolver
from why403.sources.cloudformation.nodes import NOVALUE
from why403.sources.cloudformation.parameters import declared
from why403.sources.cloudformation.tree import Map, convert
from why403.sources.terraform.convert import EvalError
from why403.sources.terraform.evaluate import BudgetExceeded, Evaluator, Scope
from why403.sources.terraform.functions import FileAccess, FunctionTable
from why403.sources.terraform.hclread import parse_expression
from why403.sources.terraform.load import load_module
from why403.sources.terraform.syntax import SyntaxProblem
from why403.sources.terraform.tfvalues import Budget, Lazy, ObjVal, Unk

AT = Location("fuzz/policy.json", 3)

# -- the policy parser ------------------------------------------------------------------------------


def policy(source: Any, kind: PolicyKind) -> Policy:
    """parse_policy never raises and returns a Policy of Statements and Problems."""
    p = parse_policy(source, kind, origin="fuzz", location=AT)
    assert isinstance(p, Policy) and p.kind is kind
    assert isinstance(p.statements, tuple) and all(isinstance(s, Statement) for s in p.statements)
    assert isinstance(p.problems, tuple) and all(isinstance(x, Problem) for x in p.problems)
    assert p.unknown is None or isinstance(p.unknown, str)
    for s in p.statements:
        assert s.effect in ("Allow", "Deny"), s.effect
    return p


# -- the Terraform expression evaluator -------------------------------------------------------------


class _Module:
    """Names an expression may use: a few known and unknown variables and locals; anything else is
    what Terraform would refuse (an undeclared name)."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        unknown = Unk("var.u", "var.u has no value", frozenset({"var.u"}))
        if name == "var":
            return ObjVal({"a": "alpha", "l": ["x", "y", unknown.as_many()], "m": ObjVal({"k": "v", "n": 3}),
                           "u": unknown})
        if name == "local":
            return ObjVal({"x": Fraction(5, 2), "s": "arn:aws:s3:::b", "o": ObjVal({"a": [1, 2]})})
        if name == "path":
            return ObjVal({"module": ".", "root": ".", "cwd": "."})
        if name in ("aws_s3_bucket", "module", "data"):
            return Unk(name, f"{name} is only known after apply")
        raise EvalError(f"reference to undeclared {name}", line)


def is_value(v: Any, depth: int = 0) -> bool:
    """The evaluator's documented values: str, int, Fraction, bool, None, list (and SetVal), ObjVal
    (str keys), Unk, and lazy values of the module."""
    if depth > 200:
        return True
    if v is None or isinstance(v, str | bool | int | Fraction | Unk | Lazy):
        return True
    if isinstance(v, list):
        return all(is_value(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and is_value(x, depth + 1) for k, x in v.items())
    return False


def tf_expression(text: str, root: Path) -> Any:
    """An expression parses or raises SyntaxProblem; it evaluates to a value or raises EvalError
    (what Terraform would refuse) or BudgetExceeded."""
    try:
        expr = parse_expression(text, 1)
    except SyntaxProblem:
        return None
    evaluator = Evaluator(FunctionTable(FileAccess(root)), Budget(steps=50_000))
    try:
        value = evaluator.eval(expr, Scope(_Module(), str(root / "main.tf")))
    except (EvalError, BudgetExceeded):
        return None
    assert is_value(value), (text, value)
    return value


def tf_module(files: dict[str, str], root: Path | None = None) -> SourceResult:
    """load_module never raises: whatever the text, it returns facts, diagnostics and the files."""
    with tempfile.TemporaryDirectory(prefix="why403-fuzz-") if root is None else _Here(root) as where:
        directory = Path(where)
        for name, text in files.items():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        result = load_module(directory, SourceOptions())
    _source_result(result)
    return result


class _Here:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> str:
        return str(self.path)

    def __exit__(self, *exc: object) -> None:
        return None


def _source_result(result: SourceResult) -> None:
    assert isinstance(result, SourceResult)
    assert all(isinstance(f, Fact) for f in result.facts)
    assert all(isinstance(d, Diagnostic) and isinstance(d.location, Location) for d in result.diagnostics)
    assert all(isinstance(f, str) for f in result.files)


# -- the CloudFormation intrinsic resolver ----------------------------------------------------------


def resolved_ok(v: Any, depth: int = 0) -> bool:
    """The resolver's documented values: JSON-like data with Unknown and MaybePresent markers, or NOVALUE."""
    if depth > 200:
        return True
    if v is None or v is NOVALUE or isinstance(v, str | bool | int | float | Unknown):
        return True
    if isinstance(v, MaybePresent):
        return resolved_ok(v.value, depth + 1)
    if isinstance(v, list):
        return all(resolved_ok(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and resolved_ok(x, depth + 1) for k, x in v.items())
    return False


def cfn_resolve(template: dict[str, Any], node: Any, supplied: dict[str, str]) -> None:
    """Resolver.value returns documented values; conditions are True, False or None; nothing raises."""
    tree = convert(template)
    assert isinstance(tree, Map)
    r = Resolver(tree, declared(tree, supplied), account="123456789012", region="eu-west-1",
                 exports={"Shared": "arn:aws:s3:::shared"})
    value = r.value(convert(node))
    assert resolved_ok(value), value
    conditions = template.get("Conditions")
    for name in ([*conditions, "Nope"] if isinstance(conditions, dict) else ["Nope"]):
        assert r.condition(name) in (True, False, None)
    assert r.cond_expr(convert(node)) in (True, False, None)


def cfn_template(data: bytes, supplied: dict[str, str] | None = None) -> ParsedTemplate:
    """parse_template never raises; build_template of its result never raises."""
    parsed = parse_template(data, "fuzz/template.yaml")
    assert isinstance(parsed, ParsedTemplate)
    assert parsed.template is None or isinstance(parsed.template, Map)
    if parsed.template is not None:
        options = SourceOptions(cfn_parameters=tuple((supplied or {}).items()))
        _source_result(build_template(parsed, options))
    return parsed


def tf_file(data: bytes, is_json: bool) -> None:
    """The Terraform reader never raises: a body or an error with a line."""
    from why403.sources.terraform.reader import parse_bytes
    from why403.sources.terraform.syntax import Body, ParsedFile, ParseError

    parsed = parse_bytes(data, "fuzz/main.tf.json" if is_json else "fuzz/main.tf", is_json)
    assert isinstance(parsed, ParsedFile)
    assert (parsed.body is None) != (parsed.error is None) or parsed.body is None
    assert parsed.body is None or isinstance(parsed.body, Body)
    assert parsed.error is None or (isinstance(parsed.error, ParseError) and parsed.error.line >= 0)


def wildcard_oracle(pattern: str, value: str) -> bool:
    """IAM ``*``/``?`` matching by Python's ``re``, for comparison with why403's linear matcher. A
    run of ``*`` is one ``.*``: ``.*.*.*`` would make the oracle itself backtrack exponentially
    (bench/fuzz_hostile.py timed out in it, not in why403)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in re.sub(r"\*+", "*", pattern))
    return re.fullmatch(regex, value, re.DOTALL) is not None

"""Fuzzing the three entry points that read hostile text: none may raise, each returns its type.

Bounded for CI (a few hundred examples each, derandomized so a run is reproducible; about half a
minute in all). For a longer run by hand:

    WHY403_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/fuzz -p no:randomly

(random seeds then), or the atheris harnesses in bench/fuzz_*.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import harness
from tests.fuzz.strategies import (
    cfn_templates,
    cfn_values,
    fuzz_settings,
    json_like,
    policy_documents,
    policy_texts,
    scalars,
    tf_expressions,
)
from why403.model.policy import PolicyKind
from why403.model.values import MaybePresent, Unknown

KINDS = st.sampled_from(list(PolicyKind))
markers = st.one_of(scalars, st.builds(Unknown, st.text(max_size=5)),
                    st.builds(MaybePresent, scalars, st.text(max_size=5)))


@fuzz_settings(300)
@given(st.one_of(policy_documents(), policy_texts()), KINDS)
def test_policy_parser_never_raises(source: Any, kind: PolicyKind) -> None:
    harness.policy(source, kind)


@fuzz_settings(150)
@given(st.one_of(json_like(markers), st.lists(st.builds(dict, Statement=st.lists(json_like(markers), max_size=3)))),
       KINDS)
def test_policy_parser_with_unknown_markers(source: Any, kind: PolicyKind) -> None:
    harness.policy(source, kind)


@fuzz_settings(400)
@given(tf_expressions())
def test_terraform_expression_evaluates_or_is_refused(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    harness.tf_expression(text, _root(tmp_path_factory))


@fuzz_settings(120)
@given(st.lists(tf_expressions(8), min_size=3, max_size=3), st.booleans())
def test_terraform_module_with_fuzzed_expressions_never_raises(tmp_path_factory: pytest.TempPathFactory,
                                                               exprs: list[str], as_json_policy: bool) -> None:
    local, action, resource = exprs
    policy = (f'jsonencode({{Version = "2012-10-17", Statement = [{{Effect = "Allow", Principal = "*", '
              f"Action = {action}, Resource = {resource}}}]}})")
    main = (f'variable "v" {{\n  default = {local}\n}}\n\nlocals {{\n  x = {local}\n  y = local.x\n}}\n\n'
            f'resource "aws_s3_bucket" "b" {{\n  bucket = "b-${{local.x}}"\n}}\n\n'
            f'resource "aws_s3_bucket_policy" "p" {{\n  bucket = aws_s3_bucket.b.id\n  policy = {policy}\n}}\n\n'
            f'data "aws_iam_policy_document" "d" {{\n  statement {{\n    actions = {action}\n'
            f"    resources = [{resource}]\n  }}\n}}\n\n"
            f'resource "aws_iam_policy" "i" {{\n  policy = data.aws_iam_policy_document.d.json\n}}\n\n'
            f'resource "aws_iam_role" "counted" {{\n  count = {local}\n  name = "r-${{count.index}}"\n}}\n\n'
            f'resource "aws_iam_role" "each" {{\n  for_each = {action}\n  name = each.key\n}}\n\n'
            f'module "child" {{\n  source = "./child"\n  count = {resource}\n  v = {local}\n}}\n\n'
            f'output "o" {{\n  value = {resource}\n}}\n')
    files = {"main.tf": main, "child/main.tf": 'variable "v" {}\n\noutput "o" {\n  value = var.v\n}\n'}
    if as_json_policy:
        files["extra.tf.json"] = json.dumps({"locals": {"z": "${" + local + "}"}})
    harness.tf_module(files, _fresh(tmp_path_factory))


@fuzz_settings(150)
@given(cfn_templates(), cfn_values(), st.dictionaries(st.sampled_from(["P", "Q", "List", "Env"]),
                                                       st.sampled_from(["a", "a,b", "", "prod", "1"]), max_size=2))
def test_cloudformation_resolver_never_raises(template: dict[str, Any], node: Any, supplied: dict[str, str]) -> None:
    harness.cfn_resolve(template, node, supplied)


@fuzz_settings(80)
@given(cfn_templates(), st.dictionaries(st.sampled_from(["P", "Q"]), st.sampled_from(["a", "a,b", ""]), max_size=2))
def test_cloudformation_template_builds_never_raise(template: dict[str, Any], supplied: dict[str, str]) -> None:
    harness.cfn_template(json.dumps(template, default=str).encode(), supplied)


@fuzz_settings(100)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
                 cfn_templates().map(lambda t: _yamlish(t).encode())))
def test_cloudformation_decoder_never_raises(data: bytes) -> None:
    harness.cfn_template(data)


def _yamlish(template: dict[str, Any]) -> str:
    """YAML with short-form tags, as people write templates (``!Ref``, ``!Sub``, ``!If``)."""
    import yaml

    text = yaml.safe_dump(json.loads(json.dumps(template, default=str)), default_flow_style=False)
    return "AWSTemplateFormatVersion: '2010-09-09'\n" + text.replace("Fn::", "!").replace("Ref:", "!Ref")


_ROOT: list[Path] = []


def _root(factory: pytest.TempPathFactory) -> Path:
    """An empty directory for file(): the evaluator reads only inside it (nothing to read)."""
    if not _ROOT:
        _ROOT.append(factory.mktemp("fuzz-root"))
    return _ROOT[0]


def _fresh(factory: pytest.TempPathFactory) -> Path:
    return factory.mktemp("fuzz-module")

"""The evaluator against ``terraform`` itself: every expression of the corpus, one apply.

Each expression becomes an output of one configuration; terraform applies it (outputs need no
provider) and ``terraform output -json`` is the reference. why403 evaluates the same outputs of
the same files. Numbers are compared as numbers (terraform's JSON output rounds them to float64),
everything else exactly.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from why403.model.facts import SourceOptions
from why403.sources.terraform.load import instantiate
from why403.sources.terraform.tfvalues import Lazy, Unk

from .exprcorpus import CONTEXT, HAND, TEMPLATE_FILES, generated
from .oracle import Terraform, fake_provider

GENERATED_DEFAULT = 300


def plain(value: Any) -> Any:
    if isinstance(value, Unk | Lazy):
        raise AssertionError(f"why403 left {value!r} unknown")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, int | Fraction) and isinstance(theirs, int | float):
        return math.isclose(float(ours), float(theirs), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(same(ours[k], theirs[k]) for k in ours)
    return bool(ours == theirs)


def run_corpus(exprs: list[str], workdir: Path, terraform: Callable[[Path], Terraform]) -> None:
    lines = [CONTEXT]
    for i, expr in enumerate(exprs):
        lines.append(f'output "e{i:04d}" {{\n  value = {expr}\n}}\n')
    (workdir / "main.tf").write_text("\n".join(lines), encoding="utf-8")
    for name, text in TEMPLATE_FILES.items():
        (workdir / name).write_text(text, encoding="utf-8")
    expected = terraform(workdir).outputs()
    ctx, root = instantiate(workdir, SourceOptions())
    assert not [d for d in ctx.diagnostics if d.severity == "error" or d.code == "internal"], ctx.diagnostics
    failures = []
    for i, expr in enumerate(exprs):
        name = f"e{i:04d}"
        try:
            ours = plain(root.output(name))
        except AssertionError as exc:
            failures.append(f"{expr}\n    why403: {exc}\n    terraform: {expected.get(name)!r}")
            continue
        if name not in expected:
            if ours is not None:
                failures.append(f"{expr}\n    terraform gave no value (null), why403: {ours!r}")
            continue
        if not same(ours, expected[name]):
            failures.append(f"{expr}\n    why403:    {ours!r}\n    terraform: {expected[name]!r}")
    assert not failures, f"{len(failures)} of {len(exprs)} differ:\n" + "\n".join(failures[:25])


def test_hand_written_corpus_matches_terraform(tmp_path: Path, terraform: Callable[[Path], Terraform]) -> None:
    assert len(HAND) >= 180
    run_corpus(HAND, tmp_path, terraform)


def test_generated_corpus_matches_terraform(tmp_path: Path, terraform: Callable[[Path], Terraform]) -> None:
    run_corpus(generated(GENERATED_DEFAULT), tmp_path, terraform)


@pytest.mark.slow
def test_large_generated_corpus_matches_terraform(tmp_path: Path, terraform: Callable[[Path], Terraform]) -> None:
    count = int(os.environ.get("WHY403_TF_CORPUS", "3000"))
    run_corpus(generated(count, seed=1403), tmp_path, terraform)


PROVIDER_FUNCTIONS = [
    'provider::aws::arn_build("aws", "iam", "", "123456789012", "role/deploy")',
    'provider::aws::arn_build("aws-us-gov", "s3", "", "", "bucket/key:with:colons")',
    'provider::aws::arn_build("aws", "kms", "eu-west-1", "123456789012", "key/${local.suffix}")',
    'provider::aws::arn_parse("arn:aws:iam::123456789012:role/a:b")',
    'provider::aws::arn_parse("arn:aws:s3:::bucket/path/to/object")',
    'provider::aws::arn_parse(provider::aws::arn_build("aws", "sqs", "us-east-1", "123456789012", "q")).account_id',
]


def test_aws_provider_functions_match_the_provider(tmp_path: Path,
                                                   terraform_aws: Callable[[Path], Terraform]) -> None:
    outputs = "".join(f'output "p{i}" {{\n  value = {expr}\n}}\n' for i, expr in enumerate(PROVIDER_FUNCTIONS))
    (tmp_path / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
        + fake_provider() + 'locals {\n  suffix = "abc"\n}\n' + outputs, encoding="utf-8")
    runner = terraform_aws(tmp_path)
    runner.init()
    planned = runner.plan_json()["planned_values"]["outputs"]
    _, root = instantiate(tmp_path, SourceOptions())
    for i, expr in enumerate(PROVIDER_FUNCTIONS):
        assert plain(root.output(f"p{i}")) == planned[f"p{i}"]["value"], expr

"""Crashes and hangs bench/sweep.py found in real repositories, each reduced to a few lines.

Each input must be read to a result with diagnostics, never an exception that the pipeline
reports as "internal error while reading it".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import harness
from why403.pipeline import CheckRequest, run_check

CASES: dict[str, dict[str, str]] = {
    # hashicorp/terraform internal/terraform/testdata/validate-bad-count: count given an object
    # (a bare resource type name); to_number raised EvalError out of the count expansion.
    "count-is-an-object": {"main.tf": 'resource "aws_instance" "foo" {\n  count = "${list}"\n}\n'},
    # .../input-submodule-count: count given a list (of a splat's ids), through two module levels.
    "count-is-a-list": {
        "main.tf": 'module "mod" {\n  source = "./mod"\n  n = 2\n}\n',
        "mod/main.tf": 'variable "n" {}\n\nresource "aws_instance" "foo" {\n  count = "${var.n}"\n}\n\n'
                       'module "sub" {\n  source = "./sub"\n  list = ["${aws_instance.foo.*.id}"]\n}\n',
        "mod/sub/main.tf": 'variable "list" {\n  type = list(string)\n}\n\n'
                           'resource "aws_instance" "bar" {\n  count = var.list[0]\n}\n',
    },
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("case", sorted(CASES))
def test_frontend_reads_it(tmp_path: Path, case: str) -> None:
    root = _write(tmp_path, CASES[case])
    result = harness.tf_module({}, root)
    assert any("count must be a whole number" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("case", sorted(CASES))
def test_run_has_no_internal_error(tmp_path: Path, case: str) -> None:
    root = _write(tmp_path / "src", CASES[case])
    outcome = run_check(CheckRequest(paths=(str(root),), jobs=1, use_cache=False))
    assert not [e for e in outcome.result.errors if "internal error" in e.message]

"""Every policy of the Terraform examples, as why403 evaluates it, against terraform's plan.

The examples' AWS-calling data source (``aws_caller_identity``) is replaced by the account id it
would return, and their providers by offline ones; everything else is planned by terraform 1.11
with the AWS provider 5.100 (see :mod:`.policyoracle`). ``fixtures/policy_features`` adds what the
examples do not use: policy documents with source and override documents, ``not_*`` elements,
merged conditions and principals, dynamic statements, ``&{}`` policy variables, templatefile,
heredoc directives, for_each modules and resources, count, name prefixes and paths.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import EXAMPLES, FIXTURES
from .oracle import Terraform
from .policyoracle import build_workspace, compare

TERRAFORM_EXAMPLES = ("01", "02", "03", "04", "05", "12", "15", "16")


def test_every_policy_of_the_examples_matches_terraform(
        tmp_path: Path, terraform_aws: Callable[[Path], Terraform]) -> None:
    examples = {}
    for prefix in TERRAFORM_EXAMPLES:
        found = sorted(EXAMPLES.glob(f"{prefix}-*"))
        if not found:
            pytest.skip("shared/examples is not available")
        examples[f"ex{prefix}"] = found[0]
    examples["features"] = FIXTURES / "policy_features"
    build_workspace(examples, tmp_path)
    count, problems = compare(tmp_path, terraform_aws(tmp_path))
    assert not problems, "\n".join(problems)
    assert count >= 45

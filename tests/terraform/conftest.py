"""Fixtures of the Terraform frontend tests: the terraform oracle and its plugin cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .oracle import Terraform, provider_unavailable_reason, unavailable_reason


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: differential tests against the terraform binary that take more than a few seconds "
        "(deselect with -m 'not slow'; WHY403_TF_CORPUS sets the size of the generated corpus)")


@pytest.fixture(scope="session")
def tf_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where provider binaries are cached between runs (inside .pytest_cache when available: not
    under ``-p no:cacheprovider``, as the landing command runs the suite)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("why403-terraform"))
    return tmp_path_factory.mktemp("terraform-cache")


@pytest.fixture()
def terraform(tmp_path: Path, tf_cache: Path) -> Callable[[Path], Terraform]:
    """A terraform runner for a working directory (outputs only: no provider needed)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)

    def make(workdir: Path) -> Terraform:
        return Terraform(workdir, tf_cache)

    return make


@pytest.fixture()
def terraform_aws(tmp_path: Path, tf_cache: Path) -> Callable[[Path], Terraform]:
    """A terraform runner that can plan AWS resources offline."""
    reason = provider_unavailable_reason()
    if reason:
        pytest.skip(reason)

    def make(workdir: Path) -> Terraform:
        return Terraform(workdir, tf_cache)

    return make

"""Test-wide settings: no test writes to the user's real parse cache."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache() -> Iterator[None]:
    """Point the default cache directory at a temporary one for the whole run."""
    with tempfile.TemporaryDirectory(prefix="why403-test-cache-") as tmp:
        old = os.environ.get("XDG_CACHE_HOME")
        os.environ["XDG_CACHE_HOME"] = tmp
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("XDG_CACHE_HOME", None)
            else:
                os.environ["XDG_CACHE_HOME"] = old

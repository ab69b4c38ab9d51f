"""The IAM action catalogue (cfn-lint's copy) and the spellings findings use for its actions."""

from __future__ import annotations

import pytest

from why403.policy import catalogue
from why403.policy.action_names import DISPLAY_NAMES

pytestmark = pytest.mark.skipif(not catalogue.available(), reason="cfn-lint's action catalogue is not installed")


def test_every_display_name_is_a_catalogued_action() -> None:
    """A conventional spelling for a name that is not an IAM action would dress up a typo as real."""
    missing = sorted(name for name in DISPLAY_NAMES.values() if catalogue.action_exists(name) is not True)
    assert missing == []


def test_display_names_are_keyed_by_their_lower_case() -> None:
    assert all(key == name.lower() for key, name in DISPLAY_NAMES.items())
    assert catalogue.display("S3:GETOBJECT") == "s3:GetObject"
    assert catalogue.display("s3:NotAThing") == "s3:NotAThing"


@pytest.mark.parametrize(("service", "pattern", "matches"), [
    ("s3", "Get*", True),
    ("s3", "get*", True),
    ("S3", "PUT*OBJECT", True),
    ("s3", "G?tObject", True),
    ("s3", "*", True),
    ("s3", "Frobnicate*", False),
    ("s3", "Put?bjectZ*", False),
    ("s3", "GetObject?", False),
    ("kms", "Decrypt*", True),
    ("s4", "*", False),
])
def test_any_action_matches(service: str, pattern: str, matches: bool) -> None:
    assert catalogue.any_action_matches(service, pattern) is matches

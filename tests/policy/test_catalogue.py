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

"""The IAM action catalogue (cfn-lint's copy) and the spellings findings use for its actions."""

from __future__ import annotations

import json

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


# -- decoding one service at a time --------------------------------------------------------------


@pytest.mark.parametrize("indent", [1, 2, 4, "\t"])
def test_a_service_decoded_alone_is_what_decoding_the_whole_file_gives(indent: int | str) -> None:
    document = {
        "s3": {"Actions": {"getobject": {"Resources": ["object"]}, "listbucket": {}}, "Resources": {}},
        "we\"ird\\name": {"Actions": {"x": {"Resources": ["a\nb", "c: {d}"]}}},
        "kms": {"Actions": {}, "Nested": {"s3": {"Actions": {"fake": {}}}}},
        "list": [1, {"s3": 2}],
        "empty": {},
    }
    text = json.dumps(document, indent=indent)
    parsed = catalogue._Catalogue(text)
    assert sorted(parsed.names()) == sorted(document)
    for name, value in document.items():
        assert parsed.get(name) == value
    assert parsed.get("missing") is None


def test_a_catalogue_not_pretty_printed_is_decoded_whole() -> None:
    document = {"s3": {"Actions": {"getobject": {}}}, "kms": {"Actions": {}}}
    parsed = catalogue._Catalogue(json.dumps(document))
    assert sorted(parsed.names()) == ["kms", "s3"] and parsed.get("s3") == document["s3"]
    assert catalogue._Catalogue("not json").names() == []


def test_the_shipped_catalogue_decodes_per_service_as_a_whole() -> None:
    path = catalogue.catalogue_path()
    if path is None:
        pytest.skip("cfn-lint's catalogue is not installed")
    text = path.read_text(encoding="utf-8")
    whole = json.loads(text)
    parsed = catalogue._Catalogue(text)
    assert parsed._starts, "cfn-lint's file is pretty-printed: the per-service path is the one taken"
    assert sorted(parsed.names()) == sorted(whole)
    assert all(parsed.get(name) == value for name, value in whole.items())

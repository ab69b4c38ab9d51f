"""Tokens stay whole through every cut the engine makes, and people never see their insides."""

from __future__ import annotations

import re

from why403.model import symbols
from why403.model.actor import role_session
from why403.model.arn import role_parts, split_s3_arn

PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _scoped(label: str, scope: str = "/repo/stacks/ingest.template.json") -> tuple[str, str]:
    with symbols.token_scope_roots(("/repo",)), symbols.token_scope(scope):
        return symbols.opaque(label), symbols.unknown(label)


def test_a_scoped_token_survives_the_arn_splits() -> None:
    bucket, _ = _scoped("DataBucket.bucket")
    assert split_s3_arn(f"arn:aws:s3:::{bucket}/exports/*") == (bucket, "exports/*")
    role, _ = _scoped("Uploader/Role:name *?")
    account, name = role_parts(f"arn:aws:iam::{symbols.HOME_ACCOUNT}:role/{role}")
    assert (account, name) == (symbols.HOME_ACCOUNT, role)
    session = role_session(f"arn:aws:iam::{symbols.HOME_ACCOUNT}:role/{role}")
    assert symbols.render(session.arn or "") == \
        "arn:aws:sts::<this unit's account>:assumed-role/<Uploader/Role:name *?>/why403-session"


def test_render_shows_labels_in_angle_brackets_and_nothing_private() -> None:
    bucket, var = _scoped("DataBucket.bucket")
    text = symbols.render(f"arn:aws:s3:::{bucket}/* in {symbols.HOME_REGION} of {symbols.HOME_ACCOUNT} by {var}")
    assert text == ("arn:aws:s3:::<DataBucket.bucket>/* in <this unit's region> of <this unit's account> "
                    "by <DataBucket.bucket>")
    assert not PRIVATE_USE.search(text) and "${" not in text


def test_a_label_quoting_a_token_reads_well_and_keeps_the_two_inputs_apart() -> None:
    a, _ = _scoped("DataBucket.bucket", "/repo/a.json")
    b, _ = _scoped("DataBucket.bucket", "/repo/b.json")
    assert a != b
    ua, ub = symbols.unknown(f"encryption of bucket {a}"), symbols.unknown(f"encryption of bucket {b}")
    assert ua != ub
    assert symbols.render(ua) == symbols.render(ub) == "<encryption of bucket <DataBucket.bucket>>"
    assert symbols.tri_equals(ua, ua) is True


def test_the_same_expression_is_one_symbol_and_differs_from_other_inputs() -> None:
    _, one = _scoped("var.bucket_name", "/repo/dev")
    _, again = _scoped("var.bucket_name", "/repo/dev")
    _, other = _scoped("var.bucket_name", "/repo/prod")
    assert one == again and one != other
    assert symbols.tri_equals(f"arn:aws:s3:::{one}", f"arn:aws:s3:::{again}") is True
    assert symbols.tri_equals(f"arn:aws:s3:::{one}", "arn:aws:s3:::logs") is None
    assert symbols.unknown_labels(f"arn:aws:s3:::{one}/*") == ["var.bucket_name"]

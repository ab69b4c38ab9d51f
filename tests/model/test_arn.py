"""ARNs are built, taken apart and matched by why403.model.arn alone."""

from __future__ import annotations

from why403.model import arn, symbols


def test_built_arns_parse_back_into_their_parts() -> None:
    built = arn.s3_access_point("eu-west-1", "111122223333", "ap")
    parsed = arn.Arn.parse(built)
    assert parsed == arn.Arn("aws", "s3", "eu-west-1", "111122223333", "accesspoint/ap")
    assert str(parsed) == built
    assert arn.Arn.parse("arn:aws:s3:::b/k:with:colons") == arn.Arn("aws", "s3", "", "", "b/k:with:colons")
    assert arn.Arn.parse("not-an-arn") is None
    assert arn.Arn.parse("urn:aws:s3:::b") is None


def test_builders_spell_each_kind_as_aws_does() -> None:
    assert arn.account_root("111122223333") == "arn:aws:iam::111122223333:root"
    assert arn.account_root("111122223333", partition="aws-cn") == "arn:aws-cn:iam::111122223333:root"
    assert arn.iam_role("1", "app") == "arn:aws:iam::1:role/app"
    assert arn.assumed_role("1", "app", "s") == "arn:aws:sts::1:assumed-role/app/s"
    assert arn.s3_bucket("b") == "arn:aws:s3:::b"
    assert arn.s3_object("b", "k/x") == "arn:aws:s3:::b/k/x"
    assert arn.kms_key("r", "1", "k") == "arn:aws:kms:r:1:key/k"
    assert arn.kms_alias("r", "1", "alias/aws/s3") == "arn:aws:kms:r:1:alias/aws/s3"


def test_accounts_named_as_a_whole() -> None:
    assert arn.account_of_root("arn:aws:iam::111122223333:root") == "111122223333"
    assert arn.account_of_root("arn:aws:iam::111122223333:role/x") is None
    assert arn.literal_account_of("111122223333") == "111122223333"
    assert arn.literal_account_of(arn.account_root(symbols.HOME_ACCOUNT)) is None
    assert arn.role_parts("arn:aws:iam::1:role/path/app") == ("1", "app")
    assert arn.role_parts("app") == (None, "app")


def test_service_linked_roles_are_those_under_the_aws_service_role_path() -> None:
    slr = "arn:aws:iam::111122223333:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMR"
    assert arn.is_service_linked_role(slr)
    assert not arn.is_service_linked_role("arn:aws:iam::111122223333:role/service-role/AWSServiceRoleForEMR")
    assert not arn.is_service_linked_role("arn:aws:iam::111122223333:role/AWSServiceRoleForEMR")
    assert not arn.is_service_linked_role("arn:aws:sts::111122223333:assumed-role/aws-service-role/x")
    assert not arn.is_service_linked_role(None)


def test_s3_arns_split_into_bucket_and_key_pattern() -> None:
    assert arn.split_s3_arn("arn:aws:s3:::b/in/*") == ("b", "in/*")
    assert arn.split_s3_arn("arn:aws:s3:::b") == ("b", None)
    assert arn.split_s3_arn("arn:aws:s3:::b*/x") is None
    ap = "arn:aws:s3:r:1:accesspoint/ap"
    assert arn.split_access_point_arn(ap + "/object/k") == (ap, "k")


def test_an_account_is_named_whatever_the_partition_of_its_root_arn() -> None:
    assert arn.names_account("arn:aws-cn:iam::111122223333:root", "111122223333") is True
    assert arn.names_account("arn:aws:iam::111122223333:root", "111122223333") is True
    assert arn.names_account("arn:aws:iam::111122223333:root", "444455556666") is False
    assert arn.names_account("arn:aws:iam::111122223333:role/r", "111122223333") is False
    assert arn.names_account(arn.account_root(symbols.unknown("acct")), "111122223333") is None
    assert arn.partition_of_arn("arn:aws-us-gov:iam::1:role/r") == "aws-us-gov"
    assert arn.partition_of_arn(None) == "aws"


def test_a_resource_pattern_shorter_than_six_parts_spans_colons_only_at_a_segment_final_star() -> None:
    """IAM JSON policy elements: Resource -- ``*`` and ``?`` within each segment; a ``*`` that is
    the last character of a segment may match past the colons that follow (access-model 6.5)."""
    from why403.model.glob import glob_matches

    vectors = {
        "arn:aws:s3:::b/*": ["arn", "aws", "s3", "", "", "b/*"],
        "arn:aws:sns:*:*": ["arn", "aws", "sns", "*", "*", "*"],
        "arn:aws:sns:*:alerts": ["arn", "aws", "sns", "*", "*", "alerts"],
        "arn:aws:logs:*": ["arn", "aws", "logs", "*", "*", "*"],
        "arn:aws:*": ["arn", "aws", "*", "*", "*", "*"],  # a wildcard in the service: AWS does not allow it
        "arn:*": ["arn", "*", "*", "*", "*", "*"],
        "arn:aws*:s3:*": ["arn", "aws*", "s3", "*", "*", "*"],  # the last star spans: the service stays s3
        "arn:aws:sns:?:alerts": None,  # ``?`` is one character, never a colon
        "arn:aws:sns": None,
        "data-bkt/*": None,
    }
    for pattern, parts in vectors.items():
        assert arn.pattern_parts(pattern) == parts, pattern
    # The reading is the matcher's: the pattern and its six parts match the same ARNs.
    for pattern, value in [("arn:aws:sns:*:alerts", "arn:aws:sns:eu-west-1:111122223333:alerts"),
                           ("arn:aws:*", "arn:aws:s3:::b/k"), ("arn:aws:logs:*", "arn:aws:logs:r:1:log-group:g:*")]:
        six = ":".join(arn.pattern_parts(pattern) or [])
        assert glob_matches(pattern, value, "resource") and glob_matches(six, value, "resource"), pattern
    assert not glob_matches("arn:aws:sns:?:alerts", "arn:aws:sns:eu-west-1:111122223333:alerts", "resource")

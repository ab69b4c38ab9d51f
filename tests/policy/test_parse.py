"""The policy grammar (access-model 6.1, 6.3-6.7): every element, and every problem the parser and
the validator report, with its location.

Problems are reported, never raised. Each row of the problem table names the document, the policy
kind, the problem code, its severity (``error`` where AWS refuses the document, ``warning`` where
it stores it but the statement never does what it reads) and the line it must point at.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from why403.model import symbols
from why403.model.location import Location, Problem
from why403.model.policy import BASE_OPERATORS, Policy, PolicyKind, PrincipalEntry
from why403.model.values import MaybePresent, Unknown
from why403.policy.parse import parse_policy
from why403.policy.parse_elements import parse_operator

K = PolicyKind
AT = Location("infra/policy.json", 10)
OBJ = "arn:aws:s3:::data-bkt/*"
BKT = "arn:aws:s3:::data-bkt"


def stmt(**changes: Any) -> dict[str, Any]:
    """A valid identity statement; ``None`` removes an element."""
    base: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJ}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def doc(*statements: Any, **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def parse(source: Any, kind: PolicyKind = K.IDENTITY) -> Policy:
    return parse_policy(source, kind, origin="test", location=AT)


def codes(p: Policy) -> list[tuple[str, str]]:
    return [(x.code, x.severity) for x in p.problems]


# ==================================================================================================
# Elements that parse
# ==================================================================================================


class TestElements:
    def test_a_valid_document_has_no_problem(self) -> None:
        p = parse(doc(stmt(Sid="Read")), K.IDENTITY)
        assert p.problems == () and p.is_valid
        (s,) = p.statements
        assert (s.sid, s.effect, s.actions, s.resources) == ("Read", "Allow", ("s3:GetObject",), (OBJ,))
        assert s.location == AT and s.label == "Read"

    @pytest.mark.parametrize("version", ["2012-10-17", "2008-10-17", None])
    def test_versions(self, version: str | None) -> None:
        source = {"Statement": [stmt()]} if version is None else {"Version": version, "Statement": [stmt()]}
        p = parse(source)
        assert p.problems == ()
        assert p.version == version
        assert p.substitutes_variables is (version == "2012-10-17")

    def test_statement_may_be_a_single_object(self) -> None:
        p = parse({"Version": "2012-10-17", "Statement": stmt()})
        assert len(p.statements) == 1 and p.problems == ()

    def test_empty_statement_list_is_a_policy_with_no_statements(self) -> None:
        """Ambiguity A26: an empty Statement array is 'no statements', not a problem."""
        p = parse(doc(), K.BUCKET)
        assert p.statements == () and p.problems == () and p.unknown is None

    def test_a_string_replaces_a_one_element_list(self) -> None:
        one = parse(doc(stmt(Action="s3:GetObject", Resource=OBJ)))
        many = parse(doc(stmt(Action=["s3:GetObject"], Resource=[OBJ])))
        assert one.statements[0].actions == many.statements[0].actions
        assert one.statements[0].resources == many.statements[0].resources

    def test_not_action_and_not_resource(self) -> None:
        p = parse(doc(stmt(Action=None, NotAction="s3:DeleteBucket", Resource=None, NotResource=BKT)))
        (s,) = p.statements
        assert (s.actions, s.not_actions, s.resources, s.not_resources) == (None, ("s3:DeleteBucket",), None, (BKT,))
        assert p.problems == ()

    @pytest.mark.parametrize(
        ("principal", "entries"),
        [
            ("*", [PrincipalEntry("*", "*")]),
            ({"AWS": "*"}, [PrincipalEntry("AWS", "*")]),
            ({"AWS": "111111111111"}, [PrincipalEntry("AWS", "arn:aws:iam::111111111111:root")]),
            ({"AWS": "arn:aws:iam::111111111111:root"}, [PrincipalEntry("AWS", "arn:aws:iam::111111111111:root")]),
            ({"AWS": "arn:aws:iam::111111111111:user/alice"},
             [PrincipalEntry("AWS", "arn:aws:iam::111111111111:user/alice")]),
            ({"AWS": ["arn:aws:iam::111111111111:role/App", "arn:aws:sts::111111111111:assumed-role/App/s1"]},
             [PrincipalEntry("AWS", "arn:aws:iam::111111111111:role/App"),
              PrincipalEntry("AWS", "arn:aws:sts::111111111111:assumed-role/App/s1")]),
            ({"AWS": "arn:aws:sts::111111111111:federated-user/bob"},
             [PrincipalEntry("AWS", "arn:aws:sts::111111111111:federated-user/bob")]),
            ({"AWS": "AROAEXAMPLEROLEID0001"}, [PrincipalEntry("AWS", "AROAEXAMPLEROLEID0001")]),
            ({"Service": "logging.s3.amazonaws.com"}, [PrincipalEntry("Service", "logging.s3.amazonaws.com")]),
            ({"Federated": "cognito-identity.amazonaws.com"},
             [PrincipalEntry("Federated", "cognito-identity.amazonaws.com")]),
            ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
             [PrincipalEntry("CanonicalUser", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be")]),
        ],
        ids=["star", "aws-star", "account-id", "account-root", "user", "role-and-session", "federated-user",
             "unique-id", "service", "federated", "canonical-user"],
    )
    def test_principal_forms(self, principal: Any, entries: list[PrincipalEntry]) -> None:
        p = parse(doc(stmt(Principal=principal)), K.BUCKET)
        assert p.statements[0].principals == tuple(entries)
        assert p.problems == ()

    def test_wildcard_principals(self) -> None:
        assert PrincipalEntry("*", "*").is_wildcard and PrincipalEntry("AWS", "*").is_wildcard
        assert not PrincipalEntry("AWS", "arn:aws:iam::111111111111:root").is_wildcard

    def test_not_principal_with_deny(self) -> None:
        p = parse(doc(stmt(Effect="Deny", NotPrincipal={"AWS": ["111111111111"]})), K.BUCKET)
        assert p.statements[0].not_principals == (PrincipalEntry("AWS", "arn:aws:iam::111111111111:root"),)
        assert p.statements[0].principals is None and p.problems == ()

    @pytest.mark.parametrize("operator", sorted(BASE_OPERATORS))
    def test_every_operator_parses_alone_with_if_exists_and_with_set_prefixes(self, operator: str) -> None:
        value = "true" if operator in ("Null", "Bool") else "x"
        forms = [operator] if operator == "Null" else [
            operator, f"{operator}IfExists", f"ForAnyValue:{operator}", f"ForAllValues:{operator}IfExists"]
        for form in forms:
            p = parse(doc(stmt(Condition={form: {"aws:SomeKey": value}})))
            assert p.problems == (), form
            (c,) = p.statements[0].conditions
            set_op, base, if_exists = parse_operator(form) or (None, "", False)
            assert (c.operator, c.base, c.set_op, c.if_exists, c.key, c.values) == \
                (form, operator, set_op, if_exists, "aws:SomeKey", (value,))
            assert base == operator

    def test_conditions_keep_every_key_and_value(self) -> None:
        """AND across operators and keys, OR across the values of one key (evaluated in conditions.py)."""
        block = {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"], "aws:PrincipalAccount": "111111111111"},
                 "Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": 10}}
        p = parse(doc(stmt(Condition=block)))
        got = {(c.base, c.key): c.values for c in p.statements[0].conditions}
        assert got == {("StringEquals", "aws:PrincipalTag/team"): ("red", "blue"),
                       ("StringEquals", "aws:PrincipalAccount"): ("111111111111",),
                       ("Bool", "aws:SecureTransport"): ("true",),
                       ("NumericLessThan", "s3:max-keys"): ("10",)}
        assert p.problems == ()

    @pytest.mark.parametrize("variable", ["${aws:username}", "${aws:PrincipalTag/team, 'none'}", "${*}", "${?}",
                                          "${$}"])
    def test_policy_variables_are_kept_for_evaluation(self, variable: str) -> None:
        resource = f"arn:aws:s3:::data-bkt/home/{variable}/*"
        p = parse(doc(stmt(Resource=resource, Condition={"StringLike": {"s3:prefix": f"home/{variable}/"}})))
        assert p.statements[0].resources == (resource,)
        assert p.statements[0].conditions[0].values == (f"home/{variable}/",)
        assert p.problems == ()

    def test_unknown_markers_make_parts_unknown_not_problems(self) -> None:
        p = parse(doc(stmt(Resource=Unknown("var.bucket has no value")), MaybePresent(stmt(), "a condition")))
        first, second = p.statements
        assert symbols.is_entirely_unknown(first.resources[0]) if first.resources else False
        assert second.maybe == "a condition" and p.problems == ()
        assert parse(Unknown("no value")).unknown == "no value"

    def test_trust_policies_need_no_resource(self) -> None:
        p = parse(doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                       "Action": "sts:AssumeRole"}), K.TRUST)
        assert p.statements[0].resources == ("*",) and p.problems == ()


# ==================================================================================================
# Problems
# ==================================================================================================

PROBLEMS: list[tuple[str, Any, PolicyKind, str, str, str]] = [
    # (id, source, kind, code, severity, words in the message)
    ("not-json", '{"Version": "2012-10-17", Statement: []}', K.BUCKET, "json", "error", "not valid JSON"),
    ("empty-text", "   \n", K.BUCKET, "json", "error", "empty"),
    ("json-null", "null", K.BUCKET, "type", "error", "not null"),
    ("top-level-list", "[1, 2]", K.BUCKET, "type", "error", "JSON object, not a list"),
    ("top-level-string", '"Allow"', K.BUCKET, "type", "error", "JSON object, not a string"),
    ("no-statement", {"Version": "2012-10-17"}, K.IDENTITY, "element", "error", "no Statement"),
    ("statement-string", {"Statement": "x"}, K.IDENTITY, "type", "error", "Statement must be an object or a list"),
    ("statement-item-number", doc(1), K.IDENTITY, "type", "error", "statement 0 must be an object"),
    ("unknown-top-element", doc(stmt(), Foo=1), K.IDENTITY, "element", "error", "unknown top-level element 'Foo'"),
    ("unknown-statement-element", doc(stmt(Actions="s3:GetObject")), K.IDENTITY, "element", "error",
     "unknown element 'Actions'"),
    ("bad-version", doc(stmt(), Version="2012-10-18"), K.IDENTITY, "version", "error", "2012-10-18"),
    ("version-number", doc(stmt(), Version=2012), K.IDENTITY, "version", "error", "2012"),
    ("id-not-string", doc(stmt(), Id=["x"]), K.BUCKET, "type", "error", "Id must be a string"),
    ("id-in-identity-policy", doc(stmt(), Id="x"), K.IDENTITY, "element", "warning", "Id is not allowed"),
    ("sid-not-string", doc(stmt(Sid=3)), K.IDENTITY, "type", "error", "Sid must be a string"),
    ("effect-lower-case", doc(stmt(Effect="allow")), K.IDENTITY, "effect", "error", "case-sensitive"),
    ("effect-missing", doc(stmt(Effect=None)), K.IDENTITY, "effect", "error", "Effect must be"),
    ("effect-list", doc(stmt(Effect=["Allow"])), K.IDENTITY, "effect", "error", "not a list"),
    ("action-missing", doc(stmt(Action=None)), K.IDENTITY, "action", "error", "no Action or NotAction"),
    ("action-and-not-action", doc(stmt(NotAction="s3:PutObject")), K.IDENTITY, "action", "error",
     "cannot both be used"),
    ("action-empty-list", doc(stmt(Action=[])), K.IDENTITY, "type", "error", "Action is empty"),
    ("action-object", doc(stmt(Action={"s3": "GetObject"})), K.IDENTITY, "type", "error",
     "Action values must be strings, not an object"),
    ("resource-missing", doc(stmt(Resource=None)), K.IDENTITY, "resource", "error", "no Resource or NotResource"),
    ("resource-and-not-resource", doc(stmt(NotResource="*")), K.IDENTITY, "resource", "error", "cannot both"),
    ("principal-in-identity-policy", doc(stmt(Principal="*")), K.IDENTITY, "principal", "error", "not allowed"),
    ("principal-in-scp", doc(stmt(Principal="*")), K.SCP, "principal", "error", "not allowed in a scp policy"),
    ("principal-missing-in-bucket-policy", doc(stmt()), K.BUCKET, "principal", "error", "needs a Principal"),
    ("principal-missing-in-key-policy", doc(stmt(Action="kms:Decrypt", Resource="*")), K.KEY, "principal",
     "error", "needs a Principal"),
    ("principal-arn-string", doc(stmt(Principal="arn:aws:iam::111111111111:root")), K.BUCKET, "principal",
     "error", "must be \"*\" or an object"),
    ("principal-list", doc(stmt(Principal=["*"])), K.BUCKET, "type", "error", "not a list"),
    ("principal-unknown-type", doc(stmt(Principal={"Aws": "111111111111"})), K.BUCKET, "principal", "error",
     "unknown principal type 'Aws'"),
    ("principal-not-an-arn", doc(stmt(Principal={"AWS": "alice"})), K.BUCKET, "principal", "error",
     "invalid AWS principal 'alice'"),
    ("principal-and-not-principal", doc(stmt(Principal="*", NotPrincipal={"AWS": "111111111111"})), K.BUCKET,
     "element", "error", "Principal and NotPrincipal cannot both"),
    ("not-principal-with-allow", doc(stmt(NotPrincipal={"AWS": "111111111111"})), K.BUCKET, "notprincipal",
     "warning", "NotPrincipal with Allow"),
    ("condition-not-object", doc(stmt(Condition=["x"])), K.IDENTITY, "type", "error", "Condition must be an object"),
    ("condition-block-not-object", doc(stmt(Condition={"StringEquals": "x"})), K.IDENTITY, "type", "error",
     "must map keys to values"),
    ("unknown-operator", doc(stmt(Condition={"StringEqualz": {"aws:SourceVpce": "v"}})), K.IDENTITY,
     "condition", "error", "unknown condition operator 'StringEqualz'"),
    ("unknown-set-prefix", doc(stmt(Condition={"ForSomeValues:StringEquals": {"k": "v"}})), K.IDENTITY,
     "condition", "error", "ForSomeValues:StringEquals"),
    ("null-if-exists", doc(stmt(Condition={"NullIfExists": {"k": "true"}})), K.IDENTITY, "condition", "error",
     "NullIfExists"),
    ("null-with-set-operator", doc(stmt(Condition={"ForAnyValue:Null": {"k": "true"}})), K.IDENTITY, "condition",
     "error", "ForAnyValue:Null"),
    ("condition-key-without-values", doc(stmt(Condition={"StringEquals": {"k": []}})), K.IDENTITY, "condition",
     "warning", "has no values"),
    ("null-not-boolean", doc(stmt(Condition={"Null": {"k": "yes"}})), K.IDENTITY, "condition", "error",
     "Null takes"),
    ("bool-not-boolean", doc(stmt(Condition={"Bool": {"k": "yes"}})), K.IDENTITY, "condition", "warning",
     "Bool takes"),
    # the validator: the IAM action catalogue and ARN shapes
    ("unknown-action-hint", doc(stmt(Action="s3:ListObjectsV2", Resource=BKT)), K.IDENTITY, "unknown-action",
     "warning", "s3:ListObjectsV2 is not an IAM action, so it never matches; the API operation is authorized by "
                "s3:ListBucket"),
    ("api-name-beside-its-permission", doc(stmt(Effect="Deny", Action=["s3:HeadObject", "s3:GetObject*"])),
     K.IDENTITY, "api-name-beside-permission", "warning", "s3:HeadObject is not an IAM action"),
    ("unknown-action-in-bucket-policy", doc(stmt(Principal="*", Action="s3:GetObjects")), K.BUCKET,
     "unknown-action", "error", "s3:GetObjects is not an IAM action"),
    ("unknown-service", doc(stmt(Action="s4:GetObject")), K.IDENTITY, "unknown-service", "warning", "'s4'"),
    ("action-not-service-colon-name", doc(stmt(Action="s3GetObject")), K.IDENTITY, "action-shape", "warning",
     "not of the form service:Action"),
    ("wildcard-matches-nothing", doc(stmt(Action="s3:Frobnicate*")), K.IDENTITY, "wildcard-matches-nothing",
     "warning", "matches no s3 action"),
    ("wildcard-matches-nothing-in-bucket-policy", doc(stmt(Principal="*", Action="s3:Put?bjectZ*")), K.BUCKET,
     "wildcard-matches-nothing", "error", "matches no s3 action"),
    ("malformed-arn", doc(stmt(Resource="data-bkt/*")), K.IDENTITY, "malformed-arn", "warning", "is not an ARN"),
    ("arn-without-resource-part", doc(stmt(Resource="arn:aws:s3:::")), K.IDENTITY, "malformed-arn", "warning",
     "is not an ARN"),
    ("arn-too-few-parts", doc(stmt(Resource="arn:aws:s3:data-bkt")), K.IDENTITY, "malformed-arn", "warning",
     "is not an ARN"),
    ("arn-wildcard-service", doc(stmt(Resource="arn:aws:s*:::data-bkt/*")), K.IDENTITY, "malformed-arn",
     "warning", "wildcards are not allowed in the service part"),
    ("object-action-on-bucket-arn", doc(stmt(Principal="*", Resource=BKT)), K.BUCKET, "object-action-on-bucket",
     "error", "s3:GetObject applies to objects, but the statement only names bucket ARNs"),
    ("object-action-on-bucket-arn-identity", doc(stmt(Resource=BKT)), K.IDENTITY, "object-action-on-bucket",
     "warning", "add /* to the ARN"),
    ("bucket-action-on-object-arn", doc(stmt(Principal="*", Action="s3:ListBucket")), K.BUCKET,
     "bucket-action-on-object", "error", "s3:ListBucket applies to the bucket, but the statement only names object"),
    ("bucket-action-on-object-arn-identity", doc(stmt(Action="s3:ListBucket")), K.IDENTITY,
     "bucket-action-on-object", "warning", "use the bucket ARN without /*"),
]


@pytest.mark.parametrize(("source", "kind", "code", "severity", "words"), [p[1:] for p in PROBLEMS],
                         ids=[p[0] for p in PROBLEMS])
def test_problem(source: Any, kind: PolicyKind, code: str, severity: str, words: str) -> None:
    p = parse(source, kind)
    found = [x for x in p.problems if x.code == code]
    assert found, codes(p)
    assert found[0].severity == severity
    assert words in found[0].message, found[0].message
    assert found[0].location is not None and found[0].location.file == AT.file
    assert p.is_valid is (not any(x.severity == "error" for x in p.problems))


def test_valid_neighbours_of_the_problem_rows_are_clean() -> None:
    """The rows above fail because of what they change, not because the base statement is wrong."""
    for kind, source in [
        (K.IDENTITY, doc(stmt())),
        (K.BUCKET, doc(stmt(Principal="*"))),
        (K.BUCKET, doc(stmt(Principal="*", Action="s3:ListBucket", Resource=BKT))),
        (K.IDENTITY, doc(stmt(Action="s3:Get*"))),
        (K.KEY, doc(stmt(Principal="*", Action="kms:Decrypt", Resource="*"))),
    ]:
        assert parse(source, kind).problems == (), source


@pytest.mark.parametrize("resource", ["arn:aws:sns:*:*", "arn:aws:states:*", "arn:aws:logs:*", "arn:aws:s3:*",
                                      "arn:aws:sns:*:alerts", "arn:aws:sns:us-east-1*:alerts"])
def test_a_star_ending_a_segment_is_an_arn(resource: str) -> None:
    """A ``*`` that ends an ARN segment runs on past the colons after it (access-model 6.5), so
    ``arn:aws:sns:*:*`` matches every topic and ``arn:aws:sns:*:alerts`` the topic ``alerts`` of
    every region and account: IAM stores them and they match, they are not malformed."""
    deny_topics = stmt(Effect="Deny", Action="sns:Publish", Resource=resource)
    assert parse(doc(stmt(), deny_topics)).problems == ()


@pytest.mark.parametrize(("resource", "words"), [
    ("arn:aws:sns:?:alerts", "is not an ARN"),  # ``?`` is one character: it runs past no colon
    ("arn:aws::*", "is not an ARN"),  # no service
    ("arn:aws:sns", "is not an ARN"),
    ("arn:aws:*", "wildcards are not allowed in the service part"),  # the star spans from the service on
    ("arn:*", "wildcards are not allowed in the service part"),
    ("arn:aws:sns*:alerts", "wildcards are not allowed in the service part"),
])
def test_a_short_arn_without_that_star_or_with_it_in_the_service_is_still_malformed(resource: str,
                                                                                    words: str) -> None:
    found = [x for x in parse(doc(stmt(Resource=resource))).problems if x.code == "malformed-arn"]
    assert found and words in found[0].message, (resource, found)


def test_duplicate_elements_are_refused() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Effect": "Deny",\n' \
           ' "Action": "s3:GetObject", "Resource": "*"}]}'
    p = parse(text)
    dup = [x for x in p.problems if x.code == "duplicate"]
    assert dup and "'Effect' appears twice" in dup[0].message
    assert dup[0].location == Location(AT.file, AT.line + 1)


def test_a_broken_statement_does_not_hide_the_others() -> None:
    p = parse(doc(stmt(Effect="allow"), stmt(Sid="Good"), 42, stmt(Action=None), stmt(Sid="AlsoGood")))
    assert [s.sid for s in p.statements] == ["Good", "AlsoGood"]
    assert [x.code for x in p.problems] == ["effect", "type", "action"]


# ==================================================================================================
# Locations
# ==================================================================================================

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "One",
      "Effect": "Allow",
      "Action": "s3:ListObjectsV2",
      "Resource": "arn:aws:s3:::data-bkt"
    },
    {"Sid": "Two", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-bkt"},

    {"Sid": "Three", "Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}
  ]
}"""


class TestLocations:
    def test_each_statement_gets_its_own_line(self) -> None:
        p = parse(TEXT, K.IDENTITY)
        assert [(s.sid, s.location) for s in p.statements] == [
            ("One", Location(AT.file, AT.line + 3)), ("Two", Location(AT.file, AT.line + 9))]

    def test_problems_point_at_their_statement(self) -> None:
        p = parse(TEXT, K.IDENTITY)
        where = {x.code: x.location for x in p.problems}
        assert where == {
            "unknown-action": Location(AT.file, AT.line + 3),
            "object-action-on-bucket": Location(AT.file, AT.line + 9),
            "effect": Location(AT.file, AT.line + 11),
        }

    def test_json_errors_point_at_the_line_of_the_error(self) -> None:
        broken = TEXT.replace('"Sid": "Two",', '"Sid": "Two"')
        p = parse(broken)
        (problem,) = p.problems
        assert problem.code == "json" and problem.location == Location(AT.file, AT.line + 9)
        assert "line 10" in problem.message
        assert p.unknown is not None and p.statements == ()

    def test_frontend_supplied_statement_locations_win(self) -> None:
        locs = [Location("main.tf", 40), Location("main.tf", 52)]
        p = parse_policy(doc(stmt(), stmt(Effect="Nope")), K.IDENTITY, location=AT, statement_locations=locs)
        assert p.statements[0].location == locs[0]
        assert p.problems[0].location == locs[1]

    def test_without_a_location_problems_still_come_back(self) -> None:
        p = parse_policy("{", K.BUCKET)
        assert [x.code for x in p.problems] == ["json"] and p.problems[0].location is None

    def test_statement_offsets_survive_strings_with_brackets(self) -> None:
        text = json.dumps(doc(stmt(Sid="a[{,"), stmt(Sid='b"]}'), stmt(Sid="c")), indent=2)
        p = parse(text)
        lines = [s.location.line for s in p.statements if s.location is not None]
        assert len(lines) == 3 and lines == sorted(lines) and len(set(lines)) == 3
        starts = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "{" and i > 0]
        assert [ln - AT.line + 1 for ln in lines] == starts


def test_problem_is_plain_data() -> None:
    assert Problem("json", "m", AT) == Problem("json", "m", AT, "error")


def test_a_condition_key_without_values_is_kept_with_an_unknown_value() -> None:
    """Dropped, the condition would leave the statement unconditional: a Principal "*" grant
    narrowed by aws:SourceIp would read as public. What AWS does with the empty list (refuse the
    document, or match no request) is not documented: the value is unknown."""
    p = parse(doc(stmt(Principal="*", Condition={"IpAddress": {"aws:SourceIp": []}})), K.BUCKET)
    assert [pr.message for pr in p.problems] == ["statement 0: IpAddress aws:SourceIp has no values"]
    (cond,) = p.statements[0].conditions
    assert (cond.base, cond.key) == ("IpAddress", "aws:SourceIp")
    assert len(cond.values) == 1 and symbols.is_entirely_unknown(cond.values[0])

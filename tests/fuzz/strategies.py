"""Hypothesis strategies for hostile inputs: policy documents, Terraform expressions, CloudFormation
intrinsics. They mix well-formed shapes (so that deep code paths are reached) with junk at every
level (wrong types, wrong arities, huge and negative numbers, tokens, NUL and surrogate-free
unicode). The bench/fuzz_*.py atheris harnesses reuse the builders on their own byte streams.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from why403.model import symbols

# Hand runs: WHY403_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/fuzz
EXAMPLES = int(os.environ.get("WHY403_FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> settings:
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=not EXAMPLES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


TOKENS = [symbols.HOME_ACCOUNT, symbols.HOME_REGION, symbols.unknown("var.x"), symbols.opaque("k"),
          symbols.OPEN, symbols.CLOSE, symbols.OPEN + "q" + symbols.CLOSE]
WORDS = ["*", "?", "s3:*", "s3:GetObject", "kms:Decrypt", "arn:aws:s3:::b/*", "arn:aws:iam::123456789012:root",
         "123456789012", "aws:SourceVpce", "${aws:username}", "${", "}", "Allow", "Deny", "2012-10-17", "",
         "AWS", "Service", "ec2.amazonaws.com", "arn:aws:kms:*:*:key/*", "arn:", ":::", "a" * 300]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(WORDS), st.sampled_from(TOKENS),
    st.text(max_size=30),
)


def json_like(leaves: st.SearchStrategy[Any] = scalars, depth: int = 4) -> st.SearchStrategy[Any]:
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)),
                                                     inner, max_size=4)), max_leaves=depth * 6)


# -- IAM policies ------------------------------------------------------------------------------

EFFECTS = st.sampled_from(["Allow", "Deny", "allow", "", "Maybe"])
OPERATORS = st.sampled_from(["StringEquals", "StringLike", "StringNotEquals", "ArnLike", "ArnNotLike", "Bool",
                             "IpAddress", "NotIpAddress", "NumericLessThan", "DateGreaterThan", "Null",
                             "ForAnyValue:StringLike", "ForAllValues:StringEquals", "StringEqualsIfExists",
                             "ForAnyValue:Bogus", "NumericEquals", "BinaryEquals", "Garbage"])
CONDITION_KEYS = st.sampled_from(["aws:SourceVpce", "aws:PrincipalArn", "aws:SecureTransport", "kms:ViaService",
                                  "s3:x-amz-server-side-encryption", "aws:SourceIp", "aws:PrincipalOrgID",
                                  "aws:userid", "kms:CallerAccount", "s3:prefix", "aws:CurrentTime", "x"])
strings_or_lists = st.one_of(st.sampled_from(WORDS), st.sampled_from(TOKENS),
                             st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(TOKENS), scalars), max_size=4),
                             scalars)
principals = st.one_of(
    st.just("*"), scalars,
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Bogus"]), strings_or_lists,
                    max_size=3),
)
conditions = st.one_of(
    scalars,
    st.dictionaries(OPERATORS, st.one_of(scalars, st.dictionaries(CONDITION_KEYS, strings_or_lists, max_size=3)),
                    max_size=3),
)
STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                  "Condition", "Bogus"]


@st.composite
def statements(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(json_like())
    stmt: dict[str, Any] = {"Effect": draw(EFFECTS)}
    for key in draw(st.lists(st.sampled_from(STATEMENT_KEYS), max_size=6, unique=True)):
        if key in ("Principal", "NotPrincipal"):
            stmt[key] = draw(principals)
        elif key == "Condition":
            stmt[key] = draw(conditions)
        elif key == "Effect":
            stmt[key] = draw(st.one_of(EFFECTS, scalars))
        else:
            stmt[key] = draw(strings_or_lists)
    return stmt


@st.composite
def policy_documents(draw: st.DrawFn) -> Any:
    """A JSON-like policy value: mostly policy-shaped, sometimes anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_like())
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["Version"] = draw(st.one_of(st.sampled_from(["2012-10-17", "2008-10-17"]), scalars))
    if draw(st.integers(0, 5)):
        doc["Statement"] = draw(st.one_of(st.lists(statements(), max_size=4), statements()))
    if draw(st.integers(0, 5)) == 0:
        doc[draw(st.sampled_from(["Id", "Bogus", "statement"]))] = draw(scalars)
    return doc


@st.composite
def policy_texts(draw: st.DrawFn) -> str:
    """JSON text of a policy, sometimes cut, spliced or duplicated-key."""
    text = json.dumps(draw(policy_documents()), allow_nan=True)
    damage = draw(st.integers(0, 5))
    if damage == 1 and text:
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == 2:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=10)) + text[at:]
    elif damage == 3:
        text = text.replace('"Effect"', '"Effect": "Deny", "Effect"', 1)
    elif damage == 4:
        text = "[" * draw(st.integers(1, 3000)) + text
    return text


# -- Terraform expressions --------------------------------------------------------------------

TF_NAMES = ["var.a", "var.l", "var.m", "var.u", "local.x", "local.s", "each.key", "count.index", "path.module",
            "aws_s3_bucket.b.arn", "module.m.out", "data.aws_caller_identity.c.account_id", "self", "x"]
TF_FUNCS = ["jsonencode", "jsondecode", "concat", "merge", "lookup", "element", "length", "format", "join",
            "split", "replace", "regex", "regexall", "coalesce", "flatten", "distinct", "toset", "tolist",
            "tomap", "keys", "values", "zipmap", "range", "substr", "upper", "lower", "trimspace", "try", "can",
            "tostring", "tonumber", "tobool", "contains", "slice", "setproduct", "formatlist", "cidrsubnet",
            "base64encode", "base64decode", "md5", "sha256", "file", "templatefile", "abs", "ceil", "floor",
            "max", "min", "pow", "parseint", "signum", "reverse", "sort", "compact", "chunklist", "transpose",
            "one", "sum", "startswith", "endswith", "strrev", "indent", "title", "nonsensical"]
tf_literals = st.one_of(
    st.integers(-(2**65), 2**65).map(str), st.sampled_from(["true", "false", "null", "0.5", "1e400", "-0", "1e-400"]),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters='"\\$%\n'), max_size=12).map(
        lambda s: json.dumps(s)),
    st.sampled_from(['"${var.a}-x"', '"%{ if true }y%{ endif }"', '"$${x}"', '"a\\u0041"',
                     '"%{for v in var.l}${v}%{endfor}"', '"arn:aws:s3:::${var.a}/*"']),
)


def tf_expressions(max_leaves: int = 12) -> st.SearchStrategy[str]:
    """Expression text in Terraform's native syntax (sometimes invalid)."""
    leaves = st.one_of(tf_literals, st.sampled_from(TF_NAMES))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(st.sampled_from(TF_FUNCS), st.lists(inner, max_size=3), st.booleans()).map(
                lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"),
            st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(st.tuples(st.one_of(st.sampled_from(["a", "b", '"k"', "(var.a)"]), inner), inner), max_size=3).map(
                lambda kvs: "{" + ", ".join(f"{k[0]} = {v}" for k, v in kvs) + "}"),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
            st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: f"{t[0]}{t[1]}"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(inner, st.sampled_from(["a", "b", "arn", "0"])).map(lambda t: f"({t[0]}).{t[1]}"),
            st.tuples(inner, st.sampled_from(["[*].a", ".*.b", "[*]"])).map(lambda t: f"({t[0]}){t[1]}"),
            st.tuples(inner, inner, st.booleans()).map(
                lambda t: f"[for k, v in {t[0]} : {t[1]} if v != null]" if t[2]
                else f"{{for v in {t[0]} : v => {t[1]}...}}"),
            st.tuples(inner, st.text(max_size=3)).map(lambda t: t[0] + t[1]),  # a stray character
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


# -- CloudFormation intrinsics ----------------------------------------------------------------

CFN_NAMES = ["P", "Q", "List", "Env", "B", "Role", "Key", "AWS::AccountId", "AWS::Region", "AWS::NoValue",
             "AWS::StackName", "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs", "Nope", "C", "D"]
cfn_scalars = st.one_of(st.sampled_from(CFN_NAMES), st.sampled_from(WORDS), st.integers(-5, 2**40), st.booleans(),
                        st.none(), st.text(max_size=10), st.sampled_from(["${P}", "${B.Arn}", "${AWS::Region}-x",
                                                                          "${!Literal}", "${", "a${Nope}b"]))


def cfn_values(max_leaves: int = 14) -> st.SearchStrategy[Any]:
    """A template value built of intrinsic functions (with junk arguments now and then)."""

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        args = st.one_of(inner, st.lists(inner, max_size=4))
        return st.one_of(
            st.builds(lambda a: {"Ref": a}, st.one_of(st.sampled_from(CFN_NAMES), inner)),
            st.builds(lambda a: {"Fn::Sub": a}, st.one_of(
                cfn_scalars, st.tuples(cfn_scalars, st.dictionaries(st.sampled_from(["P", "X"]), inner, max_size=2)
                                       ).map(list), args)),
            st.builds(lambda d, xs: {"Fn::Join": [d, xs]}, st.one_of(st.sampled_from(["", ",", ":"]), inner),
                      st.one_of(st.lists(inner, max_size=4), inner)),
            st.builds(lambda i, xs: {"Fn::Select": [i, xs]}, st.one_of(st.integers(-3, 5), st.just("1"), inner),
                      st.one_of(st.lists(inner, max_size=4), inner)),
            st.builds(lambda d, s: {"Fn::Split": [d, s]}, st.one_of(st.sampled_from([",", "", ":"]), inner), inner),
            st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.one_of(st.sampled_from(["C", "D", "Nope"]), inner),
                      inner, inner),
            st.builds(lambda xs: {"Fn::FindInMap": xs}, st.lists(st.one_of(st.sampled_from(["M", "k", "v", "Nope"]),
                                                                           inner), max_size=4)),
            st.builds(lambda a: {"Fn::GetAtt": a}, st.one_of(st.sampled_from(["B.Arn", "Role.Arn", "Key.Arn", "x"]),
                                                             st.lists(cfn_scalars, max_size=3), inner)),
            st.builds(lambda a: {"Fn::ImportValue": a}, inner),
            st.builds(lambda a: {"Fn::ToJsonString": a}, inner),
            st.builds(lambda a: {"Fn::Length": a}, inner),
            st.builds(lambda a: {"Fn::Base64": a}, inner),
            st.builds(lambda a: {"Fn::GetAZs": a}, inner),
            st.builds(lambda a: {"Fn::Cidr": a}, args),
            st.builds(lambda k, a: {k: a}, st.sampled_from(["Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
                                                            "Condition", "Fn::Bogus", "Fn::Transform"]), args),
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(["a", "Ref", "Fn::If", "b"]), inner, max_size=3),
        )

    return st.recursive(cfn_scalars, extend, max_leaves=max_leaves)


@st.composite
def cfn_templates(draw: st.DrawFn) -> dict[str, Any]:
    """A template dict with parameters, conditions, mappings, resources and outputs drawn from the above."""
    value = cfn_values(8)
    params: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["P", "Q", "List", "Env"]), max_size=4, unique=True)):
        spec: dict[str, Any] = {"Type": draw(st.sampled_from(["String", "CommaDelimitedList", "Number",
                                                              "AWS::EC2::VPC::Id", "List<String>", "Bogus"]))}
        if draw(st.booleans()):
            spec["Default"] = draw(cfn_scalars)
        if draw(st.booleans()):
            spec["AllowedValues"] = draw(st.lists(cfn_scalars, max_size=4))
        params[name] = spec if draw(st.integers(0, 9)) else draw(cfn_scalars)
    template: dict[str, Any] = {"Parameters": params}
    template["Conditions"] = draw(st.dictionaries(st.sampled_from(["C", "D", "E"]), value, max_size=3))
    template["Mappings"] = draw(st.one_of(
        st.just({"M": {"k": {"v": "mapped"}, "x": {"v": ["a", "b"]}}}),
        st.dictionaries(st.sampled_from(["M", "N"]), json_like(cfn_scalars, 2), max_size=2)))
    resources: dict[str, Any] = {}
    for lid, kind in (("B", "AWS::S3::Bucket"), ("Role", "AWS::IAM::Role"), ("Key", "AWS::KMS::Key"),
                      ("BP", "AWS::S3::BucketPolicy")):
        if draw(st.integers(0, 3)):
            props: dict[str, Any] = {}
            if kind == "AWS::S3::BucketPolicy":
                props = {"Bucket": draw(value), "PolicyDocument": draw(st.one_of(policy_documents(), value))}
            elif kind == "AWS::IAM::Role":
                document = draw(st.one_of(policy_documents(), value))
                props = {"AssumeRolePolicyDocument": draw(st.one_of(policy_documents(), value)),
                         "Policies": [{"PolicyName": "p", "PolicyDocument": document}]}
            elif kind == "AWS::KMS::Key":
                props = {"KeyPolicy": draw(st.one_of(policy_documents(), value))}
            else:
                props = {"BucketName": draw(value)}
            resource: dict[str, Any] = {"Type": kind, "Properties": props}
            if draw(st.integers(0, 4)) == 0:
                resource["Condition"] = draw(st.one_of(st.sampled_from(["C", "D", "Nope"]), cfn_scalars))
            resources[lid] = resource
    template["Resources"] = resources
    if draw(st.booleans()):
        template["Outputs"] = {"O": {"Value": draw(value), "Export": {"Name": draw(value)}}}
    if draw(st.integers(0, 5)) == 0:
        template["Transform"] = draw(st.sampled_from(["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"]))
    return template

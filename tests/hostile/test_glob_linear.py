"""Issue 12 point 4: wildcard and ARN matching run in linear time, without backtracking.

A pull request controls the policies why403 reads. ``a*a*a*...*b`` against a long run of ``a``
makes a backtracking matcher try every way of splitting the run among the stars (exponential in
the number of stars); in the first five segments of a Resource each star may not cross a colon,
which defeated the atomic-group trick the old regular expressions relied on. The matcher of
:mod:`why403.model.glob` reads the value once, so the bound below is generous (a backtracking
matcher needs longer than the age of the universe on these inputs).

The hypothesis properties compare the matcher with :func:`fnmatch.fnmatchcase` (whose ``*`` and
``?`` are IAM's when the alphabet has no ``[``) under IAM's case rules: action names ignore case,
resources and ``StringLike`` values do not.
"""

from __future__ import annotations

import fnmatch
import re
import time

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.arn import tri_arn_like, tri_resource_match
from why403.model.glob import Glob, compile_glob, compile_pieces, glob_matches, tri_glob
from why403.model.policy import PolicyKind
from why403.policy.context import RequestContext
from why403.policy.match import Target, find
from why403.policy.parse import parse_policy

STARS = 40
LONG = "a" * 20_000
BOUND = 20.0  # seconds for everything below together: linear work is well under a second


def _hostile(prefix: str, separator: str = "") -> str:
    return prefix + separator.join(["a*"] * STARS) + "b"


def test_many_stars_in_every_mode_finish_fast() -> None:
    started = time.perf_counter()
    # glob mode (actions, StringLike) and the tail of a Resource
    assert tri_glob(_hostile(""), LONG) is False
    assert tri_glob(_hostile(""), LONG + "b") is True
    assert tri_glob(_hostile("s3:"), "s3:" + LONG, ignore_case=True) is False
    # the head of a Resource, where a star stays inside its segment
    head = "arn:aws:" + _hostile("") + "x:123456789012:res"
    assert tri_resource_match(head, "arn:aws:" + LONG + ":123456789012:res") is False
    assert tri_resource_match(head, "arn:aws:" + LONG + "bx:123456789012:res") is True
    assert tri_resource_match("arn:aws:s3:::" + _hostile(""), "arn:aws:s3:::" + LONG) is False
    # ArnLike compares each part as a glob
    assert tri_arn_like("arn:aws:iam::" + _hostile("") + ":role/x", "arn:aws:iam::" + LONG + ":role/x") is False
    # a Resource with a policy variable is matched piece by piece
    pieces = ((_hostile(""), False), ("alice", True), ("*", False))
    assert compile_pieces(pieces, "resource").matches(LONG + "alice/x") is False
    assert time.perf_counter() - started < BOUND


def test_work_grows_with_the_value_not_with_the_ways_to_split_it() -> None:
    """Operation count: the matcher takes one step per character of the value."""
    steps = 0
    real = Glob._step

    def counting(self: Glob, unit: str, stray: bool) -> tuple[int, int]:
        nonlocal steps
        steps += 1
        return real(self, unit, stray)

    glob = compile_glob(_hostile("") + "?", "resource")
    Glob._step = counting  # type: ignore[method-assign]
    try:
        assert glob.matches(LONG) is False
    finally:
        Glob._step = real  # type: ignore[method-assign]
    # each distinct character is classified once; the rest is two integer operations per character
    assert steps <= 2


def test_a_hostile_statement_is_evaluated_fast() -> None:
    """End to end: a bucket policy statement whose Resource and Condition are built to backtrack."""
    doc = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": _hostile("s3:"),
        "Resource": "arn:aws:s3:::" + _hostile(""),
        "Condition": {"StringLike": {"aws:userid": _hostile("")}, "ArnLike": {"aws:PrincipalArn": "arn:*:*:*:*:*"}},
    }]}
    policy = parse_policy(doc, PolicyKind.BUCKET, validate=False)
    actor = Actor(kind="anonymous")
    started = time.perf_counter()
    target = Target(actor, "s3:" + "a" * 2_000, "arn:aws:s3:::" + "a" * 2_000, RequestContext({}))
    assert find(policy, target, "Allow")[0] is False
    assert time.perf_counter() - started < BOUND


def test_an_unknown_value_against_many_stars_is_polynomial() -> None:
    """The three-valued fallback (can an unknown token make it match?) is a product, not a power."""
    started = time.perf_counter()
    value = "a" * 2_000 + symbols.unknown("tail")
    assert tri_glob(_hostile(""), value) is None
    assert tri_glob(_hostile("") + "c", "a" * 2_000 + symbols.opaque("x") + "d") is False
    assert time.perf_counter() - started < BOUND


# -- properties -----------------------------------------------------------------------------------

CHARS = "aAb:/-"
texts = st.text(st.sampled_from(CHARS), max_size=10)
patterns = st.text(st.sampled_from(CHARS + "*?"), max_size=10)


@settings(max_examples=300, deadline=None)
@given(patterns, texts)
@example("a*a*a*b", "aaaa")
@example("*:*", "a:b")
@example("?", "")
@example("**", "")
def test_glob_is_fnmatch_and_case_sensitive(pattern: str, value: str) -> None:
    expected = fnmatch.fnmatchcase(value, pattern)
    assert compile_glob(pattern).matches(value) is expected
    assert glob_matches(pattern, value) is expected
    assert tri_glob(pattern, value) is expected  # no token: never unknown


@settings(max_examples=300, deadline=None)
@given(patterns, texts)
@example("S3:Get*", "s3:getobject")
def test_actions_ignore_case(pattern: str, value: str) -> None:
    assert tri_glob(pattern, value, ignore_case=True) is fnmatch.fnmatchcase(value.lower(), pattern.lower())


def _reference_regex(text: str, literal: bool) -> str:
    if literal:
        return re.escape(text)
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(patterns, st.booleans()), max_size=4), texts)
@example([("a", False), ("*", True), ("?", False)], "a*b")
def test_literal_pieces_match_character_for_character(pieces: list[tuple[str, bool]], value: str) -> None:
    """Policy variables: a value substituted into a pattern matches literally, even ``*``."""
    reference = "".join(_reference_regex(text, literal) for text, literal in pieces)
    assert compile_pieces(tuple(pieces), "glob").matches(value) is (re.fullmatch(reference, value, re.S) is not None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab*?"), max_size=3), min_size=6, max_size=6),
       st.lists(st.text(st.sampled_from("ab"), max_size=3), min_size=6, max_size=6))
def test_resource_head_segments_match_one_by_one(pattern: list[str], arn: list[str]) -> None:
    """Before the fifth colon a wildcard that does not end its segment never crosses a colon, so
    (when no head segment ends with ``*``) each segment matches on its own; the rest is a glob."""
    assume(not any(p.endswith("*") for p in pattern[:5]))
    expected = all(fnmatch.fnmatchcase(v, p) for p, v in zip(pattern, arn, strict=True))
    assert tri_resource_match(":".join(pattern), ":".join(arn)) is expected

"""cfnyaml decodes exactly as cfn-lint's ``decode_str`` does (cfn-lint stays the reference).

Both decoders run on every YAML/JSON file of the repository and the examples, and on tricky
inputs; values (and their types), key order, the marks of mappings, sequences and strings, and
the first error's message and line must all be the same. The deliberate differences, where
cfn-lint's answer is an accident of its implementation, are listed in DIFFERENT with why.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import pytest

from why403.sources.cloudformation import cfnyaml
from why403.sources.cloudformation.decode import parse_template, text_of
from why403.sources.discover import TEMPLATE_SUFFIXES

from .helpers import EXAMPLES

REPO = Path(__file__).resolve().parents[2]


def _marks(node: Any) -> tuple[Any, ...]:
    out = []
    for name in ("start_mark", "end_mark"):
        mark = getattr(node, name, None)
        out.append(None if mark is None else (mark.line, mark.column))
    return tuple(out)


def difference(ref: Any, got: Any, path: str = "$") -> str | None:
    """Where two decoded documents differ (None when they do not)."""
    if isinstance(ref, dict | list | str) and _marks(ref) != _marks(got):
        return f"{path}: marks {_marks(ref)} != {_marks(got)}"
    if isinstance(ref, dict):
        if not isinstance(got, dict) or list(ref) != list(got):
            return f"{path}: keys {list(ref)[:6]} != {list(got)[:6] if isinstance(got, dict) else got!r}"
        for rk, gk in zip(ref, got, strict=True):
            found = difference(rk, gk, f"{path}.<key {rk!r}>") if isinstance(rk, str) else None
            found = found or difference(ref[rk], got[gk], f"{path}.{rk}")
            if found:
                return found
        return None
    if isinstance(ref, list):
        if not isinstance(got, list) or len(ref) != len(got):
            return f"{path}: {ref!r} != {got!r}"
        for i, (r, g) in enumerate(zip(ref, got, strict=True)):
            found = difference(r, g, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(ref, str):
        return None if isinstance(got, str) and str(ref) == str(got) else f"{path}: {ref!r} != {got!r}"
    if type(ref) is not type(got):
        return f"{path}: {type(ref).__name__} != {type(got).__name__}"
    if isinstance(ref, float) and math.isnan(ref) and math.isnan(got):
        return None
    return None if ref == got else f"{path}: {ref!r} != {got!r}"


def cfnlint_decode(text: str) -> tuple[Any, tuple[str, int] | None]:
    from cfnlint.decode import decode_str

    logging.getLogger("cfnlint").addHandler(logging.NullHandler())
    template, matches = decode_str(text)
    if matches:
        return None, (matches[0].message, matches[0].linenumber)
    return template, None


def our_decode(text: str, loader: Any = cfnyaml.LOADER) -> tuple[Any, tuple[str, int] | None]:
    try:
        return cfnyaml.loads(text, loader), None
    except cfnyaml.DecodeError as err:
        return None, (err.message, err.line)


def compare(text: str, loader: Any = cfnyaml.LOADER) -> str | None:
    ref, ref_error = cfnlint_decode(text)
    got, got_error = our_decode(text, loader)
    if ref_error or got_error:
        return None if ref_error == got_error else f"error {ref_error} != {got_error}"
    return difference(ref, got)


def _files() -> list[Path]:
    skip = {".git", ".venv", "node_modules", "build", ".mypy_cache", ".pytest_cache"}
    found = [p for p in REPO.rglob("*") if p.suffix.lower() in TEMPLATE_SUFFIXES and p.is_file()
             and not skip.intersection(p.relative_to(REPO).parts)]
    if EXAMPLES.is_dir():
        found += [p for p in EXAMPLES.rglob("*") if p.suffix.lower() in TEMPLATE_SUFFIXES and p.is_file()]
    return sorted(found)


def test_every_yaml_and_json_file_of_the_repository_decodes_as_cfnlint_decodes_it() -> None:
    files = _files()
    assert len(files) > 50  # the fixtures, the docs' and tests' configuration, the examples
    differing = {}
    for path in files:
        text = text_of(path.read_bytes())
        if text is not None:
            found = compare(text)
            if found:
                differing[str(path.relative_to(path.parents[2]))] = found
    assert differing == {}


TRICKY = {
    "anchors and aliases": "A: &a {x: 1, y: [1, 2]}\nB: *a\nC: &s text\nD: [*s, *s]\n",
    "anchored tag": "A: &r !Ref Bucket\nB: *r\n",
    "merge keys": "base: &b {x: 1, y: 2}\nmore: &m {z: 3}\nc:\n  <<: *b\n  y: 5\nd:\n  <<: [*b, *m]\n  x: 9\n",
    "merge and a duplicate": "b: &b {x: 1}\nc:\n  <<: *b\n  k: 1\n  k: 2\n",
    "bad merge": "c:\n  <<: 5\n",
    "multiple documents": "a: 1\n---\nb: 2\n",
    "one document with markers": "---\na: 1\n...\n",
    "empty": "",
    "comments only": "# nothing\n",
    "document marker only": "---\n",
    "a scalar": "just text\n",
    "a list": "- 1\n- 2\n",
    "json indented with tabs": '{\n\t"Resources": {\n\t\t"B": {\n\t\t\t"Type": "AWS::S3::Bucket"\n\t\t}\n\t}\n}\n',
    "json with a tab in a string": '{"A": "x\ty",\t"B": [1,\t2]}\n',
    "yaml indented with tabs": "Resources:\n\tB:\n    Type: AWS::S3::Bucket\n",
    "tab after a colon": "A:\t1\nB: \tx\n",
    "utf-8 bom": "\ufeffAWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
    "crlf": "A: 1\r\nB:\r\n  - x\r\n  - y\r\nC: {k: v}\r\n",
    "cr only": "A: 1\rB: {k: v}\r",
    "unicode line separators": "A: 'x\u2028y'\nB: {k: v}\nC: \"\u0085\"\nD: [1]\n",
    "duplicate keys": "a: 1\nb: 2\na: 3\n",
    "duplicate nested": "R:\n  T: x\n  P:\n    q: 1\n    q: 2\n",
    "duplicate three times": "a: 1\na: 2\na: 3\n",
    "duplicate in flow": "A: {x: 1, x: 2}\n",
    "duplicate by value": "1: a\n'1': b\n",
    "null key": "a: 1\n~: 2\n",
    "empty key": "a: 1\n: 2\n",
    "null key after a duplicate": "a: 1\na: 2\n~: 3\n",
    "unhashable key": "? [a]\n: 1\n",
    "mapping key": "? {a: 1}\n: 1\n",
    "tag key": "? !Ref x\n: 1\n",
    "deep nesting": "A: " + "[" * 90 + "]" * 90 + "\n",
    "deeper than libyaml allows": "A: " + "[" * 2000 + "]" * 2000 + "\n",
    "huge ints": "A: 123456789012345678901234567890\nB: -0x1F\nC: 0o17\nD: 017\nE: 0b101\nF: 1_000\nG: 1:30\n",
    "floats": "A: 1.5\nB: .inf\nC: -.Inf\nD: .nan\nE: 1e5\nF: 1.0e+5\nG: 6.8523015e+5\nH: 190:20:30.15\n",
    "dates and booleans": ("A: 2010-09-09\nB: 2001-12-14t21:59:43.10-05:00\nC: yes\nD: No\nE: on\nF: OFF\n"
                           "G: y\nH: n\nI: True\nJ: '2010-09-09'\n"),
    "nulls": "A: null\nB: ~\nC:\nD: Null\nE: [~, null, ]\n",
    "binary": "A: !!binary aGVsbG8=\n",
    "bad binary": "A: !!binary '%%%'\n",
    "bad timestamp": "A: !!timestamp 2010-13-45\n",
    "set omap pairs": "A: !!set {a, b}\nB: !!omap [x: 1, y: 2]\nC: !!pairs [x: 1, x: 2]\n",
    "explicit tags": "A: !!str 5\nB: !!int '7'\nC: !!float '1'\nD: !!bool 'yes'\nE: !!null ''\nF: ! 5\n",
    "unknown global tag": "A: !!python/object:os.system x\n",
    "verbatim tag": "A: !<tag:yaml.org,2002:str> 5\n",
    "value key": "A: {=: 1}\n",
    "getatt forms": ("A: !GetAtt Res.Arn\nB: !GetAtt Res.Out.Nested.Name\nC: !GetAtt [Res, Arn]\n"
                     "D: !GetAtt [Res, !Ref Attr]\nE: !GetAtt Res\nF: !GetAtt ''\n"),
    "sub forms": ("A: !Sub 'arn:${AWS::Partition}:s3:::${B}/*'\nB: !Sub\n  - '${X}-${Y}'\n  - X: !Ref P\n"
                  "    Y: !GetAtt R.Arn\nC: {'Fn::Sub': ['${X}', {X: 1}]}\n"),
    "every short form": (
        "A: !Ref X\nB: !Condition C\nC: !And [!Equals [a, b], !Not [!Condition D]]\n"
        "D: !Or [!Condition E, !Condition F]\n"
        "E: !If [C, !Ref A, !Ref AWS::NoValue]\nF: !FindInMap [M, !Ref AWS::Region, K]\nG: !Join [',', [a, !Ref B]]\n"
        "H: !Select [0, !GetAZs '']\nI: !Split [',', !ImportValue Exp]\nJ: !Base64 {'Fn::Sub': x}\n"
        "K: !Cidr [!GetAtt V.CidrBlock, 6, 5]\nL: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"
        "M: !Length [1, 2]\nN: !ToJsonString {a: 1}\nO: !FindInMap [M, K, V, {DefaultValue: d}]\n"
        "P: !Ref\nQ: !Ref 5\nR: !Unknown thing\nS: !Sub\nT: !Ref [a, b]\nU: !Ref {a: b}\n"),
    "foreach": "Fn::ForEach::Buckets:\n  - Name\n  - [a, b]\n  - 'Bucket${Name}':\n      Type: AWS::S3::Bucket\n",
    "flow and block mixed": "R: {T: AWS::S3::Bucket, P: {A: [1, {b: c}]}}\nS:\n- {x: y}\n-\n  - z\n",
    "multi-line scalars": "A: |\n  line1\n  line2\nB: >-\n  folded\n  text\nC: 'it''s'\nD: \"esc\\n\\t\\u00e9\"\n",
    "escapes": 'A: "\\/ \\0 \\a \\e \\N \\_ \\L \\P \\x41 \\U0001F600"\n',
    "unknown escape in yaml": 'A: "a\\qb"\n',
    "json with an unknown escape": '{\n"A": "a\\qb"\n}\n',
    "json with slash escape": '{"A": "a\\/b", "B": "\\u00e9"}\n',
    "json surrogate pair": '{"A": "\\ud83d\\ude00"}\n',
    "json trailing comma": '{"A": [1, 2,], "B": {"c": 1,},}\n',
    "json duplicate": '{\n"A": 1,\n"A": 2\n}\n',
    "json comment": '{\n  # a comment\n  "A": 1\n}\n',
    "json single quotes": "{'A': 'b'}\n",
    "json control character": '{"A": "a\x01b"}\n',
    "json unterminated": '{"A": "abc\n',
    "json nan": '{"A": NaN, "B": Infinity}\n',
    "json numbers": '{"A": 1, "B": -1.5, "C": 1e5, "D": 1E-2, "E": 0, "F": 123456789012345678901234567890}\n',
    "parse error": "a: [1, 2\nb: 3\n",
    "scanner error": "a: b: c\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "control character": "a: \"\x01\"\n",
    "non-printable in plain": "a: b\x07\n",
    "long key": "? " + "k" * 2000 + "\n: 1\n",
    "alias of a mapping key": "a: &k key\n*k : 1\n",
    "undefined alias": "a: *nope\n",
    "ampersand without anchors": "A: 'a & b'\nB: [1, 2]\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_input_decodes_as_cfnlint_decodes_it(name: str) -> None:
    if name in DIFFERENT:
        pytest.skip("a deliberate difference, tested below")
    assert compare(TRICKY[name]) is None


def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [3, 5, 6, 9])
def test_alias_expansion_is_bounded_as_cfnlint_bounds_it(levels: int) -> None:
    # 10^5 nodes are accepted, 10^6 (and 10^9, which would never finish) are refused at once.
    text = _alias_bomb(levels)
    assert compare(text) is None
    _, error = our_decode(text)
    assert (error is not None) == (levels > 5)
    if error is not None:
        assert "more than 250000 nodes" in error[0]


# Inputs on which cfnyaml deliberately answers differently from cfn-lint, with why.
DIFFERENT = {
    # cfn-lint turns the RecursionError of its constructor into "Template could not be parsed:
    # maximum recursion depth exceeded"; why403 says what it means (decode.py).
    "nested deeper than the interpreter allows": "A: " + "[" * 600 + "]" * 600 + "\n",
    # Its duplicate check reads the start_mark of the earlier key, which only strings have: a
    # duplicated number key (YAML 1.1 reads `80:` as 80) makes it fail with "'int' object has no
    # attribute 'start_mark'" on line 1; both are errors, why403 names the key and its line.
    "duplicate number keys": "Ports:\n  80: a\n  443: b\n  80: c\n",
    # The mapping form of !GetAtt is not valid CloudFormation (the intrinsic function reference:
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getatt.html
    # takes a string or a two-item list); cfn-lint keeps the mapping but drops its marks.
    "getatt mapping": "A: !GetAtt {Res: Arn}\n",
}


def test_deliberate_differences() -> None:
    deep = DIFFERENT["nested deeper than the interpreter allows"]
    assert "Template could not be parsed" in str(cfnlint_decode(deep)[1])
    parsed = parse_template(deep.encode(), "t.yaml")
    assert parsed.error is not None and parsed.error.message == "the template is nested too deeply to read"

    assert cfnlint_decode(DIFFERENT["duplicate number keys"])[1] == (
        "Template could not be parsed: 'int' object has no attribute 'start_mark'", 1)
    assert our_decode(DIFFERENT["duplicate number keys"])[1] == ("Duplicate found 80 (line 2)", 2)

    ref, _ = cfnlint_decode(DIFFERENT["getatt mapping"])
    got, _ = our_decode(DIFFERENT["getatt mapping"])
    assert ref == got == {"A": {"Fn::GetAtt": {"Res": "Arn"}}}
    assert _marks(got["A"]["Fn::GetAtt"]) == ((0, 3), (0, 21)) != _marks(ref["A"]["Fn::GetAtt"])


# Where PyYAML's two readers disagree whatever the constructor (as cfn-lint's would): libyaml
# refuses surrogate escapes, the pure reader refuses a tab after a block mapping's colon.
LOADERS_DIFFER = {"json surrogate pair", "tab after a colon"}


def _refused(text: str, loader: Any) -> tuple[Any, Any]:
    try:
        return our_decode(text, loader)
    except RecursionError:
        return None, ("recursion", 0)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_without_libyaml_the_same_documents_decode_the_same(name: str) -> None:
    """The pure-Python loader (PyYAML without libyaml) reads what libyaml reads the same way,
    JSON indented with tabs included (through the JSON retry); where the two YAML readers
    disagree on an error's wording, both still refuse the text."""
    if name in DIFFERENT:
        pytest.skip("a deliberate difference")
    text = TRICKY[name]
    ref, ref_error = _refused(text, cfnyaml.LOADER)
    got, got_error = _refused(text, cfnyaml.PURE_LOADER)
    if name in LOADERS_DIFFER:
        assert (ref_error is None) != (got_error is None)
        return
    assert (ref_error is None) == (got_error is None), (ref_error, got_error)
    if ref_error is None:
        assert difference(ref, got) is None

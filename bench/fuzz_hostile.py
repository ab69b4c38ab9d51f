#!/usr/bin/env python3
"""atheris harness for what a hostile tree can reach cheaply, run by hand for millions of inputs.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_hostile.py -atheris_runs=1000000      # or -max_total_time=3600

The first byte picks a target, the rest is its input:

- the escaping of every report format (report/escape.py) and the GitHub workflow-command
  invariants: no ``##[``, no line starting with ``::`` outside our own annotations, no control
  character in text, only XML 1.0 characters in XML, valid UTF-8 everywhere;
- Terraform numbers (``parse_number``): a value or NumberOutOfRange, at once;
- IAM wildcard matching (``tri_glob``, both modes) against a regular-expression oracle;
- condition operators (``eval_condition``): true, false or unknown, never an exception;
- a Terraform expression, parsed and evaluated (tests/fuzz/harness.py's contract: a value of
  the documented types, or EvalError/BudgetExceeded); ``regex``/``regexall`` calls included.

Any exception or assertion is a crash atheris reports with the input that caused it.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.setrecursionlimit(max(sys.getrecursionlimit(), 3000))

from atheris_main import fuzz  # noqa: E402

from tests.fuzz import harness  # noqa: E402
from why403.model.glob import tri_glob  # noqa: E402
from why403.model.policy import Condition  # noqa: E402
from why403.policy.conditions import eval_condition  # noqa: E402
from why403.policy.context import RequestContext  # noqa: E402
from why403.report import escape  # noqa: E402
from why403.sources.terraform.numbers import NumberOutOfRange, parse_number  # noqa: E402

atheris.instrument_all()

EMPTY = Path(tempfile.mkdtemp(prefix="why403-fuzz-hostile-"))
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BASES = ("StringLike", "StringNotEquals", "NumericLessThan", "DateGreaterThan", "Bool", "BinaryEquals", "IpAddress",
          "ArnLike", "ArnNotLike", "Null", "StringEqualsIgnoreCase", "NumericEquals")


def _escaping(text: str) -> None:
    line = escape.defuse_line(escape.printable(text))
    assert "\n" not in line and not _TERMINAL.search(line) and "##[" not in line
    assert not line.lstrip().startswith("::")
    workflow = escape.workflow_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    assert "\n" not in workflow and "\r" not in workflow and "##[" not in workflow
    xml = escape.xml_document(escape.xml_text(text))
    assert not _NOT_XML.search(xml) and "##[" not in xml
    assert all(not row.lstrip().startswith("::") for row in xml.split("\n"))
    data = escape.json_document(json.dumps(escape.json_value({"m": text})))
    # Lone surrogates become U+FFFD; the text may hold U+FFFD of its own, so compare without it.
    kept = json.loads(data)["m"].replace("\ufffd", "")
    assert "##[" not in data and kept == re.sub("[\ud800-\udfff]", "", text).replace("\ufffd", "")
    data.encode("utf-8")


def _number(text: str) -> None:
    started = time.monotonic()
    with contextlib.suppress(NumberOutOfRange):
        parse_number(text)
    assert time.monotonic() - started < 1.0


def _glob(text: str) -> None:
    pattern, _, value = text.partition("\x00")
    started = time.monotonic()
    answer = tri_glob(pattern, value)
    assert time.monotonic() - started < 1.0
    if not any(c in text for c in "\ue000\ue001"):
        assert answer is harness.wildcard_oracle(pattern, value), (pattern, value)
    assert tri_glob(pattern, value, "resource") in (True, False, None)


def _condition(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    base = _BASES[provider.ConsumeIntInRange(0, len(_BASES) - 1)]
    set_op = (None, "ForAllValues", "ForAnyValue")[provider.ConsumeIntInRange(0, 2)]
    if_exists = provider.ConsumeBool()
    values = tuple(provider.ConsumeUnicodeNoSurrogates(12) for _ in range(provider.ConsumeIntInRange(0, 3)))
    request = [provider.ConsumeUnicodeNoSurrogates(12) for _ in range(provider.ConsumeIntInRange(0, 2))]
    operator = f"{set_op + ':' if set_op else ''}{base}{'IfExists' if if_exists else ''}"
    cond = Condition(operator=operator, base=base, set_op=set_op, if_exists=if_exists, key="k", values=values)
    ctx = RequestContext.of({"k": tuple(request)} if request else {}, open_world=provider.ConsumeBool())
    assert eval_condition(cond, ctx, substitute=True) in (True, False, None)


def one_input(data: bytes) -> None:
    if not data:
        return
    target, rest = data[0] % 6, data[1:]
    if target == 4:
        _condition(rest)
        return
    text = rest.decode("utf-8", "surrogateescape")
    if target == 0:
        _escaping(text)
    elif target == 1:
        _number(rest.decode("latin-1"))
    elif target == 2:
        _glob(text)
    elif target == 3:
        harness.tf_expression(text, EMPTY)
    else:
        pattern, _, subject = text.partition("\x00")
        harness.tf_expression(f"regexall({json.dumps(pattern)}, {json.dumps(subject)})".replace("${", "$${"), EMPTY)


def seeds() -> list[bytes]:
    return [b"\x00\n::add-mask::x ##[stop-commands]y \x1b[2J", b"\x011e999999999", b"\x01-0.5e-3",
            b"\x02a*a*a*a*b\x00aaaaaaaaaaaa", b"\x02arn:aws:s3:::*/x?\x00arn:aws:s3:::b/xy",
            b"\x03format(\"%.3f\", 1)", b"\x03[for x in range(3): x * 2]", b"\x04\x01\x00\x01abc\x01*",
            b"\x05(a+)+$\x00aaaaaaaaaaaaaaaaaaaaab"]


def main() -> None:
    fuzz(one_input, seeds)


if __name__ == "__main__":
    main()

"""Strings of the tree under check, made safe for each report format.

Messages, file names, ARNs and reasons come from sources anyone may have written, and reports are
read by terminals, CI runners and XML parsers that give some characters a meaning:

- A **terminal** obeys escape sequences (ESC ...: colours, cursor moves, window titles) and bells.
  The text format shows every control character, line separator, bidirectional override and
  unpaired surrogate (an undecodable byte of a file name) as a visible ``\\xNN``/``\\uNNNN``.
- The **GitHub Actions runner** reads every line a step prints for workflow commands: ``::name
  props::data`` when the line starts with ``::`` after leading white space, and the legacy form
  ``##[name props]data`` *anywhere in a line* (``actions/runner``,
  ``src/Runner.Common/ActionCommand.cs``: ``TryParseV2`` and ``TryParse``). Either can mask
  secrets, stop command processing, forge annotations. So no line any format prints begins with
  source text that starts with ``::``, and no ``##[`` of a source survives: the text format breaks
  it with a zero-width space (and shows ``\\::`` for a leading ``::``), JSON writes ``#`` as the
  equivalent escape ``\\u0023`` and XML as the character reference ``&#35;``, which decode to the
  same text.
- **XML 1.0** has no representation for most C0 control characters, for U+FFFE/U+FFFF nor for
  surrogates: a JUnit report holding one is not XML. They are shown as ``\\xNN``/``\\uNNNN``.
- **JSON** text must be Unicode: an unpaired surrogate (from a file name that is not UTF-8) is
  replaced by U+FFFD; the encoder escapes everything else.
"""

from __future__ import annotations

import re
from typing import Any

LEGACY_COMMAND = "##["
# Characters a terminal or a log viewer acts on or that reorder text: C0 and C1 controls, DEL,
# line and paragraph separators, bidirectional embeddings/overrides/isolates, surrogates.
_UNSAFE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What XML 1.0 cannot hold (its Char production), and the bidirectional controls for the readers.
_UNSAFE_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LEADING_COMMAND = re.compile(r"^(\s*)::")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` on one line, with every character a terminal would act on shown as an escape."""
    return _UNSAFE_TEXT.sub(_visible, text) if _UNSAFE_TEXT.search(text) else text


def printable_lines(text: str) -> list[str]:
    """``text`` split at its line breaks, each line made :func:`printable`."""
    return [printable(line) for line in text.split("\n")]


def defuse_line(line: str) -> str:
    """A line of a human-readable report that no CI runner takes for a workflow command."""
    if LEGACY_COMMAND in line:
        line = line.replace(LEGACY_COMMAND, "#\u200b#[")
    return _LEADING_COMMAND.sub(r"\1\\::", line, count=1)


def defuse_text(text: str) -> str:
    """Every line of a human-readable report through :func:`defuse_line`."""
    if "::" not in text and LEGACY_COMMAND not in text:
        return text
    return "\n".join(defuse_line(line) for line in text.split("\n"))


def terminal_text(text: str) -> str:
    """Several lines for a terminal or a CI log (messages on standard error, ``explain``): each
    line :func:`printable` and :func:`defuse_line`-d."""
    return "\n".join(defuse_line(printable(line)) for line in text.split("\n"))


def workflow_text(text: str) -> str:
    """Text for a workflow command's data or property, before the command's own escaping: the
    runner unescapes only ``%25``, ``%0D``, ``%0A`` (and ``%3A``, ``%2C`` in properties), so a
    legacy ``##[`` is broken with a zero-width space and control characters are shown as escapes;
    line breaks stay, for the command's escaping to encode."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(printable(line).replace(LEGACY_COMMAND, "#\u200b#[") for line in lines)


def xml_text(text: str) -> str:
    """``text`` with what XML 1.0 cannot hold shown as escapes."""
    return _UNSAFE_XML.sub(_visible, text) if _UNSAFE_XML.search(text) else text


def xml_document(serialized: str) -> str:
    """A serialized XML document in which no ``##[`` and no line starting with ``::`` remain: the
    same characters written as character references, which every XML reader decodes back."""
    serialized = serialized.replace(LEGACY_COMMAND, "#&#35;[")
    if "::" not in serialized:
        return serialized
    return "\n".join(_LEADING_COMMAND.sub(r"\1&#58;:", line, count=1) for line in serialized.split("\n"))


def json_value(value: Any) -> Any:
    """A JSON-ready value whose strings are valid Unicode (unpaired surrogates replaced)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {json_value(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def json_document(serialized: str) -> str:
    """Serialized JSON (``ensure_ascii``, so one physical line never holds a raw line break) in
    which no ``##[`` remains: ``#`` written as the escape ``\\u0023`` inside strings, the only
    place JSON text can hold it. A line cannot start with ``::``: every JSON line starts with
    white space and a quote, a bracket or a literal."""
    return serialized.replace(LEGACY_COMMAND, "#\\u0023[")

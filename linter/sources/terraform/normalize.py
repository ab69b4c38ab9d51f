"""Line-preserving rewrites of valid Terraform that python-hcl2 8.1.4 rejects.

Measured on real repositories, python-hcl2's grammar refuses three things Terraform accepts:

- a UTF-8 byte order mark at the start of the file;
- a heredoc whose closing marker is followed by spaces or tabs (``EOF  ``);
- a newline before ``=>`` in a ``for`` object expression (``{ for k, v in m : k\\n  => v }``);
- the ``~`` strip markers of an interpolation in a quoted string (``"a ${~ x ~} b"``).

Each is rewritten without adding or removing a newline, so every line number the parser reports
is still the line in the user's file: the BOM is dropped, the trailing blanks after the marker are
dropped, the ``=>`` is moved up behind the key expression (its old place becomes blanks), and a
strip marker is applied by deleting it with the spaces and tabs it strips (whitespace written as
escapes such as ``\\n`` next to a strip marker is left in place).
The rewrite is a pure function of the text. Most files need none of it, and a cheap pre-check
keeps the common case at the cost of two regular-expression searches.
"""

from __future__ import annotations

import re

_HEREDOC_TAIL = re.compile(r"^[ \t]*[A-Za-z][A-Za-z0-9._-]*[ \t]+\r?$", re.M)
_ARROW_AFTER_NL = re.compile(r"\n[ \t]*=>")
_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")


def normalize(text: str) -> str:
    """Return ``text`` with the three rewrites applied (the same string when none applies)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    needs_heredoc = "<<" in text and _HEREDOC_TAIL.search(text) is not None
    needs_arrow = _ARROW_AFTER_NL.search(text) is not None
    needs_strip = "${~" in text or "~}" in text
    if not (needs_heredoc or needs_arrow or needs_strip):
        return text
    return _Rewriter(text).run()


class _Rewriter:
    """A small scanner that knows where strings, comments and heredocs are, so that only code
    is rewritten."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.edits: list[tuple[int, int, str]] = []  # (position, characters removed, inserted)

    def run(self) -> str:
        text = self.text
        n = len(text)
        i = 0
        # Each entry is the brace depth of one code context; strings are marked by -1.
        stack: list[int] = [0]
        opened_by: list[str] = [""]  # what opened each context: "$" or "%" inside strings
        last_code_end = 0
        while i < n:
            c = text[i]
            if stack[-1] < 0:  # inside a quoted string
                if c == "\\":
                    i += 2
                    continue
                if c == '"' or c == "\n":
                    stack.pop()
                    opened_by.pop()
                elif c in "$%" and text.startswith("{", i + 1) and not text.startswith(c + c, i - 1):
                    stack.append(0)
                    opened_by.append(c)
                    if c == "$" and text.startswith("~", i + 2):
                        # ${~ strips the blanks before it: delete them and the marker.
                        j = i
                        while j > 0 and text[j - 1] in " \t":
                            j -= 1
                        if j < i:
                            self.edits.append((j, i - j, ""))
                        self.edits.append((i + 2, 1, ""))
                        i += 3
                        continue
                    i += 2
                    continue
                i += 1
                continue
            if c == '"':
                stack.append(-1)
                opened_by.append('"')
                i += 1
                last_code_end = i
                continue
            if c == "#" or text.startswith("//", i):
                nl = text.find("\n", i)
                i = n if nl < 0 else nl
                continue
            if text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i = n if end < 0 else end + 2
                continue
            if text.startswith("<<", i):
                m = _HEREDOC_OPEN.match(text, i)
                if m is not None:
                    i = self.heredoc(m.end(), m.group(1))
                    last_code_end = i
                    continue
            if text.startswith("=>", i):
                gap = text[last_code_end:i]
                if "\n" in gap:
                    self.edits.append((last_code_end, 0, " =>"))
                    self.edits.append((i, 2, "  "))
                i += 2
                last_code_end = i
                continue
            if c == "~" and text.startswith("}", i + 1) and stack[-1] == 0 and len(stack) > 1 \
                    and opened_by[-1] == "$":
                # ~} strips the blanks after the interpolation: delete the marker and them.
                self.edits.append((i, 1, ""))
                j = i + 2
                while j < n and text[j] in " \t":
                    j += 1
                if j > i + 2:
                    self.edits.append((i + 2, j - i - 2, ""))
                stack.pop()
                opened_by.pop()
                i = j
                continue
            if c == "{":
                stack[-1] += 1
            elif c == "}":
                if stack[-1] == 0 and len(stack) > 1:
                    stack.pop()  # end of an interpolation: back into its string
                    opened_by.pop()
                else:
                    stack[-1] = max(0, stack[-1] - 1)
            if c not in " \t\r\n":
                last_code_end = i + 1
            i += 1
        return self.apply()

    def heredoc(self, start: int, marker: str) -> int:
        """Skip a heredoc body; trim blanks after its closing marker. Returns the position after it."""
        text = self.text
        pos = start
        n = len(text)
        while pos < n:
            nl = text.find("\n", pos)
            end = n if nl < 0 else nl
            line = text[pos:end]
            if line.strip() == marker:
                body = line.rstrip("\r")
                trimmed = body.rstrip(" \t")
                if len(trimmed) != len(body):
                    self.edits.append((pos + len(trimmed), len(body) - len(trimmed), ""))
                return end
            pos = end + 1
        return n

    def apply(self) -> str:
        if not self.edits:
            return self.text
        out: list[str] = []
        prev = 0
        for pos, removed, inserted in sorted(self.edits, key=lambda e: e[0]):
            out.append(self.text[prev:pos])
            out.append(inserted)
            prev = pos + removed
        out.append(self.text[prev:])
        return "".join(out)

"""Point 3: no string of the sources can forge a CI workflow command, drive a terminal or break a format.

Each hostile string is put in every place a report shows source text (message, file, trace,
suggestion, suppression reason, access, unreadable file), and each format is checked against what
its reader does: the GitHub runner's command parser (re-implemented from actions/runner's
``ActionCommand.TryParseV2``/``TryParse``), a terminal, an XML 1.0 parser, a JSON parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from why403.cli.main import main
from why403.model.finding import Access, Finding, InputError, Stats, Suppression
from why403.model.location import Location
from why403.report import FORMATS, render
from why403.report.base import Report

HOSTILE = (
    "\n::add-mask::hunter2",
    "\r\n::error file=main.tf,line=1::forged",
    "  ::stop-commands::token123",
    "x ##[add-mask]hunter2",
    "##[stop-commands]tok",
    "::warning::at the start",
    "\x1b]0;owned\x07\x1b[2J\x1b[31mred",
    "nul\x00bel\x07del\x7fc1\x85\x9b",
    "line\u2028sep\u2029para",
    "bidi \u202etxt.exe\u202c \u2066iso\u2069",
    "bad utf-8 \udcff\udcfe",
    "\ud800 lone",
    "xml \ufffe \uffff \x0b \x0c",
    "percent %0A%25 %3A %2C: , = ;",
    "</testcase><injected/>&amp;",
)
# Characters a terminal acts on; XML 1.0 excluded characters.
TERMINAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REGISTERED = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher", "remove-matcher", "debug",
              "warning", "error", "notice", "group", "endgroup", "echo", "stop-commands"}


def runner_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """What the GitHub runner makes of one line of output (its v2 parser, then its legacy one)."""
    message = line.lstrip()
    if message.startswith("::"):
        end = message.find("::", 2)
        if end >= 0:
            info = message[2:end]
            name, _, props = info.partition(" ")
            if name in REGISTERED:
                properties = {}
                for pair in props.split(","):
                    key, eq, value = pair.partition("=")
                    if eq and key:
                        properties[key] = (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
                                           .replace("%2C", ",").replace("%25", "%"))
                data = message[end + 2:].replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
                return name, properties, data
    start = line.find("##[")
    if start >= 0:
        close = line.find("]", start)
        if close >= 0 and line[start + 3:close].split(" ")[0] in REGISTERED:
            return line[start + 3:close].split(" ")[0], {}, line[close + 1:]
    return None


def hostile_report(tmp_path: Path, text: str) -> Report:
    folder = tmp_path / "infra"
    file = str(folder / f"main{text}.tf")
    access = Access(principal=f"arn:aws:iam::123456789012:role/{text}", action="s3:GetObject",
                    resource=f"arn:aws:s3:::{text}/*", principal_ref=f"aws_iam_role.{text}", via=text)
    findings = (
        Finding(rule="W403-D101", kind="denied", severity="error", message=f"denied {text} end",
                location=Location(file, 3, 4, 2), layer="bucket-policy", denial="explicit", access=access,
                trace=(f"step {text}", text), suggestion=f"{text}\nsecond {text}",
                related=(Location(str(folder / f"other{text}.tf"), 1),), identity=(text,)),
        Finding(rule="W403-B301", kind="broad-allow", severity="warning", message=text, location=Location(file, 9),
                identity=(text, "2"), suppressed=Suppression(reason=f"because {text}", location=Location(file, 8))),
        Finding(rule="W403-U001", kind="unknown", severity="note", message=f"note {text}", location=None,
                identity=(text, "3")),
    )
    return Report(findings=findings, errors=(InputError(str(folder / f"bad{text}.yaml"), 2, f"cannot read {text}"),),
                  stats=Stats(files=2), files=(file,), cwd=str(tmp_path), verbose=2)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_escapes_every_hostile_string(tmp_path: Path, fmt: str, text: str) -> None:
    out = render(fmt, hostile_report(tmp_path, text))
    out.encode("utf-8")  # writable as UTF-8: no unpaired surrogate
    assert "##[" not in out
    for line in out.split("\n"):
        command = runner_command(line)
        if command is not None:
            assert fmt == "github", (fmt, line)
            assert command[0] in {"error", "warning", "notice"}, line
            assert set(command[1]) <= {"file", "line", "endLine", "col", "title"}, line
    if fmt == "github":
        lines = out.rstrip("\n").split("\n")
        assert all(runner_command(line) is not None for line in lines[:-1]), lines
        assert lines[-1].startswith("why403: ")
        assert "\r" not in out
        assert any("denied" in (runner_command(line) or ("", {}, ""))[2] for line in lines)
    if fmt == "text":
        assert not TERMINAL.search(out), repr(out)
        assert "denied" in out
    if fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        assert not NOT_XML.search(out)
        messages = [el.get("message", "") for el in root.iter() if el.get("message")]
        assert any("denied" in m for m in messages)
        assert [el.tag for el in root.iter("injected")] == []
    if fmt in ("json", "sarif", "gitlab"):
        data = json.loads(out)
        assert "\\ud8" not in out.lower() and "\\udc" not in out.lower()
        if fmt == "json":
            first = data["findings"][0]["message"]
            assert first.startswith("denied ") and first.endswith(" end")
            if not re.search("[\ud800-\udfff]", text):
                assert first == f"denied {text} end"  # the contract carries the exact text


def test_the_cli_text_and_github_reports_of_a_hostile_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: a directory named like a command, and a bucket named with escapes and commands."""
    folder = tmp_path / "::stop-commands::tok" / "##[add-mask]x"
    folder.mkdir(parents=True)
    name = "data\\u001b]0;pwn\\u0007\\n::add-mask::secret ##[stop-commands]t"
    (folder / "main.tf").write_text(f'''
resource "aws_s3_bucket" "b" {{
  bucket = "{name}"
}}
resource "aws_s3_bucket_policy" "p" {{
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                    Resource = "${{aws_s3_bucket.b.arn}}/*" }}]
  }})
}}
''')
    monkeypatch.chdir(tmp_path)
    for fmt in ("text", "github"):
        code = main(["check", ".", "--no-cache", "--no-config", "--format", fmt, "-v"])
        out = capsys.readouterr().out
        assert code == 1, out
        assert "##[" not in out
        commands = [runner_command(line) for line in out.split("\n")]
        if fmt == "text":
            assert commands == [None] * len(commands), out
            assert not TERMINAL.search(out)
            assert "stop-commands" in out  # shown, harmlessly
        else:
            assert {c[0] for c in commands if c} <= {"error", "warning", "notice"}
            assert any(c and "add-mask" in c[2] for c in commands)  # in the data, where it is only text

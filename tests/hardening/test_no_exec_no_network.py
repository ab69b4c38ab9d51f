"""why403 reads; it never runs what the sources name and never opens a connection.

The CLI runs over the examples (and over sources written to tempt an executor: ``local-exec``
provisioners, the ``external`` data source, ``templatefile`` of a script, a YAML tag that some
loaders turn into a call of ``os.system``, custom resources with inline code) with socket
creation, subprocess spawning, ``os.system``, ``os.exec*``, ``os.spawn*`` and ``posix_spawn``
patched to fail, and with an audit hook that records any such event from any module, C code
included. The reports must be the ones an unpatched run writes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from why403.cli.main import main

CHECKOUT = Path(__file__).resolve().parents[2]
SHARED = CHECKOUT.parent / "shared" / "examples"
EXAMPLES = sorted(p for p in SHARED.iterdir() if p.is_dir()) if SHARED.is_dir() else []

# Audit events that mean a process, a program or a connection (https://docs.python.org/3/library/audit_events.html).
FORBIDDEN_EVENTS = ("socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
                    "subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.startfile",
                    "os.fork", "os.forkpty", "ctypes.dlopen", "webbrowser.open", "urllib.Request")
_recorded: list[tuple[str, str]] = []
_recording: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording and event in FORBIDDEN_EVENTS:
        _recorded.append((event, repr(args)[:200]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only inside `forbidden`

MARKER = "why403-was-made-to-run-this"

HOSTILE_TF = f"""
resource "null_resource" "run" {{
  provisioner "local-exec" {{
    command = "touch {{marker}}/{MARKER}-local-exec"
  }}
}}

data "external" "ask" {{
  program = ["sh", "-c", "touch {{marker}}/{MARKER}-external"]
}}

locals {{
  script = templatefile("${{path.module}}/run.sh.tpl", {{ marker = "{{marker}}" }})
  url    = "https://example.com/${{data.external.ask.result.x}}"
}}

resource "aws_s3_bucket" "b" {{
  bucket = "hostile-${{data.external.ask.result.name}}"
}}

resource "aws_s3_bucket_policy" "p" {{
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                    Resource = "${{aws_s3_bucket.b.arn}}/*" }}]
  }})
}}

module "remote" {{
  source = "git::https://example.com/evil.git?ref=v1"
}}
"""

HOSTILE_YAML = f"""AWSTemplateFormatVersion: '2010-09-09'
Transform: [Evil::Macro]
Metadata:
  run: !!python/object/apply:os.system ["touch {{marker}}/{MARKER}-yaml"]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: "import os; os.system('touch {{marker}}/{MARKER}-lambda')"
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: !GetAtt Fn.Arn
  Bucket:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${{Bucket.Arn}}/*"
"""


def _refuse(name: str) -> Any:
    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError(f"why403 called {name} during a check")

    return refuse


@contextmanager
def forbidding(monkeypatch: pytest.MonkeyPatch, *, allow_fork: bool = False) -> Iterator[None]:
    """Every way to connect or to start a program fails inside; the audit hook must record none
    (``allow_fork``: multiprocessing may fork parse workers, which run no program)."""
    with monkeypatch.context() as patch:
        patch.setattr(socket, "socket", _refuse("socket.socket"))
        patch.setattr(socket, "create_connection", _refuse("socket.create_connection"))
        patch.setattr(socket, "getaddrinfo", _refuse("socket.getaddrinfo"))
        patch.setattr(subprocess, "Popen", _refuse("subprocess.Popen"))
        for name in ("system", "popen", "posix_spawn", "posix_spawnp", "execv", "execve", "execl", "execle", "execlp",
                     "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve",
                     "spawnvp", "spawnvpe", "startfile"):
            if hasattr(os, name):
                patch.setattr(os, name, _refuse(f"os.{name}"))
        _recorded.clear()
        _recording.append(True)
        try:
            yield
        finally:
            _recording.clear()
    events = [e for e in _recorded if not (allow_fork and e[0] == "os.fork")]
    assert events == [], events


def _check(path: Path, cache: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code = main(["check", str(path), "--format", "json", "--cache-dir", str(cache), "--no-config", *extra])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    report: dict[str, Any] = json.loads(out)
    report["stats"].pop("seconds", None)
    return report


def _hostile(root: Path, marker: Path) -> Path:
    tf = root / "tf"
    tf.mkdir(parents=True)
    (tf / "main.tf").write_text(HOSTILE_TF.replace("{marker}", str(marker)))
    (tf / "run.sh.tpl").write_text(f"#!/bin/sh\ntouch ${{marker}}/{MARKER}-template\n")
    (root / "template.yaml").write_text(HOSTILE_YAML.replace("{marker}", str(marker)))
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_examples_and_hostile_sources_run_without_exec_or_network(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    marker = tmp_path / "markers"
    marker.mkdir()
    inputs = [*EXAMPLES, CHECKOUT / "examples" / "kms-403", _hostile(tmp_path / "hostile", marker)]
    monkeypatch.chdir(tmp_path)
    expected = {p: _check(p, tmp_path / "free-cache", capsys, "--jobs", jobs) for p in inputs}
    with forbidding(monkeypatch):
        for p in inputs:
            got = _check(p, tmp_path / f"cold-cache-{jobs}", capsys, "--jobs", jobs)
            assert got == expected[p], p.name
            assert _check(p, tmp_path / f"cold-cache-{jobs}", capsys, "--jobs", jobs) == expected[p]
    assert list(marker.iterdir()) == []
    hostile = expected[inputs[-1]]
    assert any(f["rule"].startswith("W403-B") for f in hostile["findings"]), "the hostile sources were still read"


def test_a_large_input_parsed_in_worker_processes_also_runs_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked (or spawned) by multiprocessing; they only parse bytes they are sent."""
    marker = tmp_path / "markers"
    marker.mkdir()
    root = _hostile(tmp_path / "hostile", marker)
    for i in range(12):
        (root / "tf" / f"pad{i}.tf").write_text("".join(
            f'resource "aws_s3_bucket" "pad{i}_{j}" {{\n  bucket = "pad-{i}-{j}"\n}}\n' for j in range(150)))
    expected = _check(root, tmp_path / "free-cache", capsys, "--jobs", "1")
    with forbidding(monkeypatch, allow_fork=True):
        got = _check(root, tmp_path / "cache", capsys, "--jobs", "2")
    assert got == expected
    assert list(marker.iterdir()) == []
    if sys.platform.startswith("linux"):
        assert any(e[0] == "os.fork" for e in _recorded), "the files were parsed in worker processes"

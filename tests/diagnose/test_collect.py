"""`why403 diagnose --collect`: a shell script of read-only AWS CLI commands, named as the dumps are read."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from why403.cli.main import main
from why403.sources.awsdump.catalogue import COMMANDS
from why403.sources.awsdump.files import parse_name

SESSION = "arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a9c2d4b6e81705"
READ_VERBS = ("get-", "list-", "describe-", "head-", "lookup-", "filter-")


def _script(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["diagnose", "--collect", "my dumps", *args]) == 0
    return capsys.readouterr().out


def _commands(script: str) -> list[tuple[str, str]]:
    """Every ``aws SERVICE COMMAND`` the script runs (comments included: they are commands to run too)."""
    return re.findall(r"\baws ([a-z0-9-]+) ([a-z0-9-]+)", script)


def test_every_command_only_reads(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys, "--principal", SESSION, "--action", "s3:GetObject", "--resource",
                     "arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv", "--vpce", "vpce-0c5e8f2a9d1b34e67",
                     "--bucket-account", "444455556666")
    commands = _commands(script)
    assert len(commands) > 20
    for service, command in commands:
        assert command.startswith(READ_VERBS), (service, command)
    assert "ReadOnlyAccess" in script and "SecurityAudit" in script
    assert "s3api head-object --bucket acme-reports-prod --key 2025/q1/revenue.csv" in script
    assert "cloudtrail lookup-events" in script, "the session's AssumeRole event"
    assert "ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-0c5e8f2a9d1b34e67" in script
    assert "sts.get-caller-identity.444455556666.json" in script, "account-wide dumps carry the other account"


def test_dump_names_are_the_ones_read(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys, "--principal", SESSION, "--action", "s3:PutObject", "--resource",
                     "arn:aws:s3:::acme-reports-prod/in/x.csv")
    names = re.findall(r"> \"?([\w.$-]+\.json)\"?", script)
    assert names
    for name in names:
        parsed = parse_name(name.replace("$", "X"))
        assert parsed is not None and parsed[0].kind in COMMANDS, name
    assert "get-bucket-encryption" in script and "head-object --bucket" not in script.replace("# aws", "")


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_the_script_is_valid_shell(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys, "--principal", SESSION, "--action", "s3:GetObject", "--resource",
                     "arn:aws:s3:::bucket/it's a key; rm -rf ~")
    assert subprocess.run(["sh", "-n"], input=script, text=True, check=False).returncode == 0
    assert "'it'\"'\"'s a key; rm -rf ~'" in script, "values are quoted, never run"


def test_collect_needs_the_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagnose", "--collect", "--principal", SESSION]) == 2
    assert "--action, --resource" in capsys.readouterr().err

"""Point 6: report files are written atomically and never through a link committed in the tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from why403.cli import outputs as outputs_cli
from why403.cli.main import main

BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "out"\n}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "main.tf").write_text(BUCKET)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json"])
def test_a_committed_link_at_the_output_is_replaced_not_followed(repo: Path, tmp_path: Path, fmt: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    victim = tmp_path / "bashrc"
    victim.write_text("export PATH=/usr/bin\n")
    (repo / f"why403.{fmt}").symlink_to(victim)
    code = main(["check", ".", "--no-cache", "--no-config", "--format", fmt, "--output", f"why403.{fmt}"])
    capsys.readouterr()
    assert code == 0
    assert victim.read_text() == "export PATH=/usr/bin\n"
    assert not (repo / f"why403.{fmt}").is_symlink() and (repo / f"why403.{fmt}").stat().st_size > 0


def test_a_committed_directory_link_on_the_way_is_refused(repo: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "home-ssh"
    elsewhere.mkdir()
    (repo / "reports").symlink_to(elsewhere)
    code = main(["check", ".", "--no-cache", "--no-config", "--format", "sarif", "--output", "reports/x.sarif"])
    err = capsys.readouterr().err
    assert code == 2 and "symbolic link inside the tree under check" in err
    assert list(elsewhere.iterdir()) == []


def test_the_write_is_atomic(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.sarif"
    out.write_text("previous report")

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(outputs_cli.os, "replace", fail)
        code = main(["check", ".", "--no-cache", "--no-config", "--format", "sarif", "--output", str(out)])
    assert code == 2 and "No space left" in capsys.readouterr().err
    assert out.read_text() == "previous report"  # the old file whole, no half-written one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.sarif", "repo"]  # no temporary file left
    assert main(["check", ".", "--no-cache", "--no-config", "--format", "sarif", "--output", str(out)]) == 0
    assert out.read_text().startswith("{") and oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_device_or_fifo_is_written_to_not_replaced(repo: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``--output /dev/null`` must not rename a file over /dev/null (as root it would replace the
    device for every process): a FIFO stands in for it here, and stays a FIFO."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    code = main(["check", ".", "--no-cache", "--no-config", "--format", "json", "--output", str(fifo)])
    reader.join(timeout=30)
    capsys.readouterr()
    assert code == 0
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and '"findings"' in received[0]


def test_a_committed_link_to_a_fifo_is_still_replaced(repo: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (repo / "why403.json").symlink_to(fifo)
    code = main(["check", ".", "--no-cache", "--no-config", "--format", "json", "--output", "why403.json"])
    capsys.readouterr()
    assert code == 0 and not (repo / "why403.json").is_symlink()

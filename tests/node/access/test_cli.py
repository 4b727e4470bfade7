"""`interlieux badge issue` writes what goes on the card and on paper."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.access import grant as grants
from node.cli import main


def test_badge_issue_writes_card_bytes_and_a_qr_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "lieu")
    assert main(["init", "--data", data, "--base-url", "http://127.0.0.1:8401", "--name", "L",
                 "--handle", "lieu"]) == 0  # fmt: skip
    assert main(["member", "add", "--data", data, "--handle", "alice", "--name", "A"]) == 0
    capsys.readouterr()
    out, qr = tmp_path / "carte.bin", tmp_path / "badge.png"
    code = main(["badge", "issue", "--data", data, "--member", "alice", "--card-uid",
                 "04:A2:24:B2:C3:15:80", "--out", str(out), "--qr", str(qr)])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out.strip().splitlines()[-1]
    assert grants.from_text(text) == out.read_bytes()
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = main(["badge", "issue", "--data", data, "--member", "alice", "--card-uid", "zz"])
    assert code == 2
    assert "hexadécimal" in capsys.readouterr().err

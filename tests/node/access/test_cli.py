"""`interlieux badge issue` writes what goes on the card and on paper; `badge policy` sets the
place's door rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.access import grant as grants
from node.cli import main
from reader import ndef


@pytest.fixture
def place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    data = str(tmp_path / "lieu")
    assert main(["init", "--data", data, "--base-url", "http://127.0.0.1:8401", "--name", "L",
                 "--handle", "lieu"]) == 0  # fmt: skip
    assert main(["member", "add", "--data", data, "--handle", "alice", "--name", "A"]) == 0
    capsys.readouterr()
    return data


def test_badge_issue_writes_the_ndef_message_the_grant_and_a_qr_code(
    place: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, raw, qr = tmp_path / "carte.ndef", tmp_path / "badge.cose", tmp_path / "badge.png"
    code = main(["badge", "issue", "--data", place, "--member", "alice", "--card-uid",
                 "04:A2:24:B2:C3:15:80", "--out", str(out), "--grant-out", str(raw),
                 "--qr", str(qr)])  # fmt: skip
    assert code == 0
    grant = grants.from_text(capsys.readouterr().out.strip().splitlines()[-1])
    # --out: the NDEF message a card-writing app imports, and the door reads back.
    message = out.read_bytes()
    assert message == ndef.grant_message(grant)
    assert ndef.decode_message(message)[0].type == b"application/vnd.interlieux.bil"
    assert ndef.grant_from_message(message) == grant == raw.read_bytes()
    assert 4 + len(message) <= 496  # NDEF TLV included, it fits an NTAG215
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = main(["badge", "issue", "--data", place, "--member", "alice", "--card-uid", "zz"])
    assert code == 2
    assert "hexadécimal" in capsys.readouterr().err


def test_the_help_says_what_the_out_file_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["badge", "issue", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "message NDEF" in help_text and "TagWriter" in help_text


def test_badge_policy_card_required(place: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["badge", "policy", "--data", place]) == 0
    assert "non exigée" in capsys.readouterr().out
    text = _issue(place, capsys)

    assert main(["badge", "policy", "--data", place, "--card-required", "oui"]) == 0
    assert "Carte exigée" in capsys.readouterr().out
    assert main(["badge", "policy", "--data", place]) == 0
    assert "Carte exigée" in capsys.readouterr().out
    # At its own door, a QR code alone is now refused; with the card it is accepted.
    assert main(["checkin", "--data", place, "--grant", text]) == 1
    result = json.loads(capsys.readouterr().out)
    assert (result["decision"], result["reason"]) == ("refuse", "card_required")
    assert main(["checkin", "--data", place, "--grant", text, "--card-uid", "04A224B2C31580"]) == 0
    assert json.loads(capsys.readouterr().out)["card_checked"] is True

    assert main(["badge", "policy", "--data", place, "--card-required", "no"]) == 0
    capsys.readouterr()
    assert main(["checkin", "--data", place, "--grant", text]) == 0
    assert json.loads(capsys.readouterr().out)["card_checked"] is False
    with pytest.raises(SystemExit):
        main(["badge", "policy", "--data", place, "--card-required", "peut-être"])


def _issue(place: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["badge", "issue", "--data", place, "--member", "alice",
                 "--card-uid", "04A224B2C31580"]) == 0  # fmt: skip
    return capsys.readouterr().out.strip().splitlines()[-1]

"""The door for real: `interlieux reader` watching pcscd, emulated cards (an NFC Forum Type 4
tag, an NTAG215) tapped on vsmartcard's virtual reader, two real nodes behind it.

coroutine issues the grant (home place); popcafe runs the door. Each test taps a card and reads
the daemon's decision line, then checks what popcafe recorded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.access import grant as grants
from node.access.decision import TrustBundle, decide
from reader.ndef import grant_message

from . import badges
from .door.pcsc import READER, on_reader, pcscd  # noqa: F401  (pcscd: a fixture)
from .door.vcard import VirtualCard, VirtualNtag215
from .network import LocalPlace, Network, Places, wait_for

CARD = bytes.fromhex(badges.CARD)
OTHER = bytes.fromhex(badges.OTHER_CARD)


class Daemon:
    def __init__(self, root: Path, place: LocalPlace) -> None:
        self.place = place
        self.state = root / "porte-state"
        self.log_path = root / "porte.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The token as a door gets it: in a file only its owner reads, never on a command line.
        token_file = self.state.parent / "porte.token"
        token_file.write_text(self.place.token() + "\n")
        token_file.chmod(0o600)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "node.cli", "reader", "--node", self.place.base_url,
                 "--token-file", str(token_file), "--door", "entree", "--state", str(self.state),
                 "--reader", READER, "--refresh", "1"],
                stdout=log, stderr=subprocess.STDOUT, env=self.place.env,
            )  # fmt: skip
        wait_for(lambda: "prête" in self.log_path.read_text(), what="the door daemon ready")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def decisions(self) -> list[str]:
        """ACCEPTÉ/REFUSÉ lines (not "carte illisible": a read that failed decides nothing)."""
        lines = [
            line.split("PORTE entree : ", 1)[1]
            for line in self.log_path.read_text().splitlines()
            if "PORTE entree : " in line
        ]
        return [line for line in lines if line.startswith(("ACCEPTÉ", "REFUSÉ"))]

    def tap(self, uid: bytes, grant: bytes) -> str:
        return self.tap_card(VirtualCard(uid, grant_message(grant)))

    def tap_card(self, card: VirtualCard) -> str:
        before = len(self.decisions())
        with on_reader(card):
            decided = wait_for(lambda: len(self.decisions()) > before, what="a decision")
        assert decided
        return self.decisions()[-1]


Door = tuple[LocalPlace, LocalPlace, LocalPlace, Daemon]


@pytest.fixture(scope="module")
def door(
    pcscd: str,  # noqa: F811
    peers_and_stranger: Places,
    network: Network,
) -> Iterator[Door]:
    """popcafe's door daemon on vpcd's reader, coroutine's members' grants honoured there."""
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    daemon = Daemon(network.root, popcafe)
    daemon.start()
    try:
        yield coroutine, popcafe, peers_and_stranger["inconnu"], daemon
    finally:
        daemon.stop()


def issue(place: LocalPlace, member: str, uid: bytes, *extra: str) -> bytes:
    """The grant as its bytes, as the door reads it from the card."""
    return grants.from_text(badges.issue(place, member, uid.hex(), *extra))


def test_a_peers_member_gets_in_and_both_home_and_member_see_the_visit(door: Door) -> None:
    coroutine, popcafe, _, daemon = door
    grant = issue(coroutine, "alice", CARD)
    assert daemon.tap(CARD, grant).startswith("ACCEPTÉ " + coroutine.actor_id("alice"))
    grant_id = grants.read(grant)[0].grant_id
    wait_for(lambda: popcafe.query("SELECT 1 FROM visits WHERE grant_id = ?", (grant_id,)),
             what="the tap reported to popcafe")  # fmt: skip
    for owner in ("coroutine", "alice"):
        wait_for(lambda o=owner: any(
            a["object"].get("tl:grant") == grant_id for a in coroutine.inbox(o)
            if a["type"] == "Create"), what=f"the visit in {owner}'s inbox")  # fmt: skip


@pytest.mark.parametrize(
    ("case", "reason"),
    [("other card", "wrong_card"), ("expired", "expired"), ("unknown place", "unknown_issuer"),
     ("tampered", "bad_signature")],
)  # fmt: skip
def test_refusals_at_the_door(door: Door, case: str, reason: str) -> None:
    coroutine, popcafe, stranger, daemon = door
    uid = CARD
    if case == "other card":
        grant, uid = issue(coroutine, "alice", CARD), OTHER
    elif case == "expired":
        grant = issue(coroutine, "alice", CARD, "--days", "0")
    elif case == "unknown place":
        grant = issue(stranger, "zoe", CARD)
    else:
        data = bytearray(issue(coroutine, "alice", CARD))
        data[bytes(data).index(b"alice")] ^= 0x01
        grant = bytes(data)
    line = daemon.tap(uid, grant)
    assert line.startswith("REFUSÉ") and f"({reason})" in line
    wait_for(lambda: popcafe.query("SELECT 1 FROM taps WHERE reason = ?", (reason,)),
             what="the refusal reported")  # fmt: skip


def test_a_revoked_grant_is_refused_within_a_minute(door: Door) -> None:
    coroutine, _, _, daemon = door
    grant = issue(coroutine, "alice", CARD)
    assert daemon.tap(CARD, grant).startswith("ACCEPTÉ")
    grant_id = grants.read(grant)[0].grant_id
    coroutine.cli("badge", "revoke", "--data", str(coroutine.data), "--grant", grant_id)
    line = wait_for(
        lambda: (d := daemon.tap(CARD, grant)).startswith("REFUSÉ") and d,
        timeout=60, what="the door refusing the revoked grant",
    )  # fmt: skip
    assert "(revoked)" in line


def test_with_its_node_down_the_door_decides_and_reports_later_exactly_once(
    door: Door,
) -> None:
    coroutine, popcafe, _, daemon = door
    grant = issue(coroutine, "alice", CARD)
    grant_id = grants.read(grant)[0].grant_id
    popcafe.stop()
    try:
        assert daemon.tap(CARD, grant).startswith("ACCEPTÉ")  # from the cached bundle
        assert daemon.tap(OTHER, grant).startswith("REFUSÉ")
        assert len(list((daemon.state / "reports").glob("*.json"))) == 2
    finally:
        popcafe.start()
    rows = wait_for(
        lambda: popcafe.query("SELECT decision FROM taps WHERE grant_id = ? ORDER BY decided_at",
                              (grant_id,)),
        timeout=30, what="the queued reports sent once the node is back",
    )  # fmt: skip
    wait_for(lambda: not list((daemon.state / "reports").glob("*.json")), what="queue empty")
    rows = popcafe.query("SELECT decision FROM taps WHERE grant_id = ? ORDER BY decided_at",
                         (grant_id,))  # fmt: skip
    assert [r[0] for r in rows] == ["accept", "refuse"]
    visits = popcafe.query("SELECT COUNT(*) FROM visits WHERE grant_id = ?", (grant_id,))
    assert visits[0][0] == 1


def test_an_ntag215_written_from_the_issued_file_gets_in(door: Door, tmp_path: Path) -> None:
    coroutine, popcafe, _, daemon = door
    written = tmp_path / "alice.ndef"
    grant = issue(coroutine, "alice", CARD, "--out", str(written))
    # The file is what a card-writing app puts on the card: the door reads it back as written.
    card = VirtualNtag215(CARD, written.read_bytes())
    line = daemon.tap_card(card)
    assert line.startswith("ACCEPTÉ " + coroutine.actor_id("alice")), line
    assert not any(apdu[:2] == b"\x00\xa4" for apdu in card.seen_apdus)  # read as a Type 2 tag
    grant_id = grants.read(grant)[0].grant_id
    wait_for(lambda: popcafe.query("SELECT 1 FROM visits WHERE grant_id = ?", (grant_id,)),
             what="the NTAG215 tap reported to popcafe")  # fmt: skip


def test_a_place_that_requires_the_card_refuses_a_qr_code_alone(door: Door) -> None:
    coroutine, popcafe, _, daemon = door
    grant = issue(coroutine, "alice", CARD)
    text = grants.to_text(grant)
    data = str(popcafe.data)
    # No rule yet: the QR code alone is honoured.
    assert badges.checkin(popcafe, text)[1]["reason"] == "ok"
    popcafe.cli("badge", "policy", "--data", data, "--card-required", "oui")
    try:
        code, result = badges.checkin(popcafe, text)
        assert (code, result["decision"], result["reason"]) == (1, "refuse", "card_required")
        assert "QR code seul" in str(result["message"])
        code, result = badges.checkin(popcafe, text, CARD.hex())
        assert (code, result["card_checked"]) == (0, True)
        wait_for(lambda: popcafe.query("SELECT 1 FROM taps WHERE reason = 'card_required'"),
                 what="the refusal recorded")  # fmt: skip

        # The rule reaches the door in its trust bundle: a grant that comes to the reader
        # without a card UID is refused there too, offline; a card still gets in.
        def door_bundle() -> TrustBundle | None:
            cached = TrustBundle.from_json(json.loads((daemon.state / "bundle.json").read_text()))
            return cached if cached.card_required else None

        bundle = wait_for(door_bundle, what="the card requirement in the door's bundle")
        assert decide(grant, None, bundle, time.time()).reason == "card_required"
        assert daemon.tap_card(VirtualNtag215(CARD, grant_message(grant))).startswith("ACCEPTÉ")
    finally:
        popcafe.cli("badge", "policy", "--data", data, "--card-required", "non")

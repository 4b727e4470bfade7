"""The door for real: `interlieux reader` watching pcscd, emulated cards (an NFC Forum Type 4
tag, an NTAG215) tapped on vsmartcard's virtual reader, two real nodes behind it.

coroutine issues the grant (home place); popcafe runs the door. Each test taps a card and reads
the daemon's decision line, then checks what popcafe recorded.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.access.decision import TrustBundle, decide, seal
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
        # The token as a door gets it: of scope `door`, in a file only its owner reads, never
        # on a command line. Made once: the door binds its key to it at its first start.
        token_file = self.state.parent / "porte.token"
        if not token_file.exists():
            token_file.write_text(door_token(self.place) + "\n")
            token_file.chmod(0o600)
        ready = self._ready()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "node.cli", "reader", "--node", self.place.base_url,
                 "--token-file", str(token_file), "--door", "entree", "--state", str(self.state),
                 "--reader", READER, "--refresh", "1"],
                stdout=log, stderr=subprocess.STDOUT, env=self.place.env,
            )  # fmt: skip
        wait_for(lambda: self._ready() > ready, what="the door daemon ready")

    def _ready(self) -> int:
        return self.log_path.read_text().count("prête") if self.log_path.exists() else 0

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


def door_token(place: LocalPlace) -> str:
    out = place.cli("token", "--data", str(place.data), "--actor", place.handle,
                    "--scope", "door").stdout  # fmt: skip
    return str(out).strip().splitlines()[-1]


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
    # The home place keeps it: signed by popcafe's door, whose key popcafe vouched for.
    wait_for(lambda: coroutine.query("SELECT 1 FROM visits WHERE grant_id = ? AND local = 0",
                                     (grant_id,)), what="the visit kept at home")  # fmt: skip
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
            cached = _door_bundle(daemon)
            return cached if cached.card_required else None

        bundle = wait_for(door_bundle, what="the card requirement in the door's bundle")
        assert decide(grant, None, bundle, time.time()).reason == "card_required"
        assert daemon.tap_card(VirtualNtag215(CARD, grant_message(grant))).startswith("ACCEPTÉ")
    finally:
        popcafe.cli("badge", "policy", "--data", data, "--card-required", "non")


def _place_key(place: LocalPlace) -> ed25519.Ed25519PrivateKey:
    """The place's own Ed25519 key, from its data folder: what signs its bundles."""
    pem = place.query("SELECT ed25519_private_pem FROM local_actors WHERE handle = ?",
                      (place.handle,))[0][0]  # fmt: skip
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def _door_bundle(daemon: Daemon) -> TrustBundle:
    return TrustBundle.from_json(json.loads(json.loads(
        (daemon.state / "bundle.json").read_text())["bundle"]))  # fmt: skip


def test_a_bundle_four_days_old_is_refused_at_the_door(door: Door) -> None:
    """A door cut off from its node for days stops honouring grants: it cannot know of the
    revocations meanwhile. The place's own key signed that old bundle: only its age refuses."""
    coroutine, popcafe, _, daemon = door
    grant = issue(coroutine, "alice", CARD)
    assert daemon.tap(CARD, grant).startswith("ACCEPTÉ")
    four_days_ago = time.time() - 4 * 86400
    old = dataclasses.replace(_door_bundle(daemon), generated_at=four_days_ago)
    daemon.stop()
    popcafe.stop()
    try:
        (daemon.state / "bundle.json").write_text(json.dumps(seal(old, _place_key(popcafe))))
        daemon.start()  # node down: it decides from the bundle on disk
        line = daemon.tap(CARD, grant)
        assert line.startswith("REFUSÉ") and "(stale_bundle)" in line, line
        assert "trop longtemps" in line
    finally:
        popcafe.start()
    # Back in touch with its node: a fresh bundle, and the door lets members in again.
    wait_for(lambda: daemon.tap(CARD, grant).startswith("ACCEPTÉ"),
             timeout=60, what="the door deciding again from a fresh bundle")  # fmt: skip


def test_a_forged_bundle_is_refused_at_the_door(door: Door) -> None:
    """Someone who can write to the door's disk (or sit between it and its node) serves a
    bundle that trusts a stranger: not signed by the place, it is not used."""
    _, popcafe, stranger, daemon = door
    grant = issue(stranger, "zoe", CARD)
    forger = ed25519.Ed25519PrivateKey.generate()
    bundle = _door_bundle(daemon)
    forged = dataclasses.replace(
        bundle, generated_at=time.time(),
        issuers={**bundle.issuers,
                 stranger.actor_id(): {grants.key_id(forger.public_key()): forger.public_key()}},
    )  # fmt: skip
    daemon.stop()
    popcafe.stop()
    try:
        (daemon.state / "bundle.json").write_text(json.dumps(seal(forged, forger)))
        daemon.start()
        line = daemon.tap(CARD, grant)
        assert line.startswith("REFUSÉ") and "(no_bundle)" in line, line
        assert "Paquet de confiance refusé" in daemon.log_path.read_text()
    finally:
        popcafe.start()
    wait_for(lambda: "(no_bundle)" not in daemon.tap(CARD, grant), timeout=60,
             what="the door deciding from its place's bundle again")  # fmt: skip
    assert daemon.decisions()[-1].startswith("REFUSÉ")
    assert "(unknown_issuer)" in daemon.decisions()[-1]

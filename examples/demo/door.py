"""A member's card at another place's door: through the real door where this machine has one.

Where pcscd runs with vsmartcard's virtual reader and pyscard is installed (`make test` sets
them up), the demo starts `interlieux reader` at the visited place and taps an emulated NTAG215
holding what `badge issue --out` wrote: the same path as a real door and a real card. Elsewhere
it checks the grant with `interlieux checkin`, as a reception desk without a reader does. Both
decide with the same function and report the visit the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from federation_tests.network import LocalPlace, wait_for

DOOR = "accueil"


@dataclass(frozen=True)
class Tap:
    accepted: bool
    said: str  # the door's own words, as its log or checkin printed them
    path: str  # "lecteur de cartes (PC/SC)" or "accueil sans lecteur (checkin)"


def virtual_reader() -> str | None:
    """The virtual reader's name if pcscd shows it and pyscard is installed, else None."""
    try:
        from federation_tests.door.vcard import reader_name
        from reader.card import list_readers

        name = reader_name()
        return name if name in list_readers() else None
    except Exception:  # no pyscard, no pcscd, no vpcd: the desk path, not a failure
        return None


def tap(visited: LocalPlace, grant_text: str, card_uid: bytes, ndef: bytes, state: Path) -> Tap:
    """`ndef`: what `badge issue --out` wrote, as a card-writing app puts it on the card."""
    reader = virtual_reader()
    if reader is None:
        return _checkin(visited, grant_text, card_uid)
    return _reader(visited, grant_text, card_uid, ndef, state, reader)


def _checkin(visited: LocalPlace, grant_text: str, card_uid: bytes) -> Tap:
    done = visited.cli(
        "checkin", "--data", str(visited.data), "--grant", grant_text,
        "--card-uid", card_uid.hex(), "--door", DOOR, check=False,
    )  # fmt: skip
    decision = json.loads(done.stdout)
    accepted = decision.get("decision") == "accept"  # and checkin exits 0
    said = f"{'ACCEPTÉ' if accepted else 'REFUSÉ'} — {decision.get('message')}"
    return Tap(accepted and done.returncode == 0, said, "accueil sans lecteur, interlieux checkin")


def _reader(
    visited: LocalPlace, grant_text: str, card_uid: bytes, ndef: bytes, state: Path, name: str
) -> Tap:
    from federation_tests.door.vcard import VirtualNtag215
    from node.access import grant as grants

    log_path = state.with_suffix(".log")
    # A door's own token (scope `door`: the bundle and the taps, nothing else), in the
    # environment as a door's service file sets it: never on a command line. The reader makes
    # its key and enrols with it at its first start.
    made = visited.cli("token", "--data", str(visited.data), "--actor", visited.handle,
                       "--scope", "door").stdout  # fmt: skip
    env = {**visited.env, "INTERLIEUX_READER_TOKEN": str(made).strip().splitlines()[-1]}
    with log_path.open("ab") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "node.cli", "reader", "--node", visited.base_url,
             "--door", DOOR, "--state", str(state), "--reader", name, "--refresh", "1"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        wait_for(lambda: "prête" in log_path.read_text(), timeout=30, what="the door ready")
        marker = f"PORTE {DOOR} : "

        def decisions() -> list[str]:
            lines = log_path.read_text().splitlines()
            found = [line.split(marker, 1)[1] for line in lines if marker in line]
            return [line for line in found if line.startswith(("ACCEPTÉ", "REFUSÉ"))]

        grant = grants.from_text(grant_text)
        with VirtualNtag215(card_uid, ndef):  # the cheap NFC card most places buy
            said = wait_for(decisions, timeout=20, what="the door's decision")[-1]
            time.sleep(0.2)  # a person's hand stays on the reader a moment
        if said.startswith("ACCEPTÉ"):
            # The door reports the tap from its on-disk queue: let it reach the node first.
            grant_id = grants.read(grant)[0].grant_id
            wait_for(
                lambda: visited.query("SELECT 1 FROM visits WHERE grant_id = ?", (grant_id,)),
                timeout=20,
                what="the tap reported to the visited place",
            )
    finally:
        daemon.terminate()
        daemon.wait(timeout=15)
    return Tap(said.startswith("ACCEPTÉ"), said, "lecteur de cartes PC/SC, carte NTAG215 émulée")

"""The Badge Inter-Lieux through the CLI, as a place's team and a door without a reader use it:
the cards the tests tap, `badge issue`, and `checkin` (a phone scanning the member's QR code)."""

from __future__ import annotations

import json
from typing import Any

from .network import LocalPlace

CARD = "04A224B2C31580"
OTHER_CARD = "04FFEEDDCCBB80"


def issue(place: LocalPlace, member: str = "alice", card: str = CARD, *extra: str) -> str:
    """`interlieux badge issue` for `member`'s card: the grant as the text of its QR code."""
    out = place.cli("badge", "issue", "--data", str(place.data), "--member", member,
                    "--card-uid", card, *extra).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def checkin(
    place: LocalPlace, text: str, card: str | None = None, door: str = "porte-rue"
) -> tuple[int, dict[str, Any]]:
    """`interlieux checkin` of a grant at `place`'s `door`, with the card's UID if tapped:
    (exit code, 0 let in and 1 refused; the decision the CLI prints)."""
    args = ["checkin", "--data", str(place.data), "--grant", text, "--door", door]
    if card:
        args += ["--card-uid", card]
    result = place.cli(*args, check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)

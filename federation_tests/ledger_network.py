"""What the compensation tests do and read on their two peered places (the `home_and_visited`
fixture): visits at the visited place, claims, the books on both sides, replays."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import door
from node.access import grant as grants
from node.access.tap import TapReport
from node.signature import sign_request
from vocab.context import DOCUMENT_CONTEXT

from . import badges
from .network import LocalPlace, wait_for


def period() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def checkin(home: LocalPlace, visited: LocalPlace, grant: str) -> str:
    """A member of `home` taps in at `visited`; returns the visit id once `home` has it."""
    code, result = badges.checkin(visited, grant, badges.CARD)
    assert code == 0, result
    visit = str(result["visit"])
    wait_for(
        lambda: home.query("SELECT 1 FROM visits WHERE id = ? AND local = 0", (visit,)),
        what=f"visit {visit} at the home place",
    )
    return visit


def send_claims(place: LocalPlace, *extra: str) -> str:
    return place.cli("claims", "send", "--data", str(place.data), "--period", period(),
                     *extra).stdout  # fmt: skip


def balances(place: LocalPlace) -> dict[str, str]:
    out = place.cli("ledger", "--data", str(place.data), "--json").stdout
    return {b["peer"]: b["balance"] for b in json.loads(out)["balances"]}


def balance(place: LocalPlace, peer: LocalPlace) -> str:
    return balances(place).get(peer.actor_id(), "0.00")


def lines(place: LocalPlace, direction: str) -> dict[str, tuple[str, str | None]]:
    rows = place.query(
        "SELECT l.visit_id, l.state, l.reason FROM claim_lines l"
        " JOIN claims c ON c.id = l.claim_id WHERE c.direction = ?",
        (direction,),
    )
    return {r["visit_id"]: (r["state"], r["reason"]) for r in rows}


def booked(place: LocalPlace, peer: LocalPlace) -> str:
    """The balance straight from the books (cheap enough to poll); `balance` is the CLI's."""
    rows = place.query(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE account = ?",
        (f"peer:{peer.actor_id()}",),
    )
    cents = int(rows[0][0])
    return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def settled(
    home: LocalPlace, visited: LocalPlace, amount: str, timeout: float = 30, cli: bool = False
) -> None:
    """Wait until both books agree on `amount` owed by home to visited, nothing pending; with
    `cli`, check that `interlieux ledger --json` says so on both sides."""
    wait_for(
        lambda: booked(visited, home) == amount and booked(home, visited) == _neg(amount)
        and not any(s == "pending" for s, _ in lines(visited, "sent").values()),
        timeout=timeout,
        what=f"both ledgers at {amount}",
    )  # fmt: skip
    if cli:
        assert balance(visited, home) == amount
        assert balance(home, visited) == _neg(amount)


def _neg(amount: str) -> str:
    return amount[1:] if amount.startswith("-") else ("0.00" if amount == "0.00" else "-" + amount)


def forge_visit(
    place: LocalPlace, home: LocalPlace, grant_id: str, visited_at: float | None = None
) -> str:
    """A visit recorded at `place` that was never reported to `home` (as a door's bad report),
    at `visited_at` (now if not given)."""
    visit = f"{place.base_url}/visits/{uuid.uuid4()}"
    conn = sqlite3.connect(place.data / "interlieux.sqlite3", timeout=10)
    try:
        conn.execute(
            "INSERT INTO visits (id, report_id, grant_id, issuer, member, place, door,"
            " visited_at, local) VALUES (?,?,?,?,?,?,?,?,1)",
            (visit, str(uuid.uuid4()), grant_id, home.actor_id(), home.actor_id("alice"),
             place.actor_id(), "porte-rue", time.time() if visited_at is None else visited_at),
        )  # fmt: skip
        conn.commit()
    finally:
        conn.close()
    return visit


def report_visit(
    place: LocalPlace, home: LocalPlace, visit: str, grant: str, visited_at: float
) -> None:
    """`place` reports a visit of `home`'s member alice with `grant` (its text) to `home`, as
    its node does at tap time (the Create of the tl:Visit), but now, whatever time the visit
    says it was. The tap report is signed with the place's own key, as at a desk
    (`checkin`): a dishonest place can always sign what it makes up."""
    when = datetime.fromtimestamp(visited_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    member = home.actor_id("alice")
    grant_id = grants.read(grants.from_text(grant))[0].grant_id
    report = door.sign_report(
        TapReport(str(uuid.uuid4()), grants.from_text(grant), None, "porte-rue", visited_at,
                  True, "ok"),
        _place_ed25519(place),
    )  # fmt: skip
    document = {
        "@context": DOCUMENT_CONTEXT,
        "id": f"{place.base_url}/activities/{uuid.uuid4()}", "type": "Create",
        "actor": place.actor_id(), "to": [home.actor_id(), member],
        "object": {
            "id": visit, "type": "tl:Visit", "attributedTo": place.actor_id(),
            "tl:visitor": member, "tl:homePlace": home.actor_id(), "tl:place": place.actor_id(),
            "tl:door": "porte-rue", "tl:grant": grant_id, "startTime": when, "published": when,
            "tl:tapReport": report.to_json(), "to": [home.actor_id(), member],
        },
    }  # fmt: skip
    replay(place, home, document, times=1)


def _place_ed25519(place: LocalPlace) -> ed25519.Ed25519PrivateKey:
    (pem,) = place.query(
        "SELECT ed25519_private_pem FROM local_actors WHERE id = ?", (place.actor_id(),)
    )[0]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def activity(place: LocalPlace, activity_id: str) -> dict[str, Any]:
    rows = place.query("SELECT document FROM activities WHERE id = ?", (activity_id,))
    return dict(json.loads(rows[0][0]))


def replay(
    sender: LocalPlace, to: LocalPlace, document: dict[str, Any], times: int = 2
) -> list[str]:
    """POST `document` to `to`'s inbox signed once by `sender`, `times` times: a replay."""
    key = sender.private_key()
    body = json.dumps(document).encode()
    url = f"{to.actor_id()}/inbox"
    headers = sign_request("POST", url, f"{sender.actor_id()}#main-key", key, body=body,
                           extra_headers={"content-type": "application/activity+json"})  # fmt: skip
    answers = []
    for _ in range(times):
        response = httpx.post(url, content=body, headers=headers, timeout=10)
        assert response.status_code == 202, response.text
        answers.append(str(response.json()["status"]))
    return answers

"""A member erases their account from their page (issue 14, acceptance): the `Delete` of their
actor reaches the peer that knew them, which verifies it and drops their actor and objects;
the home place's books still balance and no longer name them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx

from node.signature import sign_request

from .badges import issue
from .ledger_network import checkin, send_claims, settled
from .network import Pair, wait_for

PASSWORD = "une phrase assez longue"


def signed_in_browser(place_url: str, invite_link: str) -> httpx.Client:
    """A browser that follows the team's invitation link and chooses a password."""
    browser = httpx.Client(base_url=place_url, headers={"accept": "text/html"}, timeout=30)
    page = browser.get(invite_link)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, page.text
    answer = browser.post(invite_link, data={"csrf": token.group(1), "password": PASSWORD,
                                             "confirmation": PASSWORD})  # fmt: skip
    assert answer.status_code == 303, answer.text
    return browser


def names(row: Any, actor: str) -> bool:
    """Whether a row holds the actor's id, as a column or inside a JSON document."""
    return any(c == actor or (isinstance(c, str) and json.dumps(actor) in c) for c in row)


def form_token(browser: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', browser.get(path).text)
    assert found
    return found.group(1)


def test_alice_erases_her_account_and_the_peer_drops_her_actor_and_objects(
    home_and_visited: Pair,
) -> None:
    home, visited = home_and_visited
    alice = home.actor_id("alice")
    # popcafe knows alice: it follows her, and she visited it (a claim paid for the visit).
    visited.follow(alice)
    visit = checkin(home, visited, issue(home))
    assert "Réclamation envoyée" in send_claims(visited)
    settled(home, visited, "5.00")

    link = home.cli("member", "invite", "--data", str(home.data), "--handle", "alice").stdout
    browser = signed_in_browser(home.base_url, link.strip().splitlines()[-1])
    headers = {"origin": home.base_url}
    csrf = form_token(browser, "/moi/publier")
    note = {"csrf": csrf, "kind": "note", "content": "Bonjour popcafe"}
    sent = browser.post("/moi/publier", data=note, headers=headers)
    assert sent.status_code == 303, sent.text
    notes = "SELECT 1 FROM objects WHERE attributed_to = ? AND type = 'Note'"
    wait_for(lambda: visited.query(notes, (alice,)), what="alice's note at popcafe")

    # A Delete of alice signed by someone else is refused: popcafe verifies who sends it.
    forged = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Delete",
              "id": f"{home.base_url}/activities/{uuid.uuid4()}", "actor": alice,
              "object": alice, "to": ["https://www.w3.org/ns/activitystreams#Public"]}  # fmt: skip
    body = json.dumps(forged).encode()
    inbox = f"{visited.base_url}/inbox"
    signed = sign_request("POST", inbox, f"{home.actor_id()}#main-key", home.private_key(),
                          body=body,
                          extra_headers={"content-type": "application/activity+json"})  # fmt: skip
    assert httpx.post(inbox, content=body, headers=signed, timeout=10).status_code in (401, 403)
    assert visited.query("SELECT 1 FROM remote_actors WHERE id = ?", (alice,))

    # Her download first: everything the node holds about her, no card UID.
    mine = browser.get("/moi/donnees/export.jsonld")
    assert mine.status_code == 200 and "04A224B2C31580".lower() not in mine.text.lower()
    assert {v["id"] for v in mine.json()["visits"]} == {visit}

    csrf = form_token(browser, "/moi/donnees")
    erased = browser.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "alice"},
                          headers=headers)  # fmt: skip
    assert erased.status_code == 303 and erased.headers["location"] == "/compte-efface"
    browser.close()

    [(delete_id,)] = home.query("SELECT delete_id FROM erasures WHERE handle = 'alice'")
    wait_for(lambda: not visited.query("SELECT 1 FROM remote_actors WHERE id = ?", (alice,)),
             what="popcafe dropping alice's actor")  # fmt: skip
    applied = visited.query("SELECT state FROM inbox_queue WHERE activity_id = ?", (delete_id,))
    assert [r[0] for r in applied] == ["applied"]
    kept = visited.query("SELECT type, document FROM objects WHERE attributed_to = ?", (alice,))
    assert kept and all(r["type"] == "Tombstone" for r in kept)
    assert all("Bonjour" not in r["document"] for r in kept)
    assert not visited.query("SELECT 1 FROM follows WHERE follower = ? OR followee = ?",
                             (alice, alice))  # fmt: skip
    assert httpx.get(alice, headers={"accept": "application/activity+json"}).status_code == 410
    # popcafe keeps her visit (it was claimed) under a marker of its own, her name gone.
    [(theirs,)] = visited.query("SELECT member FROM visits WHERE id = ?", (visit,))
    assert theirs.startswith("urn:interlieux:erased:")
    for table in ("visits", "taps", "claims", "claim_lines", "ledger_entries"):
        assert not [r for r in visited.query(f"SELECT * FROM {table}") if names(r, alice)], table
    named = [r["id"] for r in visited.query("SELECT * FROM activities") if names(r, alice)]
    assert named == [delete_id]

    # The home place's books: unchanged, balanced, and naming no alice.
    settled(home, visited, "5.00")
    totals = home.query("SELECT currency, SUM(amount_cents) FROM ledger_entries GROUP BY currency")
    assert all(total == 0 for _, total in totals)
    for table in ("ledger_entries", "ledger_transactions", "visits", "visit_reports", "claims",
                  "claim_lines", "grants", "taps", "credit_accounts"):  # fmt: skip
        rows = home.query(f"SELECT * FROM {table}")
        assert not any("/actors/alice" in json.dumps(list(r), default=str) for r in rows), table
    [(member,)] = home.query("SELECT member FROM visits WHERE id = ?", (visit,))
    assert member.startswith("urn:interlieux:erased:")
    # The Delete went out signed by her key, to popcafe among others.
    delivered = home.query(
        "SELECT inbox, state FROM deliveries WHERE activity_id = ?", (delete_id,)
    )
    assert any(r["inbox"].startswith(visited.base_url) and r["state"] == "delivered"
               for r in delivered)  # fmt: skip

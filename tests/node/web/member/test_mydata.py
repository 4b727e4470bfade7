"""The member's own data: badge, visits, credit, events, publishing, download and erasure
(`/moi/badge`, `/moi/passages`, `/moi/credit`, `/moi/evenements`, `/moi/publier`,
`/moi/donnees`), each for the signed-in member alone, each form with its CSRF token."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from node.people.sessions import cookie_name
from tests.node.agenda.test_events import event, post
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, run, sign_in_as
from vocab.context import PUBLIC

CARD = "04A224B2C31580"
PAGES = ("/moi/badge", "/moi/passages", "/moi/credit", "/moi/evenements", "/moi/publier",
         "/moi/donnees", "/moi/donnees/export.jsonld")  # fmt: skip


def data(place: InProcessNode) -> str:
    return str(place.config.data_dir)


def issue_badge(place: InProcessNode, member: str = "alice") -> str:
    """The `BIL1:` text the team's command prints."""
    out = run("badge", "issue", "--data", data(place), "--member", member, "--card-uid", CARD)
    return out.strip().splitlines()[-1]


def as_bob(place: InProcessNode) -> str:
    """Alice's browser signed out (cookies gone), then Bob signed in on the same client."""
    place.client.cookies.clear()
    return sign_in_as(place, "bob")


def alice(place: InProcessNode) -> str:
    return place.actor_id("alice")


@pytest.mark.parametrize("path", PAGES)
def test_not_signed_in_goes_to_the_sign_in_page(place: InProcessNode, path: str) -> None:
    answer = place.client.get(path, headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/connexion?next=")


def test_the_forms_refuse_a_post_without_session(place: InProcessNode) -> None:
    for path in ("/moi/publier", "/moi/donnees/effacer"):
        answer = place.client.post(path, data={"kind": "note", "content": "x"},
                                   follow_redirects=False)  # fmt: skip
        assert answer.status_code == 303 and "/connexion" in answer.headers["location"]
    assert place.query("SELECT COUNT(*) FROM objects")[0][0] == 0


def test_the_badge_page_shows_the_qr_code_the_text_and_a_card_fingerprint_never_the_uid(
    place: InProcessNode,
) -> None:
    text = issue_badge(place)
    sign_in_as(place, "alice")
    page = place.client.get("/moi/badge", headers=HTML)
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text
    assert text in page.text
    assert CARD.lower() not in page.text.lower()
    card_hash = place.query("SELECT card_hash FROM grants")[0][0]
    assert f"{card_hash[:4].upper()}-{card_hash[4:8].upper()}" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_no_badge_says_to_ask_the_team_and_a_revoked_one_says_so(place: InProcessNode) -> None:
    sign_in_as(place, "alice")
    assert "Demandez-le à l&#39;équipe du lieu" in place.client.get("/moi/badge", headers=HTML).text
    text = issue_badge(place)
    run("badge", "revoke", "--data", data(place), "--member", "alice")
    page = place.client.get("/moi/badge", headers=HTML).text
    assert "révoqué" in page and text not in page and "<svg" not in page


def test_another_member_sees_their_own_badge_not_alice_s(place: InProcessNode) -> None:
    text = issue_badge(place)
    as_bob(place)
    page = place.client.get("/moi/badge", headers=HTML).text
    assert text not in page and "Demandez-le à l&#39;équipe du lieu" in page


def test_visits_and_credit_statement(place: InProcessNode) -> None:
    text = issue_badge(place)
    run("credit", "sell", "--data", data(place), "--account", "alice-pass", "--member", "alice",
        "--amount", "20.00")  # fmt: skip
    assert cli_checkin(place, text)
    sign_in_as(place, "alice")
    visits = place.client.get("/moi/passages", headers=HTML)
    assert visits.status_code == 200 and "accueil" in visits.text and "La Coroutine" in visits.text
    statement = place.client.get("/moi/credit", headers=HTML)
    assert "alice-pass" in statement.text and "20,00 EUR" in statement.text
    assert "achat de crédit" in statement.text
    as_bob(place)
    assert "alice-pass" not in place.client.get("/moi/credit", headers=HTML).text
    assert "Aucun passage" in place.client.get("/moi/passages", headers=HTML).text


def cli_checkin(place: InProcessNode, text: str) -> bool:
    from node.cli import main as cli

    return cli(["checkin", "--data", data(place), "--grant", text, "--card-uid", CARD]) == 0


def test_my_events_lists_the_events_i_joined(place: InProcessNode) -> None:
    event_id = post(place, event(name="Repair café")).json()["object"]["id"]
    sign_in_as(place, "alice")
    joined = post(place, {"type": "Join", "object": event_id, "to": [place.actor_id()]}, "alice")
    assert joined.status_code == 201, joined.text
    place.wait("SELECT 1 FROM event_participants WHERE actor = ?", (alice(place),))
    page = place.client.get("/moi/evenements", headers=HTML)
    assert "Repair café" in page.text and f'href="{event_id}"' in page.text


def test_publishing_a_note_goes_through_the_outbox_and_shows_its_link(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "alice")
    refused = place.client.post("/moi/publier", data={"kind": "note", "content": "Bonjour"})
    assert refused.status_code == 403
    assert place.query("SELECT COUNT(*) FROM objects")[0][0] == 0
    sent = place.client.post(
        "/moi/publier", data={"csrf": csrf, "kind": "note", "content": "Bonjour <b>à tous</b>",
                              "audience": "followers"}, follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    link = unquote(sent.headers["location"].split("publie=", 1)[1])
    row = place.query("SELECT attributed_to, document FROM objects WHERE id = ?", (link,))
    assert row and row[0][0] == alice(place)
    note = json.loads(row[0][1])
    assert note["to"] == [f"{alice(place)}/followers"]
    assert "&lt;b&gt;" in note["content"]  # typed text, not HTML
    assert place.query("SELECT 1 FROM activities WHERE object_id = ? AND type = 'Create'", (link,))
    shown = place.client.get(sent.headers["location"], headers=HTML).text
    assert f'href="{link}"' in shown


def test_an_empty_note_is_refused_on_the_form(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    answer = place.client.post("/moi/publier", data={"csrf": csrf, "kind": "note", "content": ""})
    assert answer.status_code == 400 and "Écrivez un texte" in answer.text


def test_an_answer_and_a_pledge_to_a_need_of_the_place(place: InProcessNode) -> None:
    need = {"type": "Need", "name": "Bénévoles", "needKind": "volunteers", "quantity": 3,
            "to": [PUBLIC]}  # fmt: skip
    need_id = post(place, need).json()["object"]["id"]
    csrf = sign_in_as(place, "alice")
    assert "Bénévoles" in place.client.get("/moi/publier", headers=HTML).text
    answer = place.client.post("/moi/publier", data={
        "csrf": csrf, "kind": "answer", "need": need_id, "content": "Je viens samedi"},
        follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    pledge = place.client.post("/moi/publier", data={
        "csrf": csrf, "kind": "pledge", "need": need_id, "amount": "25,50", "currency": "EUR",
        "due": "2030-06-30"}, follow_redirects=False)  # fmt: skip
    assert pledge.status_code == 303, pledge.text
    rows = place.query("SELECT type, document FROM objects WHERE attributed_to = ?",
                       (alice(place),))  # fmt: skip
    documents = [json.loads(r[1]) for r in rows]
    assert any(d.get("inReplyTo") == need_id for d in documents)
    pledged = [d for d in documents if "Pledge" in d["type"]]
    assert pledged and pledged[0]["funds"] == need_id and pledged[0]["amount"] == "25.50"
    wrong = place.client.post(
        "/moi/publier",
        data={"csrf": csrf, "kind": "answer", "need": "https://ailleurs.example/x", "content": "x"},
    )
    assert wrong.status_code == 400 and "besoins ouverts" in wrong.text


def test_the_download_holds_my_data_and_no_card_uid(place: InProcessNode) -> None:
    text = issue_badge(place)
    cli_checkin(place, text)
    run("credit", "sell", "--data", data(place), "--account", "alice-pass", "--member", "alice",
        "--amount", "20.00")  # fmt: skip
    csrf = sign_in_as(place, "alice")
    place.client.post("/moi/publier", data={"csrf": csrf, "kind": "note", "content": "Salut"})
    answer = place.client.get("/moi/donnees/export.jsonld")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/ld+json")
    assert answer.headers["content-disposition"].startswith('attachment; filename="interlieux-')
    assert CARD.lower() not in answer.text.lower()
    assert "password" not in answer.text.lower().replace("passwordsetat", "")
    mine = answer.json()
    assert mine["subject"] == alice(place) and mine["actor"]["id"] == alice(place)
    assert "@context" in mine
    assert [b["state"] for b in mine["badges"]] == ["valid"] and mine["badges"][0]["card"]
    assert len(mine["visits"]) == 1 and mine["visits"][0]["door"] == "accueil"
    assert mine["credit"][0]["account"] == "alice-pass"
    assert mine["credit"][0]["movements"][0]["amount"] == "20.00"
    assert any(o.get("content") == "<p>Salut</p>" for o in mine["objects"])
    assert any(a["type"] == "Create" for a in mine["activities"])
    assert mine["sessions"] and "token" not in json.dumps(mine["sessions"])
    assert mine["passkeys"] == []
    as_bob(place)
    theirs = place.client.get("/moi/donnees/export.jsonld").json()
    assert theirs["subject"] == place.actor_id("bob")
    assert alice(place) not in json.dumps(theirs)


def test_erasure_needs_the_token_and_the_handle_typed(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    refused = place.client.post("/moi/donnees/effacer", data={"handle": "alice"})
    assert refused.status_code == 403
    wrong = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "alic"})
    assert wrong.status_code == 400 and 'value="alic"' in wrong.text
    assert place.query("SELECT 1 FROM accounts WHERE handle = 'alice'")
    assert place.client.get("/moi", headers=HTML, follow_redirects=False).status_code == 200


def test_erasure_removes_the_account_and_keeps_the_ledger_without_the_name(
    place: InProcessNode,
) -> None:
    text = issue_badge(place)
    cli_checkin(place, text)
    run("credit", "sell", "--data", data(place), "--account", "pass-1", "--member", "alice",
        "--amount", "20.00")  # fmt: skip
    csrf = sign_in_as(place, "alice")
    place.client.post("/moi/publier", data={"csrf": csrf, "kind": "note", "content": "Salut"})
    project = {"csrf": csrf, "title": "Atelier vélo", "description": "", "link": ""}
    assert place.client.post("/moi/projets", data=project).status_code == 200
    assert place.client.get("/moi/donnees/export.jsonld").json()["projects"][0]["title"] == (
        "Atelier vélo"
    )
    note = place.query("SELECT id FROM objects WHERE attributed_to = ?", (alice(place),))[0][0]
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "@alice"},
                               follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303 and erased.headers["location"] == "/compte-efface"
    assert erased.headers["set-cookie"].startswith(f"{cookie_name(place.config.base_url)}=")
    assert place.client.get("/moi", headers=HTML, follow_redirects=False).status_code == 303
    assert "Compte effacé" in place.client.get("/compte-efface", headers=HTML).text
    for table in ("accounts", "sessions", "passkeys", "invitations", "profile_fields", "projects"):
        assert not place.query(f"SELECT 1 FROM {table} WHERE handle = 'alice'"), table
    gone = place.client.get(alice(place), headers={"accept": "application/activity+json"})
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"
    as_json = {"accept": "application/activity+json"}
    assert place.client.get(note, headers=as_json).status_code == 410
    assert place.client.post("/actors/alice/inbox", json={}).status_code == 410
    [(marker,)] = place.query("SELECT member FROM visits")
    assert marker.startswith("urn:interlieux:erased:")
    # Nothing kept beside her handle leads to the marker.
    assert place.query("SELECT * FROM erasures WHERE handle = 'alice'")
    assert not place.query(
        "SELECT 1 FROM erasures WHERE handle = 'alice' AND instr(actor_id || delete_id, ?)",
        (marker,),
    )
    assert place.query("SELECT member, revoked_at IS NOT NULL FROM grants") == [(marker, 1)]
    assert place.query("SELECT members FROM credit_accounts") == [(json.dumps([marker]),)]
    assert not place.query("SELECT 1 FROM badge_texts")
    # The books still balance, and no kept record names her.
    assert place.query("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries") == [(0,)]
    kept = (("visits", "member"), ("taps", "member"), ("grants", "member"),
            ("credit_accounts", "members"), ("claims", "document"),
            ("ledger_transactions", "memo"), ("ledger_entries", "reference"))  # fmt: skip
    for table, column in kept:
        assert not place.query(f"SELECT 1 FROM {table} WHERE {column} LIKE '%/actors/alice%'")
    deleted = place.query("SELECT document FROM activities WHERE actor = ?", (alice(place),))
    assert [json.loads(d)["type"] for (d,) in deleted] == ["Delete"]
    # Nobody can be invited under the erased id.
    from node.cli import main as cli

    assert cli(["member", "invite", "--data", data(place), "--handle", "alice"]) != 0


def test_the_pages_speak_english_too(place: InProcessNode) -> None:
    issue_badge(place)
    sign_in_as(place, "alice")
    titles = (("/moi/badge", "My inter-place badge"), ("/moi/passages", "My visits"),
              ("/moi/credit", "My Crédit Inter-Lieux"), ("/moi/evenements", "My events"),
              ("/moi/publier", "Publish as myself"), ("/moi/donnees", "My data"))  # fmt: skip
    for path, title in titles:
        page = place.client.get(f"{path}?lang=en", headers=HTML)
        assert page.status_code == 200 and f"<h1>{title}</h1>" in page.text, path


def test_the_download_is_json_ld_a_second_processor_reads(place: InProcessNode) -> None:
    from pyld import jsonld

    from vocab import loader

    loader.install()
    issue_badge(place)
    sign_in_as(place, "alice")
    expanded = jsonld.expand(place.client.get("/moi/donnees/export.jsonld").json())
    assert expanded[0]["https://www.w3.org/ns/activitystreams#actor"][0]["@id"] == alice(place)


def test_the_places_last_admin_account_is_not_erased(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "ada", "admin")
    refused = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "ada"},
                                follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403
    assert "donnez d&#39;abord ce rôle à quelqu&#39;un d&#39;autre" in refused.text
    assert place.query("SELECT roles FROM accounts WHERE handle = 'ada'") == [("admin",)]
    assert not place.query("SELECT 1 FROM erasures")
    # With a second administrator, she may go.
    place.client.cookies.clear()
    sign_in_as(place, "adele", "admin")
    place.client.cookies.clear()
    csrf = sign_in_as(place, "ada")
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "ada"},
                               follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303

"""`/equipe/pairs`: the team adds a peer and changes its rate from the page as `peer add`
does, removes one; the ledger with a peer, and its CSV. Only the team: a door session gets
403 on the ledger, a form without its CSRF token changes nothing."""

from __future__ import annotations

from node.ledger.books import entries_csv
from node.web.team.peers import peer_key
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import add_peer, peer_place, shown


def test_not_signed_in_goes_to_the_sign_in_page(place: InProcessNode) -> None:
    answer = place.client.get("/equipe/pairs", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion?next=%2Fequipe%2Fpairs"


def test_a_door_session_cannot_open_the_peers_nor_the_ledger(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    sign_in_as(place, "dora", "door")
    for path in ("/equipe/pairs", f"/equipe/pairs/{peer_key(peer.actor)}",
                 f"/equipe/pairs/{peer_key(peer.actor)}.csv"):  # fmt: skip
        answer = place.client.get(path, headers=HTML)
        assert answer.status_code == 403, path
        assert "réservée à l'équipe" in shown(answer)
        assert "BANK" not in shown(answer) and "Comptes avec" not in shown(answer)


def test_the_team_adds_a_peer_then_changes_its_rate(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    csrf = sign_in_as(place, "theo", "team")
    page = place.client.get("/equipe/pairs", headers=HTML)
    assert page.status_code == 200
    assert "Aucun pair pour l'instant" in shown(page)

    form = {"csrf": csrf, "actor": peer.actor, "rate": "4,50", "currency": "eur"}
    answer = place.client.post("/equipe/pairs", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/equipe/pairs?fait=ajoute"
    # Stored as the CLI stores it, the French comma read as a decimal point.
    assert place.query("SELECT visit_rate, currency FROM peers") == [("4.50", "EUR")]
    page = place.client.get("/equipe/pairs?fait=ajoute", headers=HTML)
    assert "Pair enregistré" in shown(page)
    assert "La Fabrik" in shown(page) and "4,50 EUR" in shown(page)
    # The follow the CLI sends too.
    stand_in.wait_received(lambda body: body.get("type") == "Follow")

    edit = place.client.get(f"/equipe/pairs?modifier={peer_key(peer.actor)}", headers=HTML)
    assert f'value="{peer.actor}"' in shown(edit) and 'value="4.50"' in shown(edit)
    form["rate"] = "6"
    assert place.client.post("/equipe/pairs", data=form).status_code == 200
    assert place.query("SELECT visit_rate FROM peers") == [("6.00",)]


def test_a_wrong_rate_is_said_on_the_form_keeping_what_was_typed(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    csrf = sign_in_as(place, "theo", "team")
    form = {"csrf": csrf, "actor": peer.actor, "rate": "cinq", "currency": "EUR"}
    answer = place.client.post("/equipe/pairs", data=form)
    assert answer.status_code == 400
    assert "Le montant « cinq » n'est pas valable" in shown(answer)
    assert f'value="{peer.actor}"' in shown(answer) and 'value="cinq"' in shown(answer)
    assert place.query("SELECT * FROM peers") == []


def test_an_unreachable_place_is_said_on_the_form(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "theo", "team")
    form = {"csrf": csrf, "actor": "http://127.0.0.1:9/actors/nowhere", "rate": "1"}
    answer = place.client.post("/equipe/pairs", data=form)
    assert answer.status_code == 400
    assert "Impossible de joindre le lieu" in shown(answer)


def test_without_its_csrf_token_a_form_changes_nothing(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    sign_in_as(place, "theo", "team")
    added = {"actor": "http://127.0.0.1:9/actors/other", "rate": "1", "currency": "EUR"}
    assert place.client.post("/equipe/pairs", data=added).status_code == 403
    removed = {"actor": peer.actor, "csrf": "pas-le-bon"}
    assert place.client.post("/equipe/pairs/retirer", data=removed).status_code == 403
    assert place.query("SELECT actor_id FROM peers") == [(peer.actor,)]


def test_the_team_removes_a_peer(place: InProcessNode, stand_in: StandIn) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    csrf = sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/pairs/retirer", data={"csrf": csrf, "actor": peer.actor},
                               follow_redirects=False)  # fmt: skip
    assert answer.headers["location"] == "/equipe/pairs?fait=retire"
    assert place.query("SELECT * FROM peers") == []
    assert (
        place.client.get(f"/equipe/pairs/{peer_key(peer.actor)}", headers=HTML).status_code == 404
    )


def test_an_empty_ledger_and_its_csv(place: InProcessNode, stand_in: StandIn) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    sign_in_as(place, "theo", "team")
    page = place.client.get(f"/equipe/pairs/{peer_key(peer.actor)}", headers=HTML)
    assert page.status_code == 200
    assert "Comptes avec La Fabrik" in shown(page)
    assert "Aucune écriture avec ce lieu" in shown(page)
    csv = place.client.get(f"/equipe/pairs/{peer_key(peer.actor)}.csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.lstrip("\ufeff").splitlines() == [
        "date;transaction;nature;libellé;compte;débit;crédit;devise;référence"
    ]


def test_the_csv_has_decimal_commas_and_runs_no_formula() -> None:
    rows = [
        {"txn": 1, "booked_at": 0.0, "kind": "settlement", "memo": "=HYPERLINK(\"x\")",
         "amount_cents": -1050, "currency": "EUR", "reference": "VIR-1"},
    ]  # fmt: skip
    text = entries_csv(rows, "peer:https://b.example/actors/b")
    assert text.splitlines()[1] == (
        '1970-01-01 00:00:00;1;settlement;"\'=HYPERLINK(""x"")";'
        "peer:https://b.example/actors/b;;10,50;EUR;VIR-1"
    )

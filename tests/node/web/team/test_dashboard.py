"""The team's dashboard, `/equipe`: today's visitors at the doors and their home place (the
door role sees those only); for the team, the counts of what waits and the credit sold this
month, each linking to the page that deals with it."""

from __future__ import annotations

import html
import re
import time

from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, run, sign_in_as

from .team import only_for, write


def count(page: str, key: str) -> str:
    found = re.search(rf'data-count="{key}">([^<]*)<', page)
    assert found, page
    return found.group(1)


def test_the_dashboard_is_for_the_door_role_and_up(place: InProcessNode) -> None:
    only_for(place, ["/equipe"], "door", "")


def test_the_door_role_sees_todays_visitors_and_nothing_else(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    said = run("badge", "issue", "--data", data, "--member", "alice", "--card-uid", "04A2")
    text = said.strip().splitlines()[-1]
    run("checkin", "--data", data, "--grant", text, "--card-uid", "04A2", "--door", "atelier")
    # A refused tap: a badge that is not one.
    from node.cli import main as cli

    assert cli(["checkin", "--data", data, "--grant", "BIL1:PASUNBADGE", "--door", "accueil"]) == 1
    sign_in_as(place, "dora", "door")
    page = place.client.get("/equipe", headers=HTML)
    assert page.status_code == 200
    rows = re.findall(
        r"<tr>\s*<td>(\d\d:\d\d)</td><td>([^<]*)</td><td>([^<]*)</td>"
        r"<td>([^<]*)</td>\s*<td>([^<]*)</td>",
        html.unescape(page.text),
    )
    assert [r[1:] for r in rows] == [
        (
            "badge illisible",
            "",
            "accueil",
            "refusée — Badge illisible : ce n'est pas un badge inter-lieux valide.",
        ),
        ("Alice", "La Coroutine", "atelier", "acceptée"),
    ]
    assert "À faire" not in page.text and 'data-count="' not in page.text
    for path in ("/equipe/membres", "/equipe/evenements", "/equipe/besoins", "/equipe/lieu"):
        assert place.client.get(path, headers=HTML).status_code == 403, path


def test_the_team_sees_what_waits_for_it_and_the_credit_sold(
    place: InProcessNode, stand_in: StandIn
) -> None:
    sign_in_as(place, "tom", "team")
    page = place.client.get("/equipe", headers=HTML).text
    assert [
        count(page, k)
        for k in (
            "residents",
            "projects",
            "deliveries",
            "claims_received",
            "claims_sent",
            "settlements",
            "credit",
        )
    ] == ["0", "0", "0", "0", "0", "0", "aucun"]
    for href in (
        "/equipe/validation",
        "/equipe/envois",
        "/equipe/reclamations",
        "/equipe/reglements",
    ):
        assert f'href="{href}"' in page

    data = str(place.config.data_dir)
    run(
        "credit",
        "sell",
        "--data",
        data,
        "--account",
        "metropole",
        "--member",
        "alice",
        "--amount",
        "1250",
        "--currency",
        "EUR",
    )
    # A member of another place asks to be a resident: a Join of the place.
    mila = stand_in.add_actor("/users/mila")
    join = {"id": f"{mila}/join/1", "type": "Join", "actor": mila, "object": place.actor_id()}
    assert place.post_signed("/inbox", join, stand_in.key, f"{mila}#main-key").status_code == 202
    place.wait("SELECT 1 FROM residents WHERE actor = ? AND state = 'pending'", (mila,))
    # A follower whose server fails: the Accept of its Follow waits with its error.
    stand_in.status = 500
    fan = stand_in.add_actor("/users/fan")
    follow = {"id": f"{fan}/follow/1", "type": "Follow", "actor": fan, "object": place.actor_id()}
    assert place.post_signed("/inbox", follow, stand_in.key, f"{fan}#main-key").status_code == 202
    place.wait("SELECT 1 FROM deliveries WHERE last_error IS NOT NULL")
    # A project a member submitted (as /moi/projets records it).
    write(
        place,
        "INSERT INTO projects (handle, title, state, created_at) VALUES (?, ?, 'pending', ?)",
        ("alice", "Vélo cargo partagé", time.time()),
    )
    # A peer's declared payment to confirm, a claim received with a line pending, and a claim
    # sent that waits for its answer, as the ledger writes them.
    now = time.time()
    write(
        place,
        "INSERT INTO settlements (id, direction, offer_id, peer, payer, payee,"
        " amount_cents, currency, reference, state, created_at) VALUES"
        " ('s1', 'received', 'o1', ?, ?, ?, 1000, 'EUR', 'VIR-1', 'to_confirm', ?)",
        (mila, mila, place.actor_id(), now),
    )
    for claim, direction, answered in (
        ("c1", "received", None),
        ("c2", "sent", None),
        ("c3", "sent", now),
    ):
        write(
            place,
            "INSERT INTO claims (id, direction, offer_id, peer, period, rate_cents,"
            " currency, total_cents, document, created_at, answered_at) VALUES"
            " (?, ?, 'o', ?, '2026-11', 500, 'EUR', 500, '{}', ?, ?)",
            (claim, direction, mila, now, answered),
        )
        write(
            place,
            "INSERT INTO claim_lines (claim_id, visit_id, grant_id, visited_at,"
            " amount_cents, state) VALUES (?, 'v', 'g', ?, 500, 'pending')",
            (claim, now),
        )

    page = place.client.get("/equipe", headers=HTML).text
    assert [
        count(page, k)
        for k in (
            "residents",
            "projects",
            "deliveries",
            "claims_received",
            "claims_sent",
            "settlements",
        )
    ] == ["1", "1", "1", "1", "1", "1"]
    assert count(page, "credit") == "1\u202f250,00 EUR"
    english = place.client.get("/equipe?lang=en", headers=HTML).text
    assert count(english, "credit") == "1,250.00 EUR" and "Credit sold this month" in english

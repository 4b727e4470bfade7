"""Needs and pledges in a browser, in-process: open public needs with who answered, totals per
project, each one's page at its id, and the same URLs still JSON for the fediverse."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from node.web import commons
from node.web.commons import PledgeView, money, number_text, totals
from tests.node.agenda.test_events import post
from tests.node.conftest import PUBLIC, InProcessNode

AS_JSON = "application/activity+json"
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def need(name: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Need", "name": name, "needKind": "volunteers", "quantity": 2,
            "to": [PUBLIC], **extra}  # fmt: skip


def pledge(amount: str, funds: Any, currency: str = "EUR", **extra: Any) -> dict[str, Any]:
    return {"type": "Pledge", "amount": amount, "currency": currency, "funds": funds,
            "due": "2030-12-31T00:00:00Z", "to": [PUBLIC], **extra}  # fmt: skip


def created(place: InProcessNode, body: dict[str, Any], handle: str = "coroutine") -> str:
    answer = post(place, body, handle)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["object"]["id"])


def cards(html: str) -> list[str]:
    return re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", html)


def test_the_needs_page_lists_open_public_needs_with_who_answered(place: InProcessNode) -> None:
    asked = created(place, need("Formateur impression 3D", needKind="skills",
                                due="2030-06-30T10:00:00+02:00", skill=["sk:impression-3d"],
                                summary="Deux samedis au printemps"))  # fmt: skip
    created(place, need("Tables pliantes", status="met"))
    created(place, need("Réservé aux abonnés", to=[f"{place.actor_id()}/followers"]))
    created(place, {"type": "Note", "content": "Je peux venir !", "inReplyTo": asked,
                    "to": [PUBLIC]}, handle="alice")  # fmt: skip
    created(place, pledge("150", asked, name="Pour la formation"))
    page = place.client.get("/needs", headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert cards(page.text) == ["Formateur impression 3D"]  # met and followers-only left out
    text = page.text
    assert "Compétences" in text and "Impression 3D" in text and "Deux samedis au printemps" in text
    assert "dimanche 30 juin 2030" in text  # the due date in French, in the place's time zone
    # Who answered: Alice's reply, and the place's pledge that funds the need.
    assert f'<a href="{place.actor_id("alice")}">Alice</a>' in text
    assert "engagement de 150,00\u00a0€" in text
    assert '<meta property="og:url" content="http://127.0.0.1:9/needs">' in text
    assert "Aucun besoin ouvert dans le réseau." in text
    # The collection is still JSON for the fediverse.
    listed = place.client.get("/needs?page=1", headers={"accept": AS_JSON}).json()
    assert len(listed["orderedItems"]) == 2


def test_a_needs_page_at_its_id_and_its_json(place: InProcessNode) -> None:
    asked = created(place, need("Bénévoles pour l'accueil", skill=["sk:accueil"]))
    page = place.client.get(asked, headers=BROWSER)
    assert page.status_code == 200
    assert "<h1>Bénévoles pour l&#39;accueil</h1>" in page.text
    assert "Bénévoles" in page.text and "Personne n&#39;a encore répondu." in page.text
    assert f'<meta property="og:url" content="{asked}">' in page.text
    assert f'<a href="{place.actor_id()}">La Coroutine</a>' in page.text
    mastodon = "application/activity+json, application/ld+json, text/html;q=0.1"
    document = place.client.get(asked, headers={"accept": mastodon}).json()
    assert document["type"] == ["Need", "Note"] and document["id"] == asked


def test_the_pledges_page_totals_each_project_per_currency(place: InProcessNode) -> None:
    laser = "https://communs.example/projets/decoupeuse"
    created(place, pledge("200.00", laser, name="Découpeuse, premier versement"))
    created(place, pledge("150.50", {"id": laser, "name": "Découpeuse laser"}))
    created(place, pledge("80", laser, currency="CHF"))
    created(place, pledge("1000", "https://communs.example/projets/four"))
    page = place.client.get("/pledges", headers=BROWSER).text
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>\s*<td class=\"amount\">(.*?)</td>"
                      r"<td class=\"amount\">(\d+)</td></tr>", page, re.S)  # fmt: skip
    shown = [(re.sub(r"<[^>]+>", "", project), amount, count) for project, amount, count in rows]
    assert shown == [
        ("https://communs.example/projets/four", "1\u202f000,00\u00a0€", "1"),
        ("Découpeuse laser", "350,50\u00a0€", "2"),
        ("Découpeuse laser", "80,00\u00a0CHF", "1"),
    ]
    assert "Découpeuse, premier versement" in page
    assert '<meta property="og:url" content="http://127.0.0.1:9/pledges">' in page
    assert len(place.client.get("/pledges?page=1").json()["orderedItems"]) == 4


def test_a_pledges_page_at_its_id_shows_its_projects_total(place: InProcessNode) -> None:
    asked = created(place, need("Financer le four", needKind="funding", quantity=500))
    first = created(place, pledge("100", asked))
    created(place, pledge("50", asked))
    page = place.client.get(first, headers=BROWSER).text
    assert "100,00\u00a0€" in page
    assert f'<a href="{asked}">Financer le four</a>' in page  # the need it funds, by name
    assert "150,00\u00a0€ (2)" in page  # the total for this project
    assert place.client.get(first, headers={"accept": AS_JSON}).json()["type"] == ["Pledge", "Note"]


def test_amounts_and_totals_are_written_as_people_read_them() -> None:
    assert number_text(2, "fr") == "2" and number_text("2.50", "fr") == "2,5"
    assert money(Decimal("1234.5"), "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    pledges = [
        PledgeView("p1", "", Decimal(10), "EUR", "x", "", None, "a", "A"),
        PledgeView("p2", "", None, "EUR", "x", "", None, "a", "A"),  # unreadable: not added
        PledgeView("p3", "", Decimal("2.5"), "EUR", "x", "X", None, "a", "A"),
    ]
    [total] = totals(pledges)
    assert (total.amount, total.count, total.project_name) == (Decimal("12.5"), 2, "X")


def test_the_needs_and_pledges_pages_speak_english(place: InProcessNode) -> None:
    asked = created(place, need("Bénévoles", status="partlyMet", due="2030-06-30T10:00:00Z"))
    created(place, pledge("20", asked))
    needs = place.client.get("/needs?lang=en", headers=BROWSER).text
    assert "The place&#39;s needs" in needs and "Volunteers" in needs and "Partly met" in needs
    assert "Sunday 30 June 2030" in needs and "pledge of €20.00" in needs
    pledges = place.client.get("/pledges?lang=en", headers=BROWSER).text
    assert "Totals per project" in pledges and "Pledges made" in pledges


def test_the_needs_page_shows_a_page_at_a_time_with_links_to_the_others(
    place: InProcessNode, monkeypatch: Any
) -> None:
    monkeypatch.setattr(commons, "NEEDS_PER_PAGE", 2)
    for n, due in enumerate(["2030-01-05", "2030-01-02", "2030-01-04", "2030-01-01", "2030-01-03"]):
        created(place, need(f"Besoin {n}", due=f"{due}T12:00:00Z"))
    first = place.client.get("/needs", headers=BROWSER).text
    assert cards(first) == ["Besoin 3", "Besoin 1"]  # soonest due first
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert "Page 1" in first
    second = place.client.get("/needs?page=2&network_page=1", headers=BROWSER).text
    assert cards(second) == ["Besoin 4", "Besoin 2"]
    assert 'rel="prev" href="?network_page=1"' in second
    assert 'rel="next" href="?network_page=1&amp;page=3"' in second
    last = place.client.get("/needs?page=3&lang=en", headers=BROWSER).text
    assert cards(last) == ["Besoin 0"] and 'rel="next"' not in last and "Previous page" in last
    # A page number that is not one is the first page.
    assert cards(place.client.get("/needs?page=-4", headers=BROWSER).text) == cards(first)

"""The agenda's pages and an event's page, in-process: periods by week and month in the place's
time zone, filters, the same URLs still JSON for the fediverse, an event's details, metadata and
the text (never the markup) of its description."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from node.web.agenda import paragraphs, period, period_title, schema_org
from tests.node.agenda.test_events import event, join, post
from tests.node.conftest import PUBLIC, InProcessNode, StandIn

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
AS_JSON = {"accept": "application/activity+json"}
MASTODON = {"accept": "application/activity+json, application/ld+json, text/html;q=0.1"}


def page(place: InProcessNode, path: str, **headers: str) -> httpx.Response:
    answer = place.client.get(path, headers={**HTML, **headers})
    assert answer.headers["content-type"].startswith("text/html"), answer.text
    return answer


def names(html: str) -> list[str]:
    """The events an agenda page lists, in order."""
    return re.findall(r'<p class="name"><a href="[^"]*">([^<]*)</a>', html)


def link(html: str, rel: str) -> dict[str, list[str]]:
    found = re.search(rf'<a rel="{rel}" href="([^"]*)"', html)
    assert found, rel
    return parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)


def json_ld(html: str) -> Any:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert found
    return json.loads(found.group(1))


def test_a_period_is_the_week_from_monday_or_the_month_holding_the_day() -> None:
    thursday = date(2030, 3, 14)
    week = period("week", "2030-03-14", date(2026, 1, 1))
    assert (week.first, week.end, week.previous) == (
        date(2030, 3, 11), date(2030, 3, 18), date(2030, 3, 4))  # fmt: skip
    month = period("month", "2030-03-14", thursday)
    assert (month.first, month.end, month.previous) == (
        date(2030, 3, 1), date(2030, 4, 1), date(2030, 2, 1))  # fmt: skip
    december = period("month", "2030-12-31", thursday)
    assert (december.end, december.previous) == (date(2031, 1, 1), date(2030, 11, 1))
    # A hand-typed link that makes no sense is today's month, not an error.
    assert period("year", "14/03/2030", thursday) == month
    assert period("month", "0001-01-01", thursday) == month == period(None, "9999-12-31", thursday)
    assert period_title(week, "fr") == "Semaine du 11 mars au 17 mars 2030"
    assert period_title(period("week", "2030-12-31", thursday), "fr") == (
        "Semaine du 30 décembre 2030 au 5 janvier 2031")  # fmt: skip
    assert period_title(month, "fr") == "Mars 2030" and period_title(month, "en") == "March 2030"


def test_a_description_is_shown_as_text_paragraphs_never_as_markup() -> None:
    content = ('<p>Venez <b>réparer</b> &amp; apprendre.<br>Outils fournis.</p>'
               '<script>alert("x")</script><p><img src=x onerror="alert(1)">Gratuit</p>'
               "<p>&lt;script&gt;</p>")  # fmt: skip
    assert paragraphs(content) == [
        "Venez réparer & apprendre.\nOutils fournis.", "Gratuit", "<script>"]  # fmt: skip
    assert paragraphs(None) == [] and paragraphs("") == []


def test_json_ld_cannot_close_its_script_element() -> None:
    hostile = {"id": "https://a.example/objects/1", "name": "</script><script>alert(1)//",
               "startTime": "2030-03-14T18:00:00+01:00"}  # fmt: skip
    text = schema_org(hostile, None, "<!-- -->")
    assert "<" not in text
    assert json.loads(text)["name"] == hostile["name"]


def three_events(place: InProcessNode) -> dict[str, str]:
    """A workshop on Thursday evening, a game night just after midnight (UTC the day before),
    a meeting eleven days later: their ids by name."""
    made = {}
    for body in (
        event(name="Atelier soudure", category="WORKSHOP"),
        event(name="Nuit du jeu", category="games", startTime="2030-03-14T23:30:00Z",
              endTime="2030-03-15T03:00:00Z"),
        event(name="Assemblée du lieu", category="MEETING",
              startTime="2030-03-25T19:00:00+01:00", endTime="2030-03-25T21:00:00+01:00"),
    ):  # fmt: skip
        created = post(place, body)
        assert created.status_code == 201, created.text
        made[body["name"]] = created.json()["object"]["id"]
    return made


def test_the_agenda_by_week_and_by_month_in_the_place_time_zone(place: InProcessNode) -> None:
    three_events(place)
    week = page(place, "/agenda?view=week&from=2030-03-13").text
    assert names(week) == ["Atelier soudure", "Nuit du jeu"]
    assert "Semaine du 11 mars au 17 mars 2030" in week
    # 23:30 UTC is half past midnight in Lille: the game night is on Friday.
    assert re.search(r"vendredi 15 mars 2030</h3>\s*<ul[^>]*>\s*<li[^>]*>\s*<p class=\"hours\">"
                     r"<time[^>]*>0 h 30 – 4 h 00", week)  # fmt: skip
    assert "jeudi 14 mars 2030</h3>" in week and "18 h 00 – 20 h 00" in week
    assert link(week, "prev")["from"] == ["2030-03-04"]
    assert link(week, "next") == {"view": ["week"], "from": ["2030-03-18"]}

    month = page(place, "/agenda?view=month&from=2030-03-13").text
    assert names(month) == ["Atelier soudure", "Nuit du jeu", "Assemblée du lieu"]
    assert "Mars 2030" in month
    assert link(month, "prev")["from"] == ["2030-02-01"]
    assert link(month, "next")["from"] == ["2030-04-01"]
    assert (
        "Aucun événement sur cette période."
        in page(place, "/agenda?view=month&from=2030-04-01").text
    )
    assert page(place, "/agenda?view=week&from=0001-01-01").status_code == 200
    # The feeds are the page's alternates.
    assert 'type="text/calendar" href="/agenda.ics"' in month
    assert 'type="application/atom+xml" href="/agenda.atom"' in month


def test_the_agenda_filtered_by_category_keeps_the_filter_across_periods(
    place: InProcessNode,
) -> None:
    three_events(place)
    games = page(place, "/agenda?view=month&from=2030-03-01&category=games").text
    assert names(games) == ["Nuit du jeu"]
    assert '<option value="games" selected>Jeux</option>' in games
    # Every category the agenda holds can be chosen, in French.
    assert '<option value="workshop">Atelier</option>' in games
    assert '<option value="meeting">Réunion</option>' in games
    assert link(games, "next") == {"view": ["month"], "category": ["games"], "from": ["2030-04-01"]}
    english = page(place, "/agenda?view=month&from=2030-03-01&category=workshop&lang=en").text
    assert names(english) == ["Atelier soudure"] and ">Workshop</span>" in english


def test_the_same_urls_stay_json_for_the_fediverse(place: InProcessNode) -> None:
    made = three_events(place)
    event_id = made["Atelier soudure"]
    for headers in (AS_JSON, MASTODON, {"accept": "*/*"}):
        answer = place.client.get(event_id, headers=headers)
        assert answer.json()["id"] == event_id and "Accept" in answer.headers["vary"]
        collection = place.client.get("/agenda", headers=headers).json()
        assert collection["totalItems"] == 3
        assert place.client.get("/network/agenda", headers=headers).json()["totalItems"] == 3
    html = page(place, event_id)
    assert "Accept" in html.headers["vary"]
    assert "<h1>Atelier soudure</h1>" in html.text


def test_an_event_page_says_when_where_how_many_places_and_how_to_take_part(
    place: InProcessNode,
) -> None:
    content = "<p>Initiation à la soudure.</p><p>Gratuit.</p>"
    created = post(place, event(maximumAttendeeCapacity=12, category="WORKSHOP", content=content))
    event_id = created.json()["object"]["id"]
    oid = event_id.rsplit("/", 1)[-1]
    html = page(place, event_id).text
    assert "jeudi 14 mars 2030 à 18 h 00 – 20 h 00" in html
    assert "12 rue des Arts, 59000 Lille" in html
    assert "https://www.openstreetmap.org/search?query=12%20rue%20des%20Arts" in html
    assert "12 places restantes sur 12" in html and "<dd>Atelier</dd>" in html
    assert "<p>Initiation à la soudure.</p><p>Gratuit.</p>" in html
    assert f'<a class="button" href="/agenda/{oid}.ics" download>Ajouter à mon agenda</a>' in html
    # The participate box sends the visitor to their server with the event's id.
    assert f'<input type="hidden" name="uri" value="{event_id}">' in html
    assert ">Participer</button>" in html
    assert f'<a href="{place.actor_id()}">La Coroutine</a>' in html
    # Link previews and search engines.
    assert '<meta property="og:title" content="Atelier soudure">' in html
    assert f'<meta property="og:url" content="{event_id}">' in html
    assert '<meta property="og:description" content="Initiation à la soudure. Gratuit.">' in html
    data = json_ld(html)
    assert data["@type"] == "Event" and data["startDate"] == "2030-03-14T18:00:00+01:00"
    assert data["endDate"] == "2030-03-14T20:00:00+01:00"
    assert data["location"]["address"] == {"@type": "PostalAddress", "streetAddress":
                                           "12 rue des Arts", "postalCode": "59000",
                                           "addressLocality": "Lille"}  # fmt: skip
    assert data["organizer"] == {"@type": "Organization", "name": "La Coroutine",
                                 "url": place.actor_id()}  # fmt: skip
    assert data["remainingAttendeeCapacity"] == 12
    english = page(place, event_id, **{"accept-language": "en"}).text
    assert "Thursday 14 March 2030, 18:00 – 20:00" in english and "Add to my calendar" in english


def test_a_peer_markup_never_reaches_the_page(place: InProcessNode) -> None:
    content = (
        '<p onclick="x()">Bonjour<script>alert(2)</script></p>'
        '<iframe src="https://evil.example"></iframe>'
    )
    name = "Soirée </script><script>alert(1)</script>"
    created = post(place, event(name=name, content=content))
    html = page(place, created.json()["object"]["id"]).text
    assert "<script>alert" not in html and "<iframe" not in html and "onclick" not in html
    assert "<p>Bonjour</p>" in html
    assert json_ld(html)["name"] == "Soirée </script><script>alert(1)</script>"


def test_a_full_event_says_so_instead_of_asking_to_take_part(
    place: InProcessNode, stand_in: StandIn
) -> None:
    event_id = post(place, event(maximumAttendeeCapacity=1)).json()["object"]["id"]
    join(stand_in, place, "mila", event_id)
    place.wait("SELECT 1 FROM event_participants WHERE event_id = ?", (event_id,))
    html = page(place, event_id).text
    assert "<dd>Complet</dd>" in html and "Cet événement est complet." in html
    assert ">Participer</button>" not in html
    agenda = page(place, "/agenda?view=week&from=2030-03-14").text
    assert '<strong class="full">Complet</strong>' in agenda


def test_a_private_event_is_a_page_not_found(place: InProcessNode) -> None:
    private = post(place, event(name="Réunion d'équipe",
                                to=[f"{place.actor_id()}/followers"]))  # fmt: skip
    event_id = private.json()["object"]["id"]
    answer = place.client.get(event_id, headers=HTML)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Réunion d'équipe" not in answer.text and "<h1>Page introuvable</h1>" in answer.text
    assert "Réunion d'équipe" not in page(place, "/agenda?from=2030-03-01").text


def test_the_network_agenda_names_each_place_and_filters_by_place(
    place: InProcessNode, stand_in: StandIn
) -> None:
    base = stand_in.base_url
    peer = stand_in.add_actor("/actors/popcafe", type="Organization", name="PopCafé",
                              outbox=f"{base}/actors/popcafe/outbox")  # fmt: skip
    stand_in.documents["/actors/popcafe/outbox"] = {
        "id": f"{base}/actors/popcafe/outbox", "type": "OrderedCollection", "totalItems": 0,
        "orderedItems": [],
    }  # fmt: skip
    followed = post(place, {"type": "Follow", "object": peer})
    assert followed.status_code == 201, followed.text
    stand_in.wait_received(lambda b: b["type"] == "Follow")
    accept = {"id": f"{peer}/accept/1", "type": "Accept", "actor": peer,
              "object": followed.json()["id"]}  # fmt: skip
    assert place.post_signed("/inbox", accept, stand_in.key, f"{peer}#main-key").status_code == 202
    theirs = {**event(name="Repair café", category="REPAIR"), "id": f"{base}/objects/1",
              "attributedTo": peer}  # fmt: skip
    create = {"id": f"{base}/activities/1", "type": "Create", "actor": peer, "object": theirs,
              "to": [PUBLIC]}  # fmt: skip
    assert place.post_signed("/inbox", create, stand_in.key, f"{peer}#main-key").status_code == 202
    place.wait("SELECT 1 FROM objects WHERE id = ?", (theirs["id"],))
    post(place, event(name="Atelier soudure"))

    shared = page(place, "/network/agenda?view=week&from=2030-03-14").text
    assert sorted(names(shared)) == ["Atelier soudure", "Repair café"]  # at the same time
    assert f'<a href="{theirs["id"]}">Repair café</a>' in shared  # their node's page
    assert '<span class="where">PopCafé</span>' in shared
    assert f'<option value="{peer}">PopCafé</option>' in shared
    assert 'type="text/calendar" href="/network/agenda.ics"' in shared
    only = page(place, f"/network/agenda?view=week&from=2030-03-14&place={peer}").text
    assert names(only) == ["Repair café"]
    repair = page(place, "/network/agenda?view=week&from=2030-03-14&category=repair").text
    assert names(repair) == ["Repair café"]
    # The place's own agenda lists its own events only.
    assert names(page(place, "/agenda?view=week&from=2030-03-14").text) == ["Atelier soudure"]

"""Members interested in the same project introduced to each other, opt-in, across real nodes
(issue 15: « members interested in the same projects can be introduced »), and a volunteer call
answered from another place's page.

A (La Coroutine): Dan carries « Repair café », published by the team. Alice (A) and Carol (B,
PopCafé) say they are interested and tick « Me présenter aux autres personnes intéressées »;
Bob (A) is interested without it. Carol says it at her home, which reads the project at A and
sends her Follow from her outbox; A introduces her to Alice with a private Introduction that
B shows on her page. Alice and Carol see each other; Bob sees nobody and nobody sees Bob; A's
team sees three people and two names.

Then B calls for volunteers; A does not follow B. Alice, on the call's page at B, types her
address: B sends her to A's `/moi/appels?appel=…`, A reads the call at B and shows it ready to
answer, her Offer goes from her outbox to B, and B's team sees it."""

from __future__ import annotations

import html
import json
import re
from contextlib import closing
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from .network import LocalPlace, Network, Places, wait_for

PASSWORD = "une phrase assez longue"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    return network({"coroutine": [], "popcafe": []})


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def signed_in(place: LocalPlace, handle: str, name: str, *roles: str) -> httpx.Client:
    """A browser-like client signed in as `handle` (made by the team's invitation)."""
    said = place.cli("member", "invite", "--data", str(place.data), "--handle", handle,
                     "--name", name, *roles).stdout  # fmt: skip
    link = said.strip().splitlines()[-1]
    client = httpx.Client(base_url=place.base_url, headers=HTML, timeout=30)
    form = client.get(link)
    answer = client.post(link, data={
        "csrf": csrf_of(form), "password": PASSWORD, "confirmation": PASSWORD})  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


def say_interest(client: httpx.Client, project: str, introduce: bool) -> None:
    """At the member's home: the confirmation page, then the form as it stands."""
    page = client.get(f"/moi/projets/interet?{urlencode({'projet': project})}")
    assert page.status_code == 200, page.text
    assert 'name="presenter"' in page.text and " checked" not in page.text  # off by default
    form = {"csrf": csrf_of(page), "projet": project}
    if introduce:
        form["presenter"] = "oui"
    sent = client.post("/moi/projets/interet", data=form)
    assert sent.status_code == 303, sent.text


def introduced_on(client: httpx.Client, project: str) -> str:
    """What `/moi/projets` shows under one followed project."""
    page = html.unescape(client.get("/moi/projets").text)
    start = page.index(f'data-project="{project}"')
    return page[start : page.index("Ne plus suivre", start)]


def saturday() -> date:
    day = date.today() + timedelta(days=7)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def test_alice_and_carol_opted_in_see_each_other_bob_is_seen_by_no_one(places: Places) -> None:
    a, b = places["coroutine"], places["popcafe"]
    alice, bob, carol = a.actor_id("alice"), a.actor_id("bob"), b.actor_id("carol")
    with (
        closing(signed_in(a, "dan", "Dan Moreau")) as dan_browser,
        closing(signed_in(a, "tess", "Tess Girard", "--role", "team")) as team,
        closing(signed_in(a, "alice", "Alice Martin")) as alice_browser,
        closing(signed_in(a, "bob", "Bob Durand")) as bob_browser,
        closing(signed_in(b, "carol", "Carol Leroy")) as carol_browser,
    ):
        # Dan submits « Repair café », A's team publishes it.
        page = dan_browser.get("/moi/projets")
        sent = dan_browser.post("/moi/projets", data={
            "csrf": csrf_of(page), "title": "Repair café", "link": "",
            "description": "Réparer ensemble, le samedi."})  # fmt: skip
        assert sent.status_code == 303
        [(number,)] = a.query("SELECT id FROM projects WHERE title = 'Repair café'")
        decided = team.post("/equipe/validation/projets", data={
            "csrf": csrf_of(team.get("/equipe/validation")), "project": str(number),
            "decision": "publier"})  # fmt: skip
        assert decided.status_code == 303
        [(project,)] = a.query("SELECT object_id FROM projects WHERE id = ?", (number,))

        # Alice from the project's page, Bob from /moi/projets (no opt-in), Carol at home.
        page = alice_browser.get(urlsplit(project).path)
        assert "Ça m'intéresse" in html.unescape(page.text)
        assert (
            alice_browser.post(
                "/moi/projets/interet",
                data={"csrf": csrf_of(page), "projet": project, "presenter": "oui"},
            ).status_code
            == 303
        )
        say_interest(bob_browser, project, introduce=False)
        say_interest(carol_browser, project, introduce=True)
        wait_for(lambda: a.query("SELECT 1 FROM project_interests WHERE actor = ?", (carol,)),
                 what="Carol's interest at A")  # fmt: skip
        wait_for(lambda: b.query(
            "SELECT 1 FROM project_interests WHERE actor = ? AND introduced LIKE ?",
            (carol, f"%{alice}%")), what="A's introduction of Alice at B")  # fmt: skip

        # The Follow went to Dan alone, from B, signed by B for Carol: no social follow.
        [(document,)] = b.query("SELECT document FROM activities WHERE type = 'Follow'")
        assert '"to": ["' + a.actor_id("dan") + '"]' in document and "Public" not in document
        assert a.query("SELECT 1 FROM follows WHERE followee = ?", (project,)) == []

        seen_by_alice = introduced_on(alice_browser, project)
        assert carol in seen_by_alice and "Carol Leroy" in seen_by_alice
        seen_by_carol = introduced_on(carol_browser, project)
        assert alice in seen_by_carol and "Alice Martin" in seen_by_carol
        seen_by_bob = introduced_on(bob_browser, project)
        assert alice not in seen_by_bob and carol not in seen_by_bob
        assert "Vous n'avez pas demandé à être présenté·e." in seen_by_bob
        for page_text in (html.unescape(alice_browser.get("/moi/projets").text),
                          html.unescape(carol_browser.get("/moi/projets").text)):  # fmt: skip
            assert bob not in page_text and "Bob Durand" not in page_text
        # Nor in anything A sent B: the introductions name the opted-in only.
        sent_to_b = b.query("SELECT document FROM activities WHERE type = 'Create' AND actor = ?",
                            (a.actor_id(),))  # fmt: skip
        assert sent_to_b and all('"Introduction"' in row[0] for row in sent_to_b)
        for (sent_document,) in sent_to_b:
            assert bob not in sent_document and "Bob" not in sent_document

        # A's team: three interested, Alice and Carol named, not Bob.
        shown = html.unescape(team.get("/equipe/projets").text)
        assert '<strong class="interested">3</strong>' in shown
        assert "Alice Martin" in shown and "Carol Leroy" in shown and "Bob Durand" not in shown
        said = json.loads(a.cli("project", "interests", "--data", str(a.data), "--json").stdout)
        assert [p["interested"] for p in said] == [3]
        assert {p["actor"] for p in said[0]["introduced"]} == {alice, carol}

        # Alice withdraws her opt-in: Carol's next introduction has nobody.
        page = alice_browser.get("/moi/projets")
        assert alice_browser.post("/moi/projets/interet", data={
            "csrf": csrf_of(page), "projet": project}).status_code == 303  # fmt: skip
        wait_for(lambda: b.query(
            "SELECT 1 FROM project_interests WHERE actor = ? AND introduced = '[]'", (carol,)),
            what="Carol's new introduction, without Alice")  # fmt: skip
        assert alice not in introduced_on(carol_browser, project)


def test_alice_answers_b_s_call_from_its_page_through_her_home(places: Places) -> None:
    a, b = places["coroutine"], places["popcafe"]
    alice = a.actor_id("alice")
    assert b.actor_id() not in a.following()  # A does not follow B: nothing of B's is held
    day = saturday().isoformat()
    out = b.cli("call", "create", "--data", str(b.data), "--title", "Atelier soudure",
                "--text", "Souder les cadres des vélos", "--skill", "sk:soudure", "--people",
                "2", "--start", f"{day}T09:00", "--end", f"{day}T17:00").stdout  # fmt: skip
    call = out.strip().splitlines()[-1]
    assert a.query("SELECT 1 FROM volunteer_calls WHERE id = ?", (call,)) == []

    # On B's page, a stranger to B: her address, and B sends her home.
    with httpx.Client(headers=HTML, timeout=30) as visitor:
        page = visitor.get(call)
        assert "Répondre depuis mon lieu" in html.unescape(page.text)
        address = f"@alice@{a.base_url.removeprefix('http://')}"
        sent_home = visitor.get(f"{b.base_url}/appels/repondre",
                                params={"appel": call, "adresse": address})  # fmt: skip
        assert sent_home.status_code == 303
        where = sent_home.headers["location"]
        assert where.startswith(f"{a.base_url}/moi/appels?") and "#repondre" in where

    with closing(signed_in(a, "alice", "Alice Martin")) as alice_browser:
        page = alice_browser.get(where.removeprefix(a.base_url))
        assert page.status_code == 200, page.text
        shown = html.unescape(page.text).split('id="repondre"')[1].split("</section>")[0]
        assert "Atelier soudure" in shown and "Souder les cadres des vélos" in shown
        offered = alice_browser.post("/moi/appels", data={
            "csrf": csrf_of(page), "call": call, "message": "J'apporte mon poste"})  # fmt: skip
        assert offered.status_code == 303, offered.text
    wait_for(lambda: b.query("SELECT 1 FROM volunteer_offers WHERE volunteer = ? AND call = ?",
                             (alice, call)), what="Alice's offer at B")  # fmt: skip
    with closing(signed_in(b, "vera", "Véra", "--role", "team")) as team:
        listed = html.unescape(team.get("/equipe/appels").text)
        assert "Alice Martin" in listed and "J'apporte mon poste" in listed

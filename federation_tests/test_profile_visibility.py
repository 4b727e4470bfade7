"""A field a member keeps for the network, set through their profile page at home (La Fabrik):
an anonymous reader never sees it; La Coroutine, a peer place, does — when the test signs
a GET with its key, and when La Coroutine's own process fetches the member (signed by it);
PopCafé, a place La Fabrik knows but does not peer with, gets the public view. Then La
Fabrik's team validates her from its page: her resident's page shows her public skill, never
the network's field."""

from __future__ import annotations

import html
import json
import re
from contextlib import closing

import httpx
import pytest

from node.signature import sign_request

from .network import AS_JSON, LocalPlace, Network, Places, wait_for

PASSWORD = "une phrase assez longue"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """La Fabrik (member alice) and La Coroutine are peers; PopCafé follows La Fabrik (so
    La Fabrik knows its key) without being its peer."""
    created = network(
        {"fabrik": ["alice"], "coroutine": [], "popcafe": []}, peers=[("fabrik", "coroutine")]
    )
    created["popcafe"].follow(created["fabrik"].actor_id())
    return created


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def signed_in(place: LocalPlace, handle: str, *more: str) -> httpx.Client:
    """A browser-like client signed in as `handle`, through the team's invitation link."""
    said = place.cli("member", "invite", "--data", str(place.data), "--handle", handle,
                     *more).stdout  # fmt: skip
    link = said.strip().splitlines()[-1]
    client = httpx.Client(base_url=place.base_url, headers=HTML, timeout=30)
    form = client.get(link)
    answer = client.post(link, data={
        "csrf": csrf_of(form), "password": PASSWORD, "confirmation": PASSWORD})  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


def signed_get(url: str, by: LocalPlace) -> dict[str, object]:
    """GET `url` as JSON, signed with the place `by`'s key, as its node signs its fetches."""
    headers = sign_request(
        "GET", url, f"{by.actor_id()}#main-key", by.private_key(),
        extra_headers={"accept": AS_JSON},
    )  # fmt: skip
    answer = httpx.get(url, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def set_availability_network_only(browser: httpx.Client) -> str:
    """Alice's profile form, posted as her browser does; the page she sees next."""
    page = browser.get("/moi/profil")
    saved = browser.post("/moi/profil", data={
        "csrf": csrf_of(page), "name": "Alice Martin", "summary": "Soudeuse à La Fabrik",
        "skill:sk:soudure": "on", "vis.skill": "public",
        "availability": "le jeudi matin", "vis.availability": "network",
    })  # fmt: skip
    assert saved.status_code == 303, saved.text
    return html.unescape(browser.get(saved.headers["location"]).text)


def test_a_network_field_set_on_the_page_reaches_the_peer_place_only(places: Places) -> None:
    fabrik, coroutine, popcafe = places["fabrik"], places["coroutine"], places["popcafe"]
    alice = fabrik.actor_id("alice")
    with closing(signed_in(fabrik, "alice")) as browser:
        preview = set_availability_network_only(browser)
        network_part = preview[preview.index('id="apercu-network"') :]
        assert "le jeudi matin" in network_part.split("</section>")[0]

        # Anyone: the actor document does not show it.
        anonymous = httpx.get(alice, headers={"accept": AS_JSON}, timeout=10).json()
        assert anonymous["skill"] == ["https://w3id.org/interlieux/skills#soudure"]
        assert "availability" not in anonymous
        # A place La Fabrik knows but does not peer with: the public view.
        assert "availability" not in signed_get(alice, popcafe)
        # The peer place: the field is there.
        assert signed_get(alice, coroutine)["availability"] == "le jeudi matin"

        # La Coroutine's own process fetches alice, signed by itself, when she follows it;
        # PopCafé's fetch (she follows it too) gets the public view.
        for place in (coroutine, popcafe):
            fabrik.post_outbox({"type": "Follow", "object": place.actor_id()}, "alice")
            wait_for(lambda p=place: alice in p.followers(), what=f"alice following {place.name}")
        kept = coroutine.query("SELECT document FROM remote_actors WHERE id = ?", (alice,))
        assert json.loads(kept[0][0])["availability"] == "le jeudi matin"
        kept = popcafe.query("SELECT document FROM remote_actors WHERE id = ?", (alice,))
        assert "availability" not in json.loads(kept[0][0])

        # She asks to be listed among La Fabrik's residents; its team validates her.
        asked = browser.post("/moi/profil/residence", data={"csrf": csrf_of(browser.get("/moi"))})
        assert asked.status_code == 303, asked.text
    wait_for(
        lambda: fabrik.query("SELECT 1 FROM residents WHERE state = 'pending'"),
        what="alice's Join waiting for La Fabrik's team",
    )
    with closing(signed_in(fabrik, "tess", "--name", "Tess", "--role", "team")) as team:
        queue = team.get("/equipe/validation")
        assert alice in queue.text
        validated = team.post("/equipe/validation/residents", data={
            "csrf": csrf_of(queue), "actor": alice, "decision": "accepter"})  # fmt: skip
        assert validated.status_code == 303, validated.text
    # Her resident's page shows her public skill to anyone, never the network's field.
    anonymous = httpx.get(alice, headers={"accept": AS_JSON}, timeout=10).json()
    assert anonymous["residentOf"] == fabrik.actor_id() and "availability" not in anonymous
    page = httpx.get(alice, headers=HTML, timeout=10).text
    assert "Soudure" in page and "La Fabrik" in page and "jeudi" not in page

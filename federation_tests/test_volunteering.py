"""Volunteer calls across real nodes (issue 15, acceptance): B (PopCafé) calls for soudure
on a Saturday; A (La Coroutine), its peer, holds the call because it follows B. Alice of A
keeps the skill soudure and her availability « le samedi » for the network; Bob of A has
menuiserie. The call is suggested to Alice — on her page at home and in B's suggestions,
which read what A served B of her profile — and not to Bob. Alice offers her help from her
home page (an Offer from her outbox to B); B confirms her and records her hours; A shows
them on her page: to the network's places by default, to everyone once she chooses it."""

from __future__ import annotations

import html
import json
import re
from contextlib import closing
from datetime import date, timedelta

import httpx
import pytest

from node.signature import sign_request

from .network import AS_JSON, LocalPlace, Network, Places, wait_for

PASSWORD = "une phrase assez longue"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    return network({"coroutine": ["alice", "bob"], "popcafe": []},
                   peers=[("coroutine", "popcafe")])  # fmt: skip


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def signed_in(place: LocalPlace, handle: str) -> httpx.Client:
    """A browser-like client signed in as `handle`, through the team's invitation link."""
    said = place.cli("member", "invite", "--data", str(place.data), "--handle", handle).stdout
    link = said.strip().splitlines()[-1]
    client = httpx.Client(base_url=place.base_url, headers=HTML, timeout=30)
    form = client.get(link)
    answer = client.post(link, data={
        "csrf": csrf_of(form), "password": PASSWORD, "confirmation": PASSWORD})  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


def saturday() -> date:
    day = date.today() + timedelta(days=7)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def profile(place: LocalPlace, handle: str, skill: str) -> None:
    place.cli("profile", "--data", str(place.data), "--handle", handle, "--skill", skill,
              "--availability", "le samedi", "--visibility", "skill=network",
              "--visibility", "availability=network")  # fmt: skip


def signed_get(url: str, by: LocalPlace) -> dict[str, object]:
    headers = sign_request("GET", url, f"{by.actor_id()}#main-key", by.private_key(),
                           extra_headers={"accept": AS_JSON})  # fmt: skip
    answer = httpx.get(url, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def fitting(client: httpx.Client) -> str:
    page = html.unescape(client.get("/moi/appels").text)
    if 'id="fitting"' not in page:
        return ""
    return page[page.index('id="fitting"') :].split("</ul>")[0]


def test_a_call_for_soudure_is_suggested_to_alice_answered_confirmed_and_hours_shown(
    places: Places,
) -> None:
    a, b = places["coroutine"], places["popcafe"]
    alice, bob = a.actor_id("alice"), a.actor_id("bob")
    profile(a, "alice", "sk:soudure")
    profile(a, "bob", "sk:menuiserie")
    # Each follows B: B's node fetches them, signed, and A serves it their network fields.
    for handle in ("alice", "bob"):
        a.post_outbox({"type": "Follow", "object": b.actor_id()}, handle)
        wait_for(lambda h=handle: a.actor_id(h) in b.followers(), what=f"{handle} following B")
    kept = b.query("SELECT document FROM remote_actors WHERE id = ?", (alice,))
    assert json.loads(kept[0][0])["availability"] == "le samedi"
    kept = b.query("SELECT document FROM remote_actors WHERE id = ?", (bob,))
    assert json.loads(kept[0][0])["availability"] == "le samedi"  # Saturday, but no soudure

    day = saturday().isoformat()
    out = b.cli("call", "create", "--data", str(b.data), "--title", "Atelier soudure",
                "--text", "Souder les cadres des vélos", "--skill", "sk:soudure", "--people",
                "2", "--start", f"{day}T09:00", "--end", f"{day}T17:00").stdout  # fmt: skip
    call = out.strip().splitlines()[-1]
    wait_for(lambda: a.query("SELECT 1 FROM volunteer_calls WHERE id = ?", (call,)),
             what="the call at A")  # fmt: skip

    # B's suggestions: Alice (skill and Saturday, from what A let B see), not Bob.
    suggested = json.loads(b.cli("call", "suggest", "--data", str(b.data), call, "--json").stdout)
    assert [s["person"] for s in suggested] == [alice]
    assert suggested[0]["skills"] == 1.0 and suggested[0]["availability"] == 1.0

    with closing(signed_in(a, "bob")) as browser:
        assert "Atelier soudure" not in fitting(browser)
    with closing(signed_in(a, "alice")) as browser:
        assert "Atelier soudure" in fitting(browser)
        page = browser.get("/moi/appels")
        sent = browser.post("/moi/appels", data={"csrf": csrf_of(page), "call": call,
                            "message": "J'apporte mon poste à souder"})  # fmt: skip
        assert sent.status_code == 303, sent.text
        [(offer,)] = wait_for(lambda: b.query(
            "SELECT id FROM volunteer_offers WHERE volunteer = ? AND call = ?", (alice, call)),
            what="alice's offer at B")  # fmt: skip

        b.cli("call", "confirm", "--data", str(b.data), "--offer", offer)
        wait_for(lambda: a.query(
            "SELECT 1 FROM volunteer_offers WHERE id = ? AND state = 'confirmed'", (offer,)),
            what="the confirmation at A")  # fmt: skip
        b.cli("call", "hours", "--data", str(b.data), "--offer", offer, "--hours", "6")
        wait_for(lambda: a.query(
            "SELECT 1 FROM volunteer_offers WHERE id = ? AND hours = 6", (offer,)),
            what="the hours at A")  # fmt: skip
        listed = json.loads(b.cli("call", "list", "--data", str(b.data), "--json").stdout)
        assert listed[0]["offers"][0]["state"] == "confirmed"
        assert listed[0]["offers"][0]["hours"] == 6

        mine = html.unescape(browser.get("/moi/appels").text)
        assert 'id="hours-done">6<' in mine
        # The network's places see her hours; anyone else only once she chooses it.
        assert signed_get(alice, b)["hoursDone"] == "6"
        assert "hoursDone" not in httpx.get(alice, headers={"accept": AS_JSON}, timeout=10).json()
        chosen = browser.post("/moi/appels/visibilite", data={
            "csrf": csrf_of(browser.get("/moi/appels")), "visibility": "public"})  # fmt: skip
        assert chosen.status_code == 303
        assert httpx.get(alice, headers={"accept": AS_JSON}, timeout=10).json()["hoursDone"] == "6"
    assert [r[0] for r in b.query("SELECT volunteer FROM volunteer_offers")] == [alice]

"""`/equipe/appels` and `/moi/appels` in one place: the team publishes a call for soudure on
a Saturday from its page; the members who made the skill visible (public or network) and are
free that day are suggested, a private skill never counts; a member offers help from
/moi/appels (an Offer from their outbox), the team confirms them and records hours, which
the member sees. Only the team opens the team page; forms without their CSRF token change
nothing."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from node.store import Store
from node.tables import follows, remote_actors
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, form_token, run, sign_in_as
from tests.node.web.team.peering import shown


def next_saturday() -> date:
    today = date.today() + timedelta(days=7)
    return today + timedelta(days=(5 - today.weekday()) % 7)


def call_form(csrf: str, **more: str) -> dict[str, str]:
    day = next_saturday().isoformat()
    return {"csrf": csrf, "title": "Atelier soudure", "text": "Réparer les vélos",
            "skill:sk:soudure": "on", "start": f"{day}T09:00", "end": f"{day}T17:00",
            "people": "2", **more}  # fmt: skip


def profile(place: InProcessNode, handle: str, skill: str, visibility: str,
            availability: str = "le samedi") -> None:  # fmt: skip
    run("profile", "--data", str(place.config.data_dir), "--handle", handle, "--skill", skill,
        "--availability", availability, "--visibility", f"skill={visibility}",
        "--visibility", "availability=network")  # fmt: skip


def as_session(place: InProcessNode, cookies: httpx.Cookies) -> None:
    place.client.cookies.clear()
    place.client.cookies.update(cookies)


def test_not_signed_in_goes_to_the_sign_in_page(place: InProcessNode) -> None:
    for path in ("/equipe/appels", "/moi/appels"):
        answer = place.client.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/connexion?next=")


def test_a_member_without_the_team_role_gets_403(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "mona")
    assert place.client.get("/equipe/appels", headers=HTML).status_code == 403
    answer = place.client.post("/equipe/appels", data=call_form(csrf), headers=HTML)
    assert answer.status_code == 403
    assert place.query("SELECT count(*) FROM volunteer_calls") == [(0,)]
    assert place.client.get("/moi/appels", headers=HTML).status_code == 200


def test_forms_without_their_token_change_nothing(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    form = call_form("")
    del form["csrf"]
    assert place.client.post("/equipe/appels", data=form, headers=HTML).status_code == 403
    assert place.client.post("/moi/appels/visibilite", data={"visibility": "public"},
                             headers=HTML).status_code == 403  # fmt: skip
    assert place.client.post("/moi/appels", data={"call": "http://127.0.0.1:9/objects/x"},
                             headers=HTML).status_code == 403  # fmt: skip
    assert place.query("SELECT count(*) FROM volunteer_calls") == [(0,)]
    assert place.query("SELECT count(*) FROM volunteer_hours_shown") == [(0,)]
    assert place.query("SELECT count(*) FROM volunteer_offers") == [(0,)]


def test_a_wrong_form_is_said_keeping_what_was_typed(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "theo", "team")
    form = call_form(csrf, end=f"{next_saturday().isoformat()}T08:00")
    answer = place.client.post("/equipe/appels", data=form, headers=HTML)
    assert answer.status_code == 400
    assert "après son début" in shown(answer) and 'value="Atelier soudure"' in shown(answer)


def test_suggest_offer_confirm_and_hours(place: InProcessNode) -> None:
    profile(place, "alice", "sk:soudure", "network")
    run("member", "add", "--data", str(place.config.data_dir), "--handle", "pia", "--name", "Pia")
    profile(place, "pia", "sk:soudure", "private")  # never used for the place's suggestions
    run("member", "add", "--data", str(place.config.data_dir), "--handle", "bob", "--name", "Bob")
    profile(place, "bob", "sk:menuiserie", "public")

    csrf = sign_in_as(place, "theo", "team")
    team = httpx.Cookies(place.client.cookies)
    published = place.client.post("/equipe/appels", data=call_form(csrf), headers=HTML,
                                  follow_redirects=False)  # fmt: skip
    assert published.status_code == 303
    assert published.headers["location"] == "/equipe/appels?fait=publie"
    page = shown(place.client.get("/equipe/appels?fait=publie", headers=HTML))
    assert "Appel publié" in page and "Atelier soudure" in page
    suggestions = page[page.index('class="suggestions"') :]
    assert place.actor_id("alice") in suggestions
    assert place.actor_id("pia") not in suggestions and place.actor_id("bob") not in suggestions
    [(call_id, document)] = place.query("SELECT id, document FROM volunteer_calls")
    assert '"volunteersNeeded": 2' in document and "Note" in document

    # Alice, on her page: the call fits her; she offers help.
    place.client.cookies.clear()
    alice_csrf = sign_in_as(place, "alice")
    mine = shown(place.client.get("/moi/appels", headers=HTML))
    fitting = mine[mine.index('id="fitting"') :]
    assert "Atelier soudure" in fitting and "samedi" in mine
    offered = place.client.post("/moi/appels", data={"csrf": alice_csrf, "call": call_id,
                                "message": "Je viens avec mon poste"},
                                follow_redirects=False)  # fmt: skip
    assert offered.status_code == 303, offered.text
    [(offer_id, state)] = place.wait("SELECT id, state FROM volunteer_offers")
    assert state == "offered"
    again = place.client.post("/moi/appels", data={"csrf": alice_csrf, "call": call_id},
                              headers=HTML)  # fmt: skip
    assert again.status_code == 400 and "déjà proposé" in shown(again)
    alice = httpx.Cookies(place.client.cookies)

    # The team confirms her, then records 6.5 hours.
    as_session(place, team)
    assert place.client.post("/equipe/appels/confirmer", data={"offer": offer_id},
                             headers=HTML).status_code == 403  # fmt: skip
    confirmed = place.client.post("/equipe/appels/confirmer", data={"csrf": csrf_of(place),
                                  "offer": offer_id}, follow_redirects=False)  # fmt: skip
    assert confirmed.status_code == 303
    form = {"csrf": csrf_of(place), "offer": offer_id, "hours": "6,5"}
    recorded = place.client.post("/equipe/appels/heures", data=form, follow_redirects=False)
    assert recorded.status_code == 303
    assert place.query("SELECT state, hours FROM volunteer_offers") == [("confirmed", 6.5)]

    as_session(place, alice)
    mine = shown(place.client.get("/moi/appels", headers=HTML))
    assert 'id="hours-done">6.5<' in mine and "confirmée" in mine
    # Her hours on her public page only once she chooses it (default: the network).
    assert "6.5" not in shown(place.client.get(place.actor_id("alice"), headers=HTML))
    saved = place.client.post("/moi/appels/visibilite", data={"csrf": alice_csrf,
                              "visibility": "public"}, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    assert "6.5" in shown(place.client.get(place.actor_id("alice"), headers=HTML))

    # Her account erased: her offers and her choice go with it.
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": alice_csrf,
                               "handle": "@alice"}, follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303, erased.text
    assert place.query("SELECT count(*) FROM volunteer_offers") == [(0,)]
    assert place.query("SELECT count(*) FROM volunteer_hours_shown") == [(0,)]


def csrf_of(place: InProcessNode) -> str:
    return form_token(place.client.get("/moi", headers=HTML))


def test_two_followed_places_on_one_node_suggest_its_people_once(place: InProcessNode) -> None:
    """A node hosting two places the place follows: its members are read once, not once per
    place, and each is placed at the place it says it belongs to."""
    origin = "https://voisins.example"
    places = [f"{origin}/actors/atelier", f"{origin}/actors/jardin"]
    nina = {"id": f"{origin}/actors/nina", "type": "Person", "name": "Nina",
            "skill": ["sk:soudure"], "availability": "le samedi",
            "residentOf": places[1]}  # fmt: skip

    async def seed() -> None:
        store = await Store(place.config.database).open()
        try:
            async with store.write() as db:
                for document in [*({"id": p, "type": "Group"} for p in places), nina]:
                    await remote_actors.save(
                        db, actor_id=document["id"], inbox=f"{document['id']}/inbox",
                        shared_inbox=None, followers=None, key_id=f"{document['id']}#key",
                        public_key_pem="", document=document, fetched_at=1.0,
                    )  # fmt: skip
                for i, followed in enumerate(places):
                    await follows.add(db, place.actor_id(), followed, f"{place.actor_id()}/f/{i}",
                                      follows.ACCEPTED, 1.0)  # fmt: skip
        finally:
            await store.close()

    asyncio.run(seed())
    csrf = sign_in_as(place, "theo", "team")
    published = place.client.post("/equipe/appels", data=call_form(csrf), follow_redirects=False)
    assert published.status_code == 303
    page = shown(place.client.get("/equipe/appels", headers=HTML))
    suggestions = page[page.index('class="suggestions"') :]
    assert suggestions.count(f'data-person="{nina["id"]}"') == 1

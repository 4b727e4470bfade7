"""A volunteer call's page, and « Répondre depuis mon lieu »: a member of the place answers on
the page; a member of another place types their address — read through WebFinger as
`/interact` reads it — or is known from their IndieAuth visit, and is sent to their home's
`/moi/appels?appel=…`; at home, the call is read from its place, shown ready to answer, and
the Offer goes from the member's outbox to the calling place, which this node did not follow."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from node.errors import InvalidParameter
from node.volunteering.calls import fetched_call
from node.web.calls import answer_url
from node.web.interaction import self_actor, subscribe_template
from tests.node.conftest import PUBLIC, InProcessNode, StandIn
from tests.node.web.session import HTML, form_token, sign_in_as
from tests.node.web.team.test_calls import call_form, next_saturday
from tests.node.web.test_indieauth import Home, come_back, home, leave_for_home

__all__ = ["home"]  # the fixture, used by name below

SOUDURE = "https://w3id.org/interlieux/skills#soudure"


def published_call(place: InProcessNode) -> str:
    csrf = sign_in_as(place, "tess", "team")
    answer = place.client.post("/equipe/appels", data=call_form(csrf), headers=HTML)
    assert answer.status_code == 200, answer.text
    place.client.cookies.clear()
    (call,) = place.query("SELECT id FROM volunteer_calls")[0]
    return str(call)


def remote_call(stand_in: StandIn, **changes: Any) -> tuple[str, str]:
    """A call of the stand-in's place (its id, the place's actor)."""
    host = stand_in.add_actor("/users/lieu", type="Organization", name="Le Lieu d'en face")
    day = next_saturday()
    call = {
        "id": f"{stand_in.base_url}/calls/1", "type": ["VolunteerCall", "Note"],
        "name": "Chantier soudure", "attributedTo": host, "to": [PUBLIC], "skill": [SOUDURE],
        "startTime": f"{day}T09:00:00+02:00", "endTime": f"{day}T17:00:00+02:00",
        "volunteersNeeded": 2, "summary": "Des cadres à souder", **changes,
    }  # fmt: skip
    stand_in.documents["/calls/1"] = call
    return call["id"], host


def test_webfinger_documents_are_read_for_their_actor_and_template() -> None:
    jrd = {"links": [
        {"rel": "http://webfinger.net/rel/profile-page", "href": "https://a.example/@alice"},
        {"rel": "self", "type": "text/html", "href": "https://a.example/@alice"},
        {"rel": "self", "type": "application/activity+json", "href": "javascript:alert(1)"},
        {"rel": "self", "type": 'application/ld+json; profile="https://www.w3.org/ns/'
         'activitystreams"', "href": "https://a.example/actors/alice"},
        {"rel": "http://ostatus.org/schema/1.0/subscribe",
         "template": "https://a.example/authorize_interaction?uri={uri}"},
    ]}  # fmt: skip
    assert self_actor(jrd) == "https://a.example/actors/alice"
    assert subscribe_template(jrd) == "https://a.example/authorize_interaction?uri={uri}"
    assert self_actor({"links": "nope"}) is None and subscribe_template({}) is None
    assert answer_url("https://a.example/actors/alice", "https://b.example/objects/c?x=1") == (
        "https://a.example/moi/appels?appel=https%3A%2F%2Fb.example%2Fobjects%2Fc%3Fx%3D1#repondre"
    )


def test_a_fetched_call_must_be_a_public_call_of_its_own_place() -> None:
    url = "https://b.example/calls/1"
    good = {"id": url, "type": ["VolunteerCall", "Note"], "name": "Chantier",
            "attributedTo": "https://b.example/actors/lieu", "to": [PUBLIC], "skill": [SOUDURE],
            "startTime": "2030-06-01T09:00:00+02:00", "endTime": "2030-06-01T17:00:00+02:00",
            "volunteersNeeded": 2}  # fmt: skip
    assert fetched_call(good, url) == (good, "https://b.example/actors/lieu")
    for wrong in (
        {**good, "type": "Note"},
        {**good, "to": ["https://b.example/actors/lieu"]},
        {**good, "attributedTo": "https://evil.example/actors/lieu"},
        {**good, "endTime": "2030-06-01T08:00:00+02:00"},
        {**good, "skill": []},
    ):
        with pytest.raises(InvalidParameter):
            fetched_call(wrong, url)


def test_the_call_s_page_asks_a_stranger_for_their_address_and_sends_them_home(
    place: InProcessNode, stand_in: StandIn
) -> None:
    call = published_call(place)
    path = urlsplit(call).path
    page = place.client.get(path, headers=HTML)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "<h1>Atelier soudure</h1>" in text and "Soudure" in text and "Réparer les vélos" in text
    assert 'action="/appels/repondre"' in page.text and "Répondre depuis mon lieu" in text

    def answer(address: str, appel: str = call) -> Any:
        query = urlencode({"appel": appel, "adresse": address})
        return place.client.get(f"/appels/repondre?{query}", headers=HTML,
                                follow_redirects=False)  # fmt: skip

    wrong = answer("pas une adresse")
    assert wrong.status_code == 400
    assert "Écrivez votre adresse complète" in html.unescape(wrong.text)
    assert 'value="pas une adresse"' in wrong.text and 'aria-invalid="true"' in wrong.text
    host = stand_in.base_url.removeprefix("http://")
    nobody = answer(f"@nobody@{host}")
    assert nobody.status_code == 400 and "vérifiez-la" in html.unescape(nobody.text)
    lina = stand_in.add_actor("/users/lina")
    stand_in.documents[f"/.well-known/webfinger?resource=acct:lina@{host}"] = {
        "subject": f"acct:lina@{host}",
        "links": [{"rel": "self", "type": "application/activity+json", "href": lina}],
    }  # fmt: skip
    sent = answer(f"@lina@{host}")
    assert sent.status_code == 303
    assert sent.headers["location"] == answer_url(lina, call)
    assert sent.headers["location"].startswith(f"{stand_in.base_url}/moi/appels?appel=")
    # Only a call of this place, public: anything else is not found.
    for other in (
        f"{place.config.base_url}/objects/absent",
        place.actor_id(),
        "https://x.example/c",
    ):
        assert answer(f"@lina@{host}", other).status_code == 404, other


def test_a_visitor_signed_in_through_their_home_is_linked_home(
    place: InProcessNode, home: Home
) -> None:
    call = published_call(place)
    assert come_back(place, home, leave_for_home(place, home)).status_code == 303
    page = html.unescape(place.client.get(urlsplit(call).path, headers=HTML).text)
    assert f'href="{answer_url(home.alice, call)}"' in page
    assert 'action="/appels/repondre"' not in page
    direct = place.client.get(f"/appels/repondre?{urlencode({'appel': call})}", headers=HTML,
                              follow_redirects=False)  # fmt: skip
    assert direct.status_code == 303 and direct.headers["location"] == answer_url(home.alice, call)


def test_a_member_of_the_place_answers_on_the_page(place: InProcessNode) -> None:
    call = published_call(place)
    csrf = sign_in_as(place, "lina")
    page = place.client.get(urlsplit(call).path, headers=HTML)
    assert 'action="/moi/appels"' in page.text
    sent = place.client.post("/moi/appels", data={"csrf": csrf, "call": call, "message": "Oui"},
                             follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    assert place.query("SELECT volunteer FROM volunteer_offers") == [(place.actor_id("lina"),)]
    again = html.unescape(place.client.get(urlsplit(call).path, headers=HTML).text)
    assert "Vous avez déjà proposé votre aide pour cet appel" in again


def test_at_home_a_call_of_a_place_not_followed_is_read_shown_and_answered(
    place: InProcessNode, stand_in: StandIn
) -> None:
    call, host = remote_call(stand_in)
    path = f"/moi/appels?{urlencode({'appel': call})}"
    gated = place.client.get(path, headers=HTML, follow_redirects=False)
    assert gated.status_code == 303 and gated.headers["location"].startswith("/connexion?next=")
    sign_in_as(place, "alice")
    page = place.client.get(path, headers=HTML)
    assert page.status_code == 200
    text = html.unescape(page.text)
    shown = text[text.index('id="repondre"') :].split("</section>")[0]
    assert "Chantier soudure" in shown and "Le Lieu d'en face" in shown
    assert "Des cadres à souder" in shown and f'value="{call}"' in shown
    assert place.query("SELECT 1 FROM volunteer_calls") == []  # read, not kept yet
    sent = place.client.post("/moi/appels", data={
        "csrf": form_token(page), "call": call, "message": "J'ai un poste"},
        follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303, sent.text
    offer = stand_in.wait_received(lambda body: body.get("type") == "Offer")
    assert offer["actor"] == place.actor_id("alice") and offer["object"] == call
    assert offer["to"] == [host] and offer["content"] == "J'ai un poste"
    assert place.query("SELECT place FROM volunteer_calls") == [(host,)]
    assert place.query("SELECT call, state FROM volunteer_offers") == [(call, "offered")]
    again = html.unescape(place.client.get(path, headers=HTML).text)
    assert "Aide déjà proposée" in again.split('id="repondre"')[1].split("</section>")[0]


def test_at_home_what_is_no_current_call_is_said_and_not_answered(
    place: InProcessNode, stand_in: StandIn
) -> None:
    past = next_saturday() - timedelta(days=30)
    call, _ = remote_call(stand_in, startTime=f"{past}T09:00:00+02:00",
                          endTime=f"{past}T17:00:00+02:00")  # fmt: skip
    csrf = sign_in_as(place, "alice")
    for url in (call, f"{stand_in.base_url}/absent", "javascript:alert(1)"):
        page = place.client.get(f"/moi/appels?{urlencode({'appel': url})}", headers=HTML)
        assert page.status_code == 400, url
        assert 'id="repondre"' not in page.text
        posted = place.client.post("/moi/appels", data={"csrf": csrf, "call": url})
        assert posted.status_code == 400, url
    assert place.query("SELECT 1 FROM volunteer_calls") == []
    assert [b for _, b in stand_in.received if b.get("type") == "Offer"] == []

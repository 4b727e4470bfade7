"""`/moi/profil`: a signed-in member edits their profile field by field, each with who sees it;
the preview shows each audience its part; the node's public faces follow the same choices."""

from __future__ import annotations

import html
import json

import httpx

from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as

AS_JSON = {"accept": "application/activity+json"}


def save(place: InProcessNode, csrf: str, **fields: str) -> httpx.Response:
    form = {"csrf": csrf, "name": "Alice Martin", "summary": "Soudeuse", **fields}
    return place.client.post("/moi/profil", data=form, follow_redirects=False)


def preview(page: str, audience: str) -> str:
    """The text of one audience's preview section."""
    start = page.index(f'id="apercu-{audience}"')
    return page[start : page.index("</section>", start)]


def test_not_signed_in_is_sent_to_sign_in(place: InProcessNode) -> None:
    answer = place.client.get("/moi/profil", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion?next=%2Fmoi%2Fprofil"
    posted = place.client.post("/moi/profil", data={"name": "X"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/connexion")


def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
    place: InProcessNode,
) -> None:
    sign_in_as(place, "alice")
    answer = place.client.post(
        "/moi/profil", data={"name": "Mallory", "availability": "jamais"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert place.query("SELECT name FROM local_actors WHERE handle = 'alice'") == [("Alice",)]
    assert place.query("SELECT * FROM profile_fields") == []
    wrong = save(place, "pas-le-bon", availability="jamais")
    assert wrong.status_code == 403
    assert place.query("SELECT * FROM profile_fields") == []


def test_each_field_is_seen_by_the_audience_the_member_chose(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    form = place.client.get("/moi/profil", headers=HTML)
    assert form.status_code == 200
    for label in ("Tout le monde", "Les lieux du réseau", "Moi et l'équipe du lieu"):
        assert label in html.unescape(form.text)
    assert 'name="skill:sk:soudure"' in form.text  # a choice list of the nomenclature

    answer = save(
        place, csrf,
        **{"skill:sk:soudure": "on", "vis.skill": "public",
           "availability": "le jeudi matin", "vis.availability": "network",
           "vis.projects": "private"},
    )  # fmt: skip
    assert answer.status_code == 303
    back = answer.headers["location"]
    page = html.unescape(place.client.get(back, headers=HTML).text)
    assert "Profil enregistré" in page
    assert "Soudure" in preview(page, "public") and "jeudi" not in preview(page, "public")
    assert "jeudi" in preview(page, "network") and "jeudi" in preview(page, "private")
    assert "Soudeuse" in preview(page, "public")

    public = place.client.get("/actors/alice", headers=AS_JSON).json()
    assert public["name"] == "Alice Martin" and public["summary"] == "Soudeuse"
    assert public["skill"] == ["https://w3id.org/interlieux/skills#soudure"]
    assert "availability" not in public  # network only
    rows = place.query("SELECT field, value, visibility FROM profile_fields ORDER BY field")
    assert rows == [
        ("availability", json.dumps("le jeudi matin"), "network"),
        ("skill", json.dumps(["https://w3id.org/interlieux/skills#soudure"]), "public"),
    ]


def test_a_change_the_public_sees_is_an_update_of_the_actor(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")

    def updates() -> int:
        return len(place.query(
            "SELECT 1 FROM activities WHERE type = 'Update' AND actor = ?",
            (place.actor_id("alice"),),
        ))  # fmt: skip

    save(place, csrf)  # a new name and presentation: the public sees them
    assert updates() == 1
    save(place, csrf, availability="le soir", **{"vis.availability": "private"})
    assert updates() == 1  # nothing the public sees changed
    save(place, csrf, availability="le soir", **{"vis.availability": "public"})
    assert updates() == 2
    document = json.loads(place.query(
        "SELECT document FROM activities WHERE type = 'Update' AND actor = ?"
        " ORDER BY created_at DESC LIMIT 1",
        (place.actor_id("alice"),),
    )[0][0])  # fmt: skip
    assert document["object"]["availability"] == "le soir"
    assert document["object"]["name"] == "Alice Martin"
    save(place, csrf, availability="le soir", **{"vis.availability": "public"})
    assert updates() == 2  # saved again unchanged: nobody is told again


def test_a_cleared_field_is_gone(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    save(place, csrf, availability="le soir", **{"vis.availability": "public"})
    save(place, csrf, availability="", **{"vis.availability": "public"})
    assert place.query("SELECT * FROM profile_fields WHERE field = 'availability'") == []


def test_mistakes_are_said_on_the_form_keeping_what_was_typed(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    answer = place.client.post(
        "/moi/profil",
        data={"csrf": csrf, "name": "  ", "summary": "Ma présentation", "availability": "lundi"},
    )
    assert answer.status_code == 400
    assert "Indiquez votre nom" in html.unescape(answer.text) and "Ma présentation" in answer.text
    assert 'value="lundi"' in answer.text
    unknown = save(place, csrf, **{"skill:sk:licorne": "on"})
    assert unknown.status_code == 400
    assert "nomenclature" in html.unescape(unknown.text)
    assert place.query("SELECT * FROM profile_fields") == []
    assert place.query("SELECT name FROM local_actors WHERE handle = 'alice'") == [("Alice",)]


def test_a_member_asks_to_be_listed_as_resident(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    refused = place.client.post("/moi/profil/residence", data={}, follow_redirects=False)
    assert refused.status_code == 403
    answer = place.client.post("/moi/profil/residence", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    place.wait("SELECT 1 FROM residents WHERE actor = ? AND state = 'pending'",
               (place.actor_id("alice"),))  # fmt: skip
    page = html.unescape(place.client.get("/moi/profil", headers=HTML).text)
    assert "Votre demande attend la validation" in page


def test_the_profile_page_speaks_english_when_asked(place: InProcessNode) -> None:
    sign_in_as(place, "alice")
    page = html.unescape(place.client.get("/moi/profil?lang=en", headers=HTML).text)
    for words in ("Everyone", "The network's places", "Me and the place's team", "Welding",
                  "Who sees this field?", "Save my profile"):  # fmt: skip
        assert words in page
    assert "Tout le monde" not in page

"""`/equipe/validation`: the team validates residency requests and members' projects."""

from __future__ import annotations

import html
import json

import httpx

from node.web.team import validation
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as

AS_JSON = {"accept": "application/activity+json"}


class Sessions:
    """Alice (a member) and Tess (the team) signed in, one cookie jar each on the one client."""

    def __init__(self, place: InProcessNode) -> None:
        self.place = place
        self.alice_csrf = sign_in_as(place, "alice")
        self.alice = httpx.Cookies(place.client.cookies)
        place.client.cookies.clear()
        self.team_csrf = sign_in_as(place, "tess", "team")
        self.team = httpx.Cookies(place.client.cookies)

    def as_alice(self) -> str:
        self.place.client.cookies = self.alice
        return self.alice_csrf

    def as_team(self) -> str:
        self.place.client.cookies = self.team
        return self.team_csrf


def counts(place: InProcessNode) -> tuple[int, int]:
    app = place.client.app
    node = app.state.node  # type: ignore[attr-defined]
    result: tuple[int, int] = place.client.portal.call(validation.waiting, node.store)  # type: ignore[union-attr]
    return result


def submit_project(place: InProcessNode, csrf: str, title: str) -> int:
    form = {"csrf": csrf, "title": title, "description": "Un atelier.\n\nLe samedi.",
            "link": "https://repair.example/"}  # fmt: skip
    assert place.client.post("/moi/projets", data=form, follow_redirects=False).status_code == 303
    return int(place.query("SELECT id FROM projects WHERE title = ?", (title,))[0][0])


def test_the_page_is_for_the_team(place: InProcessNode) -> None:
    answer = place.client.get("/equipe/validation", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/connexion")
    who = Sessions(place)
    number = submit_project(place, csrf := who.as_alice(), "Repair café")
    assert place.client.get("/equipe/validation", headers=HTML).status_code == 403
    refused = place.client.post(
        "/equipe/validation/projets",
        data={"csrf": csrf, "project": str(number), "decision": "publier"},
    )
    assert refused.status_code == 403
    assert place.query("SELECT state FROM projects") == [("pending",)]
    who.as_team()
    assert place.client.get("/equipe/validation", headers=HTML).status_code == 200
    place.client.cookies.clear()
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/validation", headers=HTML).status_code == 403


def test_a_decision_without_its_csrf_token_is_refused_and_changes_nothing(
    place: InProcessNode,
) -> None:
    who = Sessions(place)
    number = submit_project(place, who.as_alice(), "Repair café")
    who.as_team()
    answer = place.client.post(
        "/equipe/validation/projets", data={"project": str(number), "decision": "publier"}
    )
    assert answer.status_code == 403
    assert place.query("SELECT state FROM projects") == [("pending",)]
    assert place.query("SELECT 1 FROM objects WHERE type = 'Project'") == []


def test_an_accepted_project_is_published_by_its_member_and_shown_on_their_profile(
    place: InProcessNode,
) -> None:
    who = Sessions(place)
    number = submit_project(place, who.as_alice(), "Repair café")
    csrf = who.as_team()
    queue = html.unescape(place.client.get("/equipe/validation", headers=HTML).text)
    assert "Repair café" in queue and "Projets proposés (1)" in queue
    answer = place.client.post(
        "/equipe/validation/projets",
        data={"csrf": csrf, "project": str(number), "decision": "publier"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    done = html.unescape(place.client.get(answer.headers["location"], headers=HTML).text)
    assert "Projet publié sur le profil du membre." in done and "Projets proposés (0)" in done

    state, object_id = place.query("SELECT state, object_id FROM projects")[0]
    assert state == "published"
    project = place.client.get(object_id.removeprefix(place.config.base_url), headers=AS_JSON)
    document = project.json()
    assert document["type"] == "Project" and document["name"] == "Repair café"
    assert document["attributedTo"] == place.actor_id("alice")
    assert document["content"] == "<p>Un atelier.</p><p>Le samedi.</p>"
    assert document["url"] == "https://repair.example/"
    create = place.query("SELECT actor FROM activities WHERE type = 'Create' AND object_id = ?",
                         (object_id,))  # fmt: skip
    assert create == [(place.actor_id("alice"),)]
    actor = place.client.get("/actors/alice", headers=AS_JSON).json()
    assert actor["projects"] == ["Repair café"]

    who.as_alice()
    mine = html.unescape(place.client.get("/moi/projets", headers=HTML).text)
    assert "publié" in mine and object_id in mine
    # Accepted twice (a second tab): published once.
    csrf = who.as_team()
    again = place.client.post(
        "/equipe/validation/projets",
        data={"csrf": csrf, "project": str(number), "decision": "publier"},
    )
    assert again.status_code == 400 and "n'attend plus" in html.unescape(again.text)
    assert len(place.query("SELECT 1 FROM objects WHERE type = 'Project'")) == 1


def test_a_refused_project_tells_the_member_why(place: InProcessNode) -> None:
    who = Sessions(place)
    number = submit_project(place, who.as_alice(), "Vente de voitures")
    csrf = who.as_team()
    assert counts(place) == (0, 1)
    silent = place.client.post(
        "/equipe/validation/projets",
        data={"csrf": csrf, "project": str(number), "decision": "refuser", "reason": " "},
    )
    assert silent.status_code == 400 and "pourquoi" in html.unescape(silent.text)
    assert place.query("SELECT state FROM projects") == [("pending",)]
    answer = place.client.post(
        "/equipe/validation/projets",
        data={
            "csrf": csrf,
            "project": str(number),
            "decision": "refuser",
            "reason": "Hors de l'objet du lieu",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert place.query("SELECT state, reason, decided_by FROM projects") == [
        ("refused", "Hors de l'objet du lieu", "tess")
    ]
    assert counts(place) == (0, 0)
    who.as_alice()
    mine = html.unescape(place.client.get("/moi/projets", headers=HTML).text)
    assert "refusé" in mine and "Hors de l'objet du lieu" in mine
    assert place.query("SELECT 1 FROM objects WHERE type = 'Project'") == []


def test_the_team_validates_a_residency_request(place: InProcessNode) -> None:
    who = Sessions(place)
    csrf = who.as_alice()
    place.client.post("/moi/profil", data={
        "csrf": csrf, "name": "Alice", "summary": "", "skill:sk:soudure": "on",
        "vis.skill": "public", "availability": "le lundi", "vis.availability": "private",
    })  # fmt: skip
    place.client.post("/moi/profil/residence", data={"csrf": csrf})
    alice = place.actor_id("alice")
    place.wait("SELECT 1 FROM residents WHERE actor = ? AND state = 'pending'", (alice,))
    csrf = who.as_team()
    assert counts(place) == (1, 0)
    queue = place.client.get("/equipe/validation", headers=HTML).text
    assert "Demandes de résidence (1)" in html.unescape(queue) and alice in queue
    assert "Soudure" in queue and "le lundi" in queue  # the team sees private fields too
    answer = place.client.post(
        "/equipe/validation/residents",
        data={"csrf": csrf, "actor": alice, "decision": "accepter"}, follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    assert place.query("SELECT state FROM residents WHERE actor = ?", (alice,)) == [("accepted",)]
    assert counts(place) == (0, 0)
    listed = place.client.get("/residents?page=1", headers=AS_JSON).json()
    assert listed["orderedItems"] == [alice]
    # The place answered alice's Join with an Accept.
    accepts = place.query("SELECT document FROM activities WHERE type = 'Accept'")
    assert any(json.loads(d)["object"]["type"] == "Join" for (d,) in accepts)


def test_the_team_refuses_a_residency_request_with_a_reason(place: InProcessNode) -> None:
    who = Sessions(place)
    place.client.post("/moi/profil/residence", data={"csrf": who.as_alice()})
    alice = place.actor_id("alice")
    place.wait("SELECT 1 FROM residents WHERE actor = ? AND state = 'pending'", (alice,))
    csrf = who.as_team()
    answer = place.client.post(
        "/equipe/validation/residents",
        data={"csrf": csrf, "actor": alice, "decision": "refuser", "reason": "Pas encore"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert place.query("SELECT 1 FROM residents WHERE actor = ?", (alice,)) == []
    rejects = [json.loads(d) for (d,) in place.query(
        "SELECT document FROM activities WHERE type = 'Reject'")]  # fmt: skip
    assert [r["content"] for r in rejects] == ["Pas encore"]
    # Nothing waits any more: deciding again changes nothing.
    again = place.client.post(
        "/equipe/validation/residents",
        data={"csrf": csrf, "actor": alice, "decision": "accepter"},
    )
    assert again.status_code == 400
    assert place.query("SELECT 1 FROM residents WHERE actor = ?", (alice,)) == []

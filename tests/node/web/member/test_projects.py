"""`/moi/projets`: a member submits a project to their place and follows its state."""

from __future__ import annotations

import html

import httpx

from node.directory import projects
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as


def submit(place: InProcessNode, csrf: str, **fields: str) -> httpx.Response:
    form = {"csrf": csrf, "title": "Repair café", "description": "Le samedi.", "link": ""}
    return place.client.post("/moi/projets", data={**form, **fields}, follow_redirects=False)


def test_not_signed_in_is_sent_to_sign_in(place: InProcessNode) -> None:
    answer = place.client.get("/moi/projets", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion?next=%2Fmoi%2Fprojets"


def test_a_post_without_its_csrf_token_is_refused_and_stores_nothing(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "alice")
    answer = place.client.post("/moi/projets", data={"title": "X"}, follow_redirects=False)
    assert answer.status_code == 403
    other_site = place.client.post(
        "/moi/projets", data={"title": "X", "csrf": csrf},
        headers={"origin": "https://ailleurs.example"}, follow_redirects=False,
    )  # fmt: skip
    assert other_site.status_code == 403
    assert place.query("SELECT * FROM projects") == []


def test_a_submitted_project_waits_for_the_team(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    answer = submit(place, csrf, link="https://repair.example/cafe")
    assert answer.status_code == 303
    page = html.unescape(place.client.get(answer.headers["location"], headers=HTML).text)
    assert "Projet envoyé : l'équipe du lieu va l'examiner." in page
    assert "Repair café" in page and "en attente" in page
    assert place.query("SELECT handle, title, link, state FROM projects") == [
        ("alice", "Repair café", "https://repair.example/cafe", "pending")
    ]
    # Nothing published yet.
    assert place.query("SELECT 1 FROM objects WHERE type = 'Project'") == []


def test_mistakes_are_said_on_the_form_keeping_what_was_typed(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    answer = submit(place, csrf, title="Atelier vélo", link="javascript:alert(1)")
    assert answer.status_code == 400
    text = html.unescape(answer.text)
    assert "adresse web complète" in text and 'value="Atelier vélo"' in text
    untitled = submit(place, csrf, title="  ")
    assert untitled.status_code == 400
    assert place.query("SELECT * FROM projects") == []


def test_a_member_has_a_bounded_number_of_projects_waiting(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "alice")
    for n in range(projects.MAX_WAITING):
        assert submit(place, csrf, title=f"Projet {n}").status_code == 303
    over = submit(place, csrf, title="Un de trop")
    assert over.status_code == 400
    assert "attendez que l'équipe" in html.unescape(over.text)
    count = place.query("SELECT COUNT(*) FROM projects")[0][0]
    assert count == projects.MAX_WAITING

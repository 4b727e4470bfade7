"""The signed-in spaces' guarantees, checked on every route of `/moi` and `/equipe` as they are
registered (a new page is covered the day it is added): nobody unsigned gets in, no form is
taken without its CSRF token, the team's pages answer by role, and one place's session or
token means nothing at another place."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.people import accounts, sessions
from node.web import routes, spaces
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as

SPACES = ("/moi", "/equipe")
UNKNOWN = "inconnu"  # the value of every path parameter


def _paths(method: str) -> list[str]:
    found = []
    for route in routes.ROUTES:
        if not isinstance(route, Route):
            continue
        if route.path.startswith(SPACES) and method in (route.methods or set()):
            found.append(re.sub(r"\{[^}]+\}", UNKNOWN, route.path))
    return sorted(set(found))


PAGES = _paths("GET")
FORMS = _paths("POST")


def test_every_page_of_the_spaces_sends_a_stranger_to_the_sign_in(place: InProcessNode) -> None:
    assert PAGES, "no page under /moi or /equipe"
    for path in PAGES:
        answer = place.client.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/connexion?next="), path


def test_no_form_of_the_spaces_is_taken_without_its_csrf_token(place: InProcessNode) -> None:
    sign_in_as(place, "ada", "admin")
    for path in FORMS:
        answer = place.client.post(path, data={"x": "1"}, headers=HTML, follow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
        wrong = place.client.post(path, data={"csrf": "faux"}, headers=HTML,
                                  follow_redirects=False)  # fmt: skip
        assert wrong.status_code == 403, (path, wrong.status_code)


def test_every_entry_of_the_spaces_menus_is_a_page() -> None:
    menus = [path for path, _label in spaces.MEMBER_SPACE]
    menus += [path for path, _label, _role in spaces.TEAM_SPACE]
    assert [path for path in menus if path not in PAGES] == []


@pytest.mark.parametrize("role", [accounts.MEMBER, accounts.DOOR, accounts.TEAM])
def test_the_teams_pages_answer_by_role(place: InProcessNode, role: str) -> None:
    sign_in_as(place, f"{role}x", "" if role == accounts.MEMBER else role)
    held = accounts.held(frozenset({role}))
    for path, _label, needed in spaces.TEAM_SPACE:
        answer = place.client.get(path, headers=HTML, follow_redirects=False)
        expected = 200 if needed in held else 403
        assert answer.status_code == expected, (role, path, answer.status_code)


def test_a_door_session_cannot_open_the_ledger(place: InProcessNode) -> None:
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/pairs", headers=HTML).status_code == 403


@pytest.fixture
def other_place(tmp_path: Path) -> Iterator[InProcessNode]:
    """A second place on the same host, another port: what a session of the first is worth."""
    data = tmp_path / "other"
    base_url = "http://127.0.0.1:10"
    assert cli(["init", "--data", str(data), "--base-url", base_url, "--name", "PopCafé",
                "--handle", "popcafe"]) == 0  # fmt: skip
    config = NodeConfig.load(data)
    with TestClient(create_app(config), base_url=base_url) as client:
        yield InProcessNode(config, client)


def test_a_team_session_of_one_place_cannot_act_on_another(
    place: InProcessNode, other_place: InProcessNode
) -> None:
    token = sign_in_as(place, "ada", "admin")
    mine = sessions.cookie_name(place.config.base_url)
    stolen = place.client.cookies[mine]
    # The same cookie, under either place's name, opens nothing at the other place.
    for name in (mine, sessions.cookie_name(other_place.config.base_url)):
        other_place.client.cookies.set(name, stolen)
        answer = other_place.client.get("/moi", headers=HTML, follow_redirects=False)
        assert answer.status_code == 303 and "/connexion" in answer.headers["location"]
    other_place.client.cookies.clear()
    # Signed in at the other place too, the first place's form token is worth nothing there.
    sign_in_as(other_place, "bea", "admin")
    answer = other_place.client.post("/deconnexion", data={"csrf": token}, headers=HTML,
                                     follow_redirects=False)  # fmt: skip
    assert answer.status_code == 403
    assert other_place.client.get("/moi", headers=HTML).status_code == 200

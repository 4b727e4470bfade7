"""The two spaces' menus: a member sees their own space; the team's entries show by role."""

from __future__ import annotations

from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as


def test_a_member_sees_their_space_and_no_team_menu(place: InProcessNode) -> None:
    sign_in_as(place, "alice")
    page = place.client.get("/moi", headers=HTML)
    assert page.status_code == 200
    assert 'href="/moi/profil"' in page.text
    assert 'href="/equipe"' not in page.text


def test_the_door_role_sees_the_team_entry(place: InProcessNode) -> None:
    sign_in_as(place, "dora", "door")
    page = place.client.get("/moi", headers=HTML)
    assert 'href="/equipe"' in page.text

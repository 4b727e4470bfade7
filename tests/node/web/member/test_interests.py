"""A project's page and `/moi/projets` as people use them: a stranger is asked to sign in, a
member of the place says their interest on the page (the opt-in off unless ticked), the
carrier is told it is theirs, a member of another place signed in through their home is sent
home to say it; `/moi/projets` offers the place's other projects and lists the member's own
interests; `/equipe/projets` is the team's, with a count and only the opted-in named."""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode, urlsplit

from tests.node.conftest import InProcessNode
from tests.node.directory.test_interests import People, interested, published_project
from tests.node.web.session import HTML, run
from tests.node.web.test_indieauth import Home, come_back, home, leave_for_home

__all__ = ["home"]  # the fixture, used by name below

AS_JSON = {"accept": "application/activity+json"}


def test_the_project_s_page_for_a_stranger_a_member_and_its_carrier(place: InProcessNode) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team"), ("alice", "")):
        people.add(handle, roles)
    project = published_project(place, people, "dan", "Repair café")
    path = urlsplit(project).path

    place.client.cookies.clear()
    page = place.client.get(path, headers=HTML)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "<h1>Repair café</h1>" in text and "Porté par" in text and "Le samedi." in text
    assert f'<a href="/connexion?next={path}">Se connecter pour dire mon intérêt</a>' in text
    assert 'action="/moi/projets/interet"' not in page.text
    assert place.client.get(path, headers=AS_JSON).json()["type"] == "Project"

    people.be("dan")
    assert "C'est votre projet." in html.unescape(place.client.get(path, headers=HTML).text)

    csrf = people.be("alice")
    page = place.client.get(path, headers=HTML)
    assert 'action="/moi/projets/interet"' in page.text
    assert 'name="presenter" value="oui"' in page.text and " checked" not in page.text
    sent = place.client.post("/moi/projets/interet", data={"csrf": csrf, "projet": project},
                             follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].startswith("/moi/projets")
    after = html.unescape(place.client.get(path, headers=HTML).text)
    assert "Vous suivez ce projet." in after and "Vous n'avez pas demandé" in after
    mine = html.unescape(place.client.get(sent.headers["location"], headers=HTML).text)
    assert "C'est noté : le lieu du projet le saura." in mine
    assert f'<a href="{project}">Repair café</a>' in mine


def test_a_member_of_another_place_is_sent_home_to_say_it(place: InProcessNode, home: Home) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team")):
        people.add(handle, roles)
    project = published_project(place, people, "dan", "Repair café")
    place.client.cookies.clear()
    assert come_back(place, home, leave_for_home(place, home)).status_code == 303
    page = html.unescape(place.client.get(urlsplit(project).path, headers=HTML).text)
    expected = f"{home.base_url}/moi/projets/interet?{urlencode({'projet': project})}"
    assert f'href="{expected}"' in page and "Ça m'intéresse (depuis mon lieu)" in page
    assert place.query("SELECT 1 FROM project_interests") == []


def test_moi_projets_offers_the_place_s_other_projects_and_lists_one_s_interests(
    place: InProcessNode,
) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team"), ("alice", "")):
        people.add(handle, roles)
    garden = published_project(place, people, "dan", "Jardin partagé")
    own = published_project(place, people, "alice", "Atelier vélo")
    people.be("alice")
    page = html.unescape(place.client.get("/moi/projets", headers=HTML).text)
    offered = page[page.index('id="offered-title"') :]
    assert "Jardin partagé" in offered and "Atelier vélo" not in offered
    assert "Ça m'intéresse : Jardin partagé" in offered
    assert "Aucun projet pour l'instant" in page

    assert interested(place, people, "alice", garden, introduce=True).status_code == 303
    page = html.unescape(place.client.get("/moi/projets", headers=HTML).text)
    followed = page[page.index('id="interets"') : page.index('id="offered-title"')]
    assert "Jardin partagé" in followed and " checked" in followed
    assert "Personne d'autre pour l'instant." in followed
    assert "Jardin partagé" not in page[page.index('id="offered-title"') :]

    # Her own project: refused, on the page and by the outbox alike.
    refused = place.client.get(f"/moi/projets/interet?{urlencode({'projet': own})}",
                               headers=HTML)  # fmt: skip
    assert refused.status_code == 400 and "C'est votre projet" in html.unescape(refused.text)
    assert interested(place, people, "alice", own, introduce=True).status_code == 400
    for wrong in ("javascript:alert(1)", "", f"{place.config.base_url}/objects/absent",
                  place.actor_id("dan")):  # fmt: skip
        answer = place.client.get(f"/moi/projets/interet?{urlencode({'projet': wrong})}",
                                  headers=HTML)  # fmt: skip
        assert answer.status_code == 400, wrong
    assert place.query("SELECT project FROM project_interests") == [(garden,)]

    withdrawn = place.client.post("/moi/projets/interet/retirer", data={
        "csrf": people.be("alice"), "projet": garden}, follow_redirects=False)  # fmt: skip
    assert withdrawn.status_code == 303
    page = html.unescape(place.client.get(withdrawn.headers["location"], headers=HTML).text)
    assert "Vous ne suivez plus ce projet." in page
    assert place.query("SELECT 1 FROM project_interests") == []


def test_the_team_sees_a_count_and_only_the_opted_in_by_name(place: InProcessNode) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team"), ("alice", ""), ("bob", "")):
        people.add(handle, roles)
    project = published_project(place, people, "dan", "Repair café")
    people.be("alice")
    assert place.client.get("/equipe/projets", headers=HTML).status_code == 403
    interested(place, people, "alice", project, introduce=True)
    interested(place, people, "bob", project, introduce=False)
    people.be("tess")
    page = html.unescape(place.client.get("/equipe/projets", headers=HTML).text)
    assert '<strong class="interested">2</strong>' in page
    assert "Alice" in page and "Bob" not in page and place.actor_id("bob") not in page
    english = place.client.get("/equipe/projets?lang=en", headers=HTML).text
    assert "interested person(s)" in english and "Agree to be introduced:" in english
    # The same from the command line.
    said = json.loads(run("project", "interests", "--data", str(place.config.data_dir), "--json"))
    alice = {"actor": place.actor_id("alice"), "name": "Alice"}
    assert said == [{"project": project, "title": "Repair café", "carrier": "Dan",
                     "interested": 2, "introduced": [alice]}]  # fmt: skip
    plain = run("project", "interests", "--data", str(place.config.data_dir))
    assert "2 intéressé·e(s)" in plain and "présenté·e(s) : Alice" in plain

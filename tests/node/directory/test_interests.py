"""Interest in a project and introductions (`directory.interests`): the pure parts, then one
place in-process with a stand-in for another place — a member of it follows a project here,
is introduced, withdraws, is erased; and the other way, a member here follows the stand-in's
project and is introduced by it (and only by it)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from node.directory import interests
from node.directory.interests import Person, ProjectRef
from node.errors import InvalidParameter
from node.follows import of_an_actor
from tests.node.conftest import PUBLIC, InProcessNode, StandIn
from tests.node.web.session import HTML, form_token, sign_in_as

PROJECT = ProjectRef("https://a.example/objects/p", "Repair café", "https://a.example/actors/dan",
                     local=True)  # fmt: skip


# --- pure -----------------------------------------------------------------------------------


def test_who_hears_again_when_someone_comes_in_leaves_or_stays() -> None:
    before, after = frozenset({"a", "b"}), frozenset({"a", "b", "c"})
    assert interests.to_introduce(before, after, "c") == after  # c came in: all of them
    assert interests.to_introduce(after, before, "c") == before  # c left: those who stay
    assert interests.to_introduce(after, after, "c") == {"c"}  # said again: c's list only
    # Someone who did not opt in changes nobody's list, and is sent none.
    assert interests.to_introduce(before, before, "z") == frozenset()


def test_an_introduction_is_private_and_names_only_the_others() -> None:
    others = [Person("https://b.example/actors/carol", "Carol <3")]
    made = interests.introduction("https://a.example/objects/i", "https://a.example/actors/a",
                                  PROJECT, "https://c.example/actors/eve", others,
                                  "2030-01-01T00:00:00Z")  # fmt: skip
    assert made["to"] == ["https://c.example/actors/eve"] and "cc" not in made
    assert made["type"] == ["Introduction", "Note"] and made["about"] == PROJECT.id
    assert made["tag"] == [
        {"type": "Mention", "href": "https://b.example/actors/carol", "name": "Carol <3"}
    ]
    assert "Carol &lt;3" in made["content"] and "<3" not in made["content"]
    alone = interests.introduction("i", "a", PROJECT, "e", [], "2030-01-01T00:00:00Z")
    assert alone["tag"] == [] and "Personne d'autre" in alone["content"]


def test_the_people_an_introduction_names_are_read_with_care() -> None:
    me = "https://c.example/actors/eve"
    tags: list[Any] = [
        {"type": "Mention", "href": "https://b.example/actors/carol", "name": " Carol "},
        {"type": "Mention", "href": "https://b.example/actors/carol", "name": "Twice"},
        {"type": "Mention", "href": me, "name": "Me"},
        {"type": "Mention", "href": "javascript:alert(1)", "name": "Script"},
        {"type": "Hashtag", "href": "https://b.example/tags/x", "name": "#x"},
        {"type": "Mention", "href": "https://d.example/actors/zoe", "name": "z" * 500},
        {"type": "Mention", "href": "https://d.example/actors/yan"},
        "https://d.example/actors/plain",
    ]
    found = interests.introduced_people({"tag": tags}, me)
    assert [p.id for p in found] == [
        "https://b.example/actors/carol",
        "https://d.example/actors/zoe",
        "https://d.example/actors/yan",
    ]
    assert found[0].name == "Carol" and len(found[1].name) == interests.MAX_NAME
    assert found[2].name == "https://d.example/actors/yan"
    many = [{"type": "Mention", "href": f"https://b.example/actors/{n}", "name": str(n)}
            for n in range(300)]  # fmt: skip
    assert len(interests.introduced_people({"tag": many}, me)) == interests.MAX_INTRODUCED
    assert interests.introduced_people({"tag": "nope"}, me) == []


def test_only_the_project_s_home_introduces_people_for_it() -> None:
    assert interests.from_its_home("https://a.example/actors/lieu", PROJECT.id)
    assert not interests.from_its_home("https://evil.example/actors/x", PROJECT.id)
    assert not interests.from_its_home("https://a.example.evil/actors/x", PROJECT.id)
    assert not interests.from_its_home("https://a.example/actors/lieu", None)


def test_only_an_explicit_true_opts_in() -> None:
    assert interests.introduces({"introduce": True})
    for value in (False, "true", 1, None, "oui"):
        assert not interests.introduces({"introduce": value})


def test_a_follow_of_a_project_is_no_follow_of_an_actor() -> None:
    follow = interests.follow(PROJECT, introduce=False)
    assert follow["to"] == [PROJECT.carrier] and follow["introduce"] is False
    assert not of_an_actor(follow)
    assert of_an_actor({"type": "Follow", "object": "https://a.example/actors/dan"})
    assert of_an_actor({"type": "Follow", "object": {"id": "x", "type": "Person"}})


def test_a_served_project_must_be_a_public_project_of_its_own_origin() -> None:
    url = "https://a.example/objects/p"
    good = {"id": url, "type": "Project", "name": " Repair café ", "to": [PUBLIC],
            "attributedTo": "https://a.example/actors/dan"}  # fmt: skip
    assert interests.project_from(good, url) == ProjectRef(
        url, "Repair café", "https://a.example/actors/dan", local=False
    )
    for wrong in (
        {**good, "type": "Note"},
        {**good, "to": ["https://a.example/actors/dan"]},
        {**good, "attributedTo": "https://evil.example/actors/x"},
        {**good, "name": ""},
        {k: v for k, v in good.items() if k != "attributedTo"},
    ):
        with pytest.raises(InvalidParameter):
            interests.project_from(wrong, url)


# --- one place, and another played by a stand-in ---------------------------------------------


class People:
    """Members of the in-process place signed in on its one client, one cookie jar each."""

    def __init__(self, place: InProcessNode) -> None:
        self.place = place
        self.jars: dict[str, tuple[httpx.Cookies, str]] = {}

    def add(self, handle: str, roles: str = "") -> None:
        self.place.client.cookies = httpx.Cookies()
        csrf = sign_in_as(self.place, handle, roles)
        self.jars[handle] = (httpx.Cookies(self.place.client.cookies), csrf)

    def be(self, handle: str) -> str:
        cookies, csrf = self.jars[handle]
        self.place.client.cookies = cookies
        return csrf


def published_project(place: InProcessNode, people: People, carrier: str, title: str) -> str:
    """`carrier` submits a project at /moi/projets and the team publishes it: its id."""
    form = {"csrf": people.be(carrier), "title": title, "description": "Le samedi.", "link": ""}
    assert place.client.post("/moi/projets", data=form, follow_redirects=False).status_code == 303
    (number,) = place.query("SELECT id FROM projects WHERE title = ?", (title,))[0]
    decided = place.client.post("/equipe/validation/projets", data={
        "csrf": people.be("tess"), "project": str(number), "decision": "publier"},
        follow_redirects=False)  # fmt: skip
    assert decided.status_code == 303
    return str(place.query("SELECT object_id FROM projects WHERE id = ?", (number,))[0][0])


def interested(place: InProcessNode, people: People, handle: str, project: str,
               introduce: bool) -> httpx.Response:  # fmt: skip
    form = {"csrf": people.be(handle), "projet": project}
    if introduce:
        form["presenter"] = "oui"
    return place.client.post("/moi/projets/interet", data=form, follow_redirects=False)


def remote_follow(place: InProcessNode, stand_in: StandIn, who: str, project: str, carrier: str,
                  introduce: bool, n: int, published: str) -> dict[str, Any]:  # fmt: skip
    actor = f"{stand_in.base_url}{who}"
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/follows/{n}", "type": "Follow", "actor": actor, "to": [carrier],
        "object": {"id": project, "type": "Project", "name": "Repair café"},
        "introduce": introduce, "published": published,
    }  # fmt: skip
    inbox = carrier.removeprefix(place.config.base_url) + "/inbox"
    answer = place.post_signed(inbox, follow, stand_in.key, f"{actor}#main-key")
    assert answer.status_code == 202, answer.text
    return follow


def introductions(stand_in: StandIn, to: str) -> list[dict[str, Any]]:
    return [body["object"] for _, body in stand_in.received
            if body.get("type") == "Create" and body["object"]["to"] == [to]]  # fmt: skip


def named(document: dict[str, Any]) -> list[str]:
    return [tag["href"] for tag in document["tag"]]


def test_interest_here_and_from_another_place_with_introductions_both_ways(
    place: InProcessNode, stand_in: StandIn
) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team"), ("alice", ""), ("bob", "")):
        people.add(handle, roles)
    project = published_project(place, people, "dan", "Repair café")
    carrier = place.actor_id("dan")
    alice, bob = place.actor_id("alice"), place.actor_id("bob")
    carol = stand_in.add_actor("/users/carol", name="Carol")
    eve = stand_in.add_actor("/users/eve", name="Eve")

    # Alice opts in, Bob does not: nothing leaves the node, nothing is public.
    assert interested(place, people, "alice", project, introduce=True).status_code == 303
    assert interested(place, people, "bob", project, introduce=False).status_code == 303
    rows = place.query("SELECT actor, introduce FROM project_interests ORDER BY actor")
    assert rows == sorted([(alice, 1), (bob, 0)])
    assert place.query("SELECT 1 FROM follows") == []  # no social follow of a project
    follows = place.query("SELECT document FROM activities WHERE type = 'Follow'")
    for (document,) in follows:
        said = json.loads(document)
        assert said["to"] == [carrier] and "cc" not in said and PUBLIC not in json.dumps(said)

    # Carol (opted in) and Eve (not) from the other place: Carol is introduced to Alice only.
    remote_follow(place, stand_in, "/users/carol", project, carrier, True, 1,
                  "2030-01-01T10:00:00Z")  # fmt: skip
    remote_follow(place, stand_in, "/users/eve", project, carrier, False, 1,
                  "2030-01-01T10:00:00Z")  # fmt: skip
    place.wait("SELECT 1 FROM project_interests WHERE actor = ?", (eve,))
    first = stand_in.wait_received(lambda b: b.get("type") == "Create")
    assert first["actor"] == place.actor_id() and first["object"]["to"] == [carol]
    assert named(first["object"]) == [alice]
    assert first["object"]["tag"][0]["name"] == "Alice"
    assert introductions(stand_in, eve) == []  # Eve did not opt in: nothing to her

    # At home, Alice sees Carol; Bob (not opted in) sees nobody and is seen by nobody.
    people.be("alice")
    mine = place.client.get("/moi/projets", headers=HTML).text
    assert carol in mine and "Carol" in mine and bob not in mine and eve not in mine
    people.be("bob")
    his = place.client.get("/moi/projets", headers=HTML).text
    assert carol not in his and alice not in his
    assert "Vous n&#39;avez pas demandé à être présenté·e." in his

    # The team: four interested, two named.
    people.be("tess")
    team = place.client.get("/equipe/projets", headers=HTML).text
    assert '<strong class="interested">4</strong>' in team
    assert "Alice" in team and "Carol" in team and "Bob" not in team and eve not in team

    # An older Follow of Carol's arriving late changes nothing; a newer one without the
    # opt-in takes her out: Alice sees nobody, nothing more is sent to Carol.
    remote_follow(place, stand_in, "/users/carol", project, carrier, False, 0,
                  "2029-12-31T10:00:00Z")  # fmt: skip
    remote_follow(place, stand_in, "/users/carol", project, carrier, False, 2,
                  "2030-01-02T10:00:00Z")  # fmt: skip
    place.wait("SELECT 1 FROM project_interests WHERE actor = ? AND follow_id LIKE '%/2'",
               (carol,))  # fmt: skip
    people.be("alice")
    assert carol not in place.client.get("/moi/projets", headers=HTML).text
    # Back in, then Alice withdraws: Carol's list is sent again, without Alice.
    remote_follow(place, stand_in, "/users/carol", project, carrier, True, 3,
                  "2030-01-03T10:00:00Z")  # fmt: skip
    place.wait("SELECT 1 FROM project_interests WHERE actor = ? AND introduce = 1", (carol,))
    withdrawn = place.client.post("/moi/projets/interet/retirer", data={
        "csrf": people.be("alice"), "projet": project}, follow_redirects=False)  # fmt: skip
    assert withdrawn.status_code == 303
    assert not place.query("SELECT 1 FROM project_interests WHERE actor = ?", (alice,))
    stand_in.wait_received(
        lambda b: b.get("type") == "Create" and b["object"]["to"] == [carol]
        and b["object"]["tag"] == []
    )  # fmt: skip
    assert [named(i) for i in introductions(stand_in, carol)] == [[alice], [alice], []]

    # Carol's Undo of her Follow: she is out. The project gone: Eve's home is told (Reject).
    undo = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{carol}/undo/1",
            "type": "Undo", "actor": carol, "to": [carrier],
            "object": {"id": f"{carol}/follows/3", "type": "Follow", "actor": carol,
                       "object": project}}  # fmt: skip
    inbox = carrier.removeprefix(place.config.base_url) + "/inbox"
    assert place.post_signed(inbox, undo, stand_in.key, f"{carol}#main-key").status_code == 202
    place.wait("SELECT 1 FROM project_interests WHERE actor = ?", (carol,), expect=False)
    deleted = place.client.post(
        "/actors/dan/outbox", json={"type": "Delete", "object": project},
        headers={"authorization": f"Bearer {place.token('dan')}"},
    )  # fmt: skip
    assert deleted.status_code == 201
    reject = stand_in.wait_received(lambda b: b.get("type") == "Reject")
    assert reject["to"] == [eve] and reject["object"]["id"] == f"{eve}/follows/1"
    assert place.query("SELECT 1 FROM project_interests") == []


def test_an_erased_member_leaves_every_introduction(
    place: InProcessNode, stand_in: StandIn
) -> None:
    people = People(place)
    for handle, roles in (("dan", ""), ("tess", "team"), ("alice", "")):
        people.add(handle, roles)
    project = published_project(place, people, "dan", "Repair café")
    carol = stand_in.add_actor("/users/carol", name="Carol")
    assert interested(place, people, "alice", project, introduce=True).status_code == 303
    remote_follow(place, stand_in, "/users/carol", project, place.actor_id("dan"), True, 1,
                  "2030-01-01T10:00:00Z")  # fmt: skip
    stand_in.wait_received(lambda b: b.get("type") == "Create")
    erased = place.client.post("/moi/donnees/effacer", data={
        "csrf": people.be("alice"), "handle": "alice"}, follow_redirects=False)  # fmt: skip
    assert erased.status_code == 303
    assert place.query("SELECT actor FROM project_interests") == [(carol,)]
    stand_in.wait_received(
        lambda b: b.get("type") == "Create" and b["object"]["tag"] == []
    )  # fmt: skip
    # The carrier erased: the project's interests end, Carol's home hears it.
    people.be("dan")
    assert (
        place.client.post(
            "/moi/donnees/effacer",
            data={"csrf": people.be("dan"), "handle": "dan"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    stand_in.wait_received(lambda b: b.get("type") == "Reject")
    assert place.query("SELECT 1 FROM project_interests") == []


def test_a_member_here_follows_a_project_elsewhere_and_is_introduced_by_its_home_only(
    place: InProcessNode, stand_in: StandIn
) -> None:
    carrier = stand_in.add_actor("/users/dan", name="Dan")
    project = f"{stand_in.base_url}/projects/1"
    stand_in.documents["/projects/1"] = {
        "id": project, "type": "Project", "name": "Jardin partagé", "attributedTo": carrier,
        "to": [PUBLIC],
    }  # fmt: skip
    csrf = sign_in_as(place, "alice")
    alice = place.actor_id("alice")
    page = place.client.get(f"/moi/projets/interet?{urlencode({'projet': project})}",
                            headers=HTML)  # fmt: skip
    assert page.status_code == 200 and "Jardin partagé" in page.text
    assert 'name="presenter"' in page.text and " checked" not in page.text  # off by default
    sent = place.client.post("/moi/projets/interet", data={
        "csrf": form_token(page), "projet": project, "presenter": "oui"},
        follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    follow = stand_in.wait_received(lambda b: b.get("type") == "Follow")
    assert follow["actor"] == alice and follow["to"] == [carrier]
    assert follow["object"] == {"id": project, "type": "Project", "name": "Jardin partagé"}
    assert follow["introduce"] is True and "cc" not in follow

    def introduce(sender: str, n: int, at: str, *who: tuple[str, str]) -> None:
        created = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{sender}/intro/{n}", "type": "Create", "actor": sender, "to": [alice],
            "object": {"id": f"{sender}/intro/{n}/o", "type": ["Introduction", "Note"],
                       "attributedTo": sender, "about": project, "to": [alice],
                       "published": at, "content": "<p>…</p>",
                       "tag": [{"type": "Mention", "href": h, "name": m} for h, m in who]},
        }  # fmt: skip
        answer = place.post_signed("/actors/alice/inbox", created, stand_in.key,
                                   f"{sender}#main-key")  # fmt: skip
        assert answer.status_code == 202, answer.text

    place_b = stand_in.add_actor("/users/lieu", type="Organization", name="Le Lieu")
    introduce(place_b, 1, "2030-01-02T00:00:00Z", ("https://c.example/actors/carol", "Carol"))
    place.wait("SELECT 1 FROM project_interests WHERE introduced IS NOT NULL")
    mine = place.client.get("/moi/projets", headers=HTML).text
    assert "https://c.example/actors/carol" in mine and "Carol" in mine
    # An older introduction changes nothing.
    introduce(place_b, 2, "2030-01-01T00:00:00Z", ("https://c.example/actors/old", "Old"))
    place.wait("SELECT 1 FROM inbox_queue WHERE activity_id = ? AND state = 'applied'",
               (f"{place_b}/intro/2",))  # fmt: skip
    assert "Old" not in place.client.get("/moi/projets", headers=HTML).text

    # Opting out forgets it; ticking again waits for the home's next introduction.
    out = place.client.post("/moi/projets/interet", data={"csrf": csrf, "projet": project},
                            follow_redirects=False)  # fmt: skip
    assert out.status_code == 303
    assert place.query("SELECT introduce, introduced FROM project_interests") == [(0, None)]
    assert "Carol" not in place.client.get("/moi/projets", headers=HTML).text

    # The project's home ends it (a Reject of the Follow): the interest is gone here.
    (follow_id,) = place.query("SELECT follow_id FROM project_interests")[0]
    reject = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{place_b}/reject/1",
              "type": "Reject", "actor": place_b, "to": [alice],
              "object": {"id": follow_id, "type": "Follow", "actor": alice,
                         "object": project}}  # fmt: skip
    assert place.post_signed("/actors/alice/inbox", reject, stand_in.key,
                             f"{place_b}#main-key").status_code == 202  # fmt: skip
    place.wait("SELECT 1 FROM project_interests", expect=False)

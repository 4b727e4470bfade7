"""The résidentothèque: a member joins, the place validates, visibility is per field."""

from __future__ import annotations

from node.cli import main as cli
from tests.node.conftest import InProcessNode, StandIn

AS_JSON = "application/activity+json"


def test_a_member_appears_only_after_validation_and_private_fields_stay_home(
    place: InProcessNode,
) -> None:
    data = str(place.config.data_dir)
    assert (
        cli(
            [
                "profile",
                "--data",
                data,
                "--handle",
                "alice",
                "--skill",
                "sk:impression-3d",
                "--availability",
                "les mardis soir",
                "--project",
                "Repair café",
                "--visibility",
                "skill=public",
                "--visibility",
                "availability=private",
                "--visibility",
                "projects=network",
            ]
        )
        == 0
    )
    joined = place.client.post(
        "/actors/alice/outbox",
        json={"type": "Join", "object": place.actor_id()},
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert joined.status_code == 201, joined.text
    place.wait("SELECT 1 FROM residents WHERE state = 'pending'")
    assert place.client.get("/residents").json()["totalItems"] == 0
    actor = place.client.get("/actors/coroutine", headers={"accept": AS_JSON}).json()
    assert actor["residents"] == f"{place.config.base_url}/residents"

    refused = place.client.post(
        "/residents/alice/accept", headers={"authorization": f"Bearer {place.token('alice')}"}
    )
    assert refused.status_code == 403
    accepted = place.client.post(
        "/residents/alice/accept", headers={"authorization": f"Bearer {place.token('coroutine')}"}
    )
    assert accepted.status_code == 200
    listed = place.client.get("/residents?page=1").json()["orderedItems"]
    assert listed == [place.actor_id("alice")]
    # The member hears of it: the place's Accept of the Join reaches their inbox.
    place.wait("SELECT 1 FROM inbox_items WHERE owner = 'alice'")

    alice = place.client.get("/actors/alice", headers={"accept": AS_JSON}).json()
    assert alice["skill"] == ["https://w3id.org/interlieux/skills#impression-3d"]
    assert alice["residentOf"] == place.actor_id()
    everything_public = (
        place.client.get("/actors/alice").text
        + place.client.get("/data.ttl").text
        + place.client.get("/data.jsonld").text
        # The place's graph: the skills nomenclature, public vocabulary, says "Repair" too.
        + place.client.get(
            "/sparql",
            params={"query": f"SELECT * WHERE {{ GRAPH <{place.actor_id()}> {{?s ?p ?o}} }}"},
        ).text
    )
    assert "impression-3d" in everything_public
    assert "mardis" not in everything_public  # private
    assert "Repair" not in everything_public  # network: not in public faces


def test_the_cli_validates_a_member_without_a_join(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    assert cli(["resident", "accept", "--data", data, "--handle", "alice"]) == 0
    assert place.client.get("/residents").json()["totalItems"] == 1


def test_a_member_edits_their_profile_with_their_token(place: InProcessNode) -> None:
    response = place.client.post(
        "/residents/alice/profile",
        json={
            "skill": {"value": ["sk:soudure"], "visibility": "public"},
            "availability": {"value": "week-ends", "visibility": "private"},
        },
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile.pop("@context")  # served as a JSON-LD document, like every other
    assert profile == {"skill": ["https://w3id.org/interlieux/skills#soudure"]}
    unknown = place.client.post(
        "/residents/alice/profile",
        json={"skill": {"value": ["sk:licorne"]}},
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert unknown.status_code == 400 and "nomenclature" in unknown.json()["error"]


def test_network_fields_are_shown_to_the_places_of_the_network_only(
    place: InProcessNode, stand_in: StandIn
) -> None:
    """A GET signed by a peer place sees `network` fields; anyone else sees the public view."""
    import sqlite3

    from node.signature import sign_request

    response = place.client.post(
        "/residents/alice/profile",
        json={
            "skill": {"value": ["sk:soudure"], "visibility": "public"},
            "projects": {"value": ["Repair café"], "visibility": "network"},
            "availability": {"value": "les mardis", "visibility": "private"},
        },
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert response.status_code == 200, response.text
    peer = stand_in.add_actor("/actors/popcafe", type="Organization")
    stranger_key_id = stand_in.add_actor("/actors/curieux") + "#main-key"

    def get(key_id: str | None) -> dict[str, object]:
        url = f"{place.config.base_url}/actors/alice"
        headers = {"accept": AS_JSON}
        if key_id:
            headers = sign_request("GET", url, key_id, stand_in.key, extra_headers=headers)
        return dict(place.client.get("/actors/alice", headers=headers).json())

    # The node knows the stranger's key once it has heard from it (it never fetches a key
    # while serving a GET: two servers could bounce signed GETs between them forever).
    stranger = stranger_key_id.removesuffix("#main-key")
    like = {"id": f"{stranger}/likes/1", "type": "Like", "actor": stranger,
            "object": place.actor_id("alice")}  # fmt: skip
    assert place.post_signed("/inbox", like, stand_in.key, stranger_key_id).status_code == 202
    assert "projects" not in get(None) and "availability" not in get(None)
    assert "projects" not in get(stranger_key_id)  # signed, but not by a peer's server
    with sqlite3.connect(place.config.database) as db:
        db.execute("INSERT INTO peers (actor_id, added_at) VALUES (?, 0)", (peer,))
    seen = get(stranger_key_id)  # now on a peer's server: a place of the network
    assert seen["projects"] == ["Repair café"]
    assert "availability" not in seen  # private never leaves the node


def test_the_place_answers_a_residency_join_through_its_outbox(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    assert cli(["member", "add", "--data", data, "--handle", "bruno", "--name", "Bruno"]) == 0
    joins = {}
    for handle in ("alice", "bruno"):
        joined = place.client.post(
            f"/actors/{handle}/outbox",
            json={"type": "Join", "object": place.actor_id()},
            headers={"authorization": f"Bearer {place.token(handle)}"},
        )
        assert joined.status_code == 201, joined.text
        joins[handle] = joined.json()["id"]
    place.wait("SELECT 1 FROM residents WHERE state = 'pending' AND actor LIKE '%bruno'")
    team = {"authorization": f"Bearer {place.token('coroutine')}"}

    accepted = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Accept", "object": joins["alice"]}, headers=team
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["object"]["type"] == "Join"
    assert place.client.get("/residents?page=1").json()["orderedItems"] == [place.actor_id("alice")]
    place.wait(
        "SELECT 1 FROM inbox_items i JOIN activities a ON a.id = i.activity_id"
        " WHERE i.owner = 'alice' AND a.type = 'Accept'"
    )
    again = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Accept", "object": joins["alice"]}, headers=team
    )
    assert again.status_code == 404

    rejected = place.client.post(
        "/actors/coroutine/outbox",
        json={"type": "Reject", "object": joins["bruno"], "content": "Pas de place cette année."},
        headers=team,
    )
    assert rejected.status_code == 201, rejected.text
    assert place.query("SELECT actor FROM residents WHERE actor LIKE '%bruno'") == []
    place.wait(
        "SELECT 1 FROM inbox_items i JOIN activities a ON a.id = i.activity_id"
        " WHERE i.owner = 'bruno' AND a.type = 'Reject'"
    )
    # Only the place answers Joins of the place.
    by_member = place.client.post(
        "/actors/alice/outbox",
        json={"type": "Accept", "object": joins["bruno"]},
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert by_member.status_code == 404


def test_the_team_turns_a_residency_down_by_route_and_cli(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    joined = place.client.post(
        "/actors/alice/outbox",
        json={"type": "Join", "object": place.actor_id()},
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert joined.status_code == 201
    place.wait("SELECT 1 FROM residents WHERE state = 'pending'")
    refused = place.client.post(
        "/residents/alice/reject",
        json={"reason": "Dossier incomplet."},
        headers={"authorization": f"Bearer {place.token('coroutine')}"},
    )
    assert refused.status_code == 200
    place.wait(
        "SELECT 1 FROM activities WHERE type = 'Reject' AND json_extract(document, '$.content')"
        " = 'Dossier incomplet.'"
    )
    assert cli(["resident", "accept", "--data", data, "--handle", "alice"]) == 0
    assert place.client.get("/residents").json()["totalItems"] == 1
    assert cli(["resident", "reject", "--data", data, "--handle", "alice"]) == 0
    assert place.client.get("/residents").json()["totalItems"] == 0

"""A network hosted elsewhere, played by the stand-in (its Group and two member places with
badge keys), that the in-process node belongs to: what the Group announces, posted signed to
the node's inbox as a Group does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import run
from tests.node.web.team.peering import Peer, peer_place

RULES = {"visitRate": "5.00", "overdraft": "10.00", "admission": "majority"}


@dataclass
class Bil:
    group: str
    popcafe: Peer
    fabrik: Peer
    stand_in: StandIn

    def post(self, place: InProcessNode, activity: dict[str, Any]) -> str:
        """The Group posts `activity` to the node's inbox, signed; it must be taken."""
        activity = {"@context": "https://www.w3.org/ns/activitystreams",
                    "id": f"{self.group}/activities/{uuid.uuid4()}", "actor": self.group,
                    **activity}  # fmt: skip
        answer = place.post_signed("/inbox", activity, self.stand_in.key, f"{self.group}#main-key")
        assert answer.status_code == 202, answer.text
        return str(activity["id"])

    def members(self, place: InProcessNode, listed: list[str], removed: str | None = None) -> str:
        kind = {"type": "Remove", "object": removed} if removed else {
            "type": "Add", "object": place.actor_id()}  # fmt: skip
        return self.post(place, {**kind, "target": f"{self.group}/members", "members": listed,
                                 "to": listed})  # fmt: skip

    def rules(self, place: InProcessNode, **changed: str) -> str:
        """The Group's document with its new rules, as a Group announces a change."""
        document = self.stand_in.documents["/actors/bil"]
        document["rules"] = {**RULES, **changed}
        return self.post(place, {"type": "Update", "to": [place.actor_id()],
                                 "object": dict(document)})  # fmt: skip


def applied(place: InProcessNode, activity_id: str) -> None:
    place.wait("SELECT 1 FROM inbox_queue WHERE activity_id = ? AND state != 'new'",
               (activity_id,))  # fmt: skip


def peers(place: InProcessNode) -> dict[str, tuple[str, str | None]]:
    rows = place.query("SELECT actor_id, visit_rate, terms_from FROM peers")
    return {r[0]: (r[1], r[2]) for r in rows}


def join(place: InProcessNode, stand_in: StandIn) -> Bil:
    """The node asked to join; the Group admits it with popcafe and fabrik, then sends its
    rules, as a Group does at an admission."""
    group = stand_in.add_actor("/actors/bil", type="Group", name="Réseau BIL", rules=RULES)
    network = Bil(group, peer_place(stand_in, "/actors/popcafe"), peer_place(stand_in), stand_in)
    run("network", "join", "--data", str(place.config.data_dir), "--network", group)
    stand_in.wait_received(lambda a: a.get("type") == "Join")
    everyone = sorted([place.actor_id(), network.popcafe.actor, network.fabrik.actor])
    network.members(place, everyone)
    place.wait("SELECT 1 FROM networks WHERE place_state = 'member'")
    assert peers(place) == {}  # no terms before the rules: nothing to claim with
    network.rules(place)
    place.wait("SELECT 1 FROM peers p JOIN remote_actors r ON r.id = p.actor_id"
               " WHERE p.actor_id = ?", (network.fabrik.actor,))  # its keys fetched  # fmt: skip
    return network

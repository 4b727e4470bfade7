"""A peer place for the team's network pages, in-process: the stand-in serves an Interlieux-like
place (its RSA key for signatures, its Ed25519 key for badges), the node under test takes it as
a peer, its members' badges are checked in at the node's desk, and it answers what the node
sends (claims, settlements) with signed activities."""

from __future__ import annotations

import html
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.multibase import ed25519_to_multibase
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import run


@dataclass
class Peer:
    actor: str
    badge_key: ed25519.Ed25519PrivateKey
    stand_in: StandIn

    def member(self, handle: str = "zoe") -> str:
        return f"{self.actor}/members/{handle}"


def peer_place(stand_in: StandIn, path: str = "/actors/fabrik") -> Peer:
    """A place on the stand-in, publishing a badge key (what `peer add` requires)."""
    key = ed25519.Ed25519PrivateKey.generate()
    actor = f"{stand_in.base_url}{path}"
    stand_in.add_actor(
        path, type="Organization", name="La Fabrik",
        assertionMethod=[{"id": f"{actor}#ed25519-key", "type": "Multikey", "controller": actor,
                          "publicKeyMultibase": ed25519_to_multibase(key.public_key())}],
    )  # fmt: skip
    return Peer(actor, key, stand_in)


def add_peer(place: InProcessNode, peer: Peer, rate: str = "5.00") -> None:
    """The way a team's terminal does it (`interlieux peer add`)."""
    data = str(place.config.data_dir)
    run("peer", "add", "--data", data, "--actor", peer.actor, "--visit-rate", rate)


def visit(place: InProcessNode, peer: Peer) -> str:
    """A member of `peer` checks in at `place`'s desk (`interlieux checkin`, a QR code): the
    visit id, once its report reached the peer (so that it can be claimed)."""
    now = int(time.time())
    _, data = grants.issue(peer.badge_key, peer.actor, peer.member(), None, now - 60,
                           now + 86400)  # fmt: skip
    out = run("checkin", "--data", str(place.config.data_dir), "--grant", grants.to_text(data))
    visit_id = str(json.loads(out)["visit"])
    peer.stand_in.wait_received(lambda body: _object_id(body) == visit_id)
    place.wait("SELECT 1 FROM deliveries d JOIN activities a ON a.id = d.activity_id"
               " WHERE a.object_id = ? AND d.state = 'delivered'", (visit_id,))  # fmt: skip
    return visit_id


def _object_id(body: dict[str, Any]) -> Any:
    obj = body.get("object")
    return obj.get("id") if isinstance(obj, dict) else obj


def signed(place: InProcessNode, peer: Peer, activity: dict[str, Any]) -> None:
    """The peer posts `activity` to the node's inbox, signed; it must be taken."""
    activity = {"@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{peer.actor}/activities/{uuid.uuid4()}", "actor": peer.actor,
                "to": [place.actor_id()], **activity}  # fmt: skip
    answer = place.post_signed("/inbox", activity, peer.stand_in.key, f"{peer.actor}#main-key")
    assert answer.status_code == 202, answer.text


def shown(page: Any) -> str:
    """A page's text as a browser shows it (entities read: `l'équipe`, not `l&#39;équipe`)."""
    return html.unescape(str(page.text))


def words(page: Any) -> str:
    """A page's words without its markup, spaces collapsed: `5,00 EUR — vous doit`."""
    return " ".join(re.sub(r"<[^>]+>", " ", shown(page)).split())

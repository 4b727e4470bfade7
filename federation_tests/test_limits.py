"""Rate limits between real nodes: a flood from one origin is throttled (429 with Retry-After)
while another origin's activity is taken and applied.

coroutine is the receiving place, restarted with small limits in its node.json; popcafe's
members alice and bob flood it, signed by hand with their real keys; zoe of inconnu, another
origin, follows it meanwhile.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from node.signature import sign_request

from .network import LocalPlace, Network, Places, create_note, wait_for

LIMITS = {
    # per_minute 0.1: no token comes back while the test runs
    "inbox_per_origin": {"burst": 8, "per_minute": 0.1},
    "inbox_per_actor": {"burst": 5, "per_minute": 0.1},
}


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    created = network({"coroutine": [], "popcafe": ["alice", "bob"], "inconnu": ["zoe"]})
    coroutine = created["coroutine"]
    coroutine.stop()
    settings = json.loads((coroutine.data / "node.json").read_text())
    (coroutine.data / "node.json").write_text(json.dumps({**settings, "limits": LIMITS}))
    coroutine.start()
    return created


def post_as(sender: LocalPlace, handle: str, to: LocalPlace, activity: dict[str, Any]) -> Any:
    inbox = f"{to.base_url}/inbox"
    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST", inbox, f"{sender.actor_id(handle)}#main-key", sender.private_key(handle),
        body=body, extra_headers={"content-type": "application/activity+json"},
    )  # fmt: skip
    return httpx.post(inbox, content=body, headers=headers, timeout=10)


def addressed(note: dict[str, Any], to: LocalPlace) -> dict[str, Any]:
    """A note to the place itself (so that it is kept whoever sends it)."""
    note["to"] = note["object"]["to"] = [to.actor_id()]
    return note


def test_a_flooding_origin_is_throttled_while_another_is_applied(places: Places) -> None:
    coroutine, popcafe, inconnu = places["coroutine"], places["popcafe"], places["inconnu"]
    answers: dict[str, list[httpx.Response]] = {"alice": [], "bob": []}
    for i in range(12):
        for handle in ("alice", "bob"):
            note = addressed(create_note(popcafe, handle, f"Spam {i}"), coroutine)
            answers[handle].append(post_as(popcafe, handle, coroutine, note))
    statuses = {h: [r.status_code for r in rs] for h, rs in answers.items()}
    # alice and bob share popcafe's 8; neither takes more than its own 5.
    assert statuses["alice"].count(202) + statuses["bob"].count(202) == 8, statuses
    assert statuses["alice"].count(202) <= 5 and statuses["bob"].count(202) <= 5
    for response in answers["alice"] + answers["bob"]:
        if response.status_code != 202:
            assert response.status_code == 429, response.text
            assert int(response.headers["retry-after"]) >= 60
    # Another origin, meanwhile: taken and applied at once.
    zoe = inconnu.actor_id("zoe")
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{inconnu.base_url}/activities/{uuid.uuid4()}",
        "type": "Follow",
        "actor": zoe,
        "object": coroutine.actor_id(),
    }
    assert post_as(inconnu, "zoe", coroutine, follow).status_code == 202
    wait_for(lambda: zoe in coroutine.followers(), what="zoe following coroutine")
    # What popcafe got in was applied too; the rest was never stored.
    stored = coroutine.query("SELECT COUNT(*) FROM inbox_queue WHERE activity_id LIKE ?",
                             (f"{popcafe.base_url}/%",))  # fmt: skip
    assert stored[0][0] == 8
    # popcafe stays refused, before its signatures are even checked.
    late = post_as(popcafe, "alice", coroutine, addressed(create_note(popcafe, "alice", "Encore"),
                                                           coroutine))  # fmt: skip
    assert late.status_code == 429

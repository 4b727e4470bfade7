"""Every ActivityStreams document the node serves carries `@context` (issue 9).

The test walks the app's own routing table, so that a route added later is walked too.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from tests.node.conftest import PUBLIC, InProcessNode

AS_TYPES = ("application/activity+json", "application/ld+json")


def _paths(place: InProcessNode, values: dict[str, str]) -> list[str]:
    app: Any = place.client.app
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if any(
            f"{{{name}}}" in route.path and name not in values for name in route.param_convertors
        ):
            continue
        paths.append(
            route.path.format(**{k: v for k, v in values.items() if k in route.param_convertors})
        )
    return paths


def test_every_served_document_has_a_context(place: InProcessNode) -> None:
    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {"type": "Note", "content": "Portes ouvertes samedi", "to": [PUBLIC]}
    activity = place.client.post("/actors/coroutine/outbox", json=note, headers=headers).json()
    base = place.config.base_url
    oid = activity["object"]["id"].removeprefix(f"{base}/objects/")
    aid = activity["id"].removeprefix(f"{base}/activities/")
    paths = _paths(place, {"handle": "coroutine", "oid": oid, "aid": aid})
    # Collections are walked with their first page too.
    paths += [f"{p}?page=1" for p in list(paths)]
    owner = {"authorization": headers["authorization"]}
    served: list[str] = []
    for path in paths:
        response = place.client.get(path, headers={"accept": AS_TYPES[0], **owner})
        media = response.headers.get("content-type", "").split(";")[0]
        if response.status_code != 200 or media not in AS_TYPES:
            continue
        document = response.json()
        assert "@context" in document, f"{path} is served without @context"
        assert next(iter(document)) == "@context", f"{path}: @context is not first"
        served.append(path)
    # The walk did reach the documents of the issue: an object at its own id, its activity,
    # the actor, and collections with their pages.
    for expected in (
        f"/objects/{oid}",
        f"/activities/{aid}",
        "/actors/coroutine",
        "/actors/coroutine/outbox",
        "/actors/coroutine/outbox?page=1",
        "/actors/coroutine/followers",
        "/agenda",
    ):
        assert expected in served, f"{expected} was not walked"


def test_a_note_fetched_at_its_id_is_a_jsonld_document(place: InProcessNode) -> None:
    """The acceptance check: the object expands, with its id and type, without a fetch."""
    from pyld import jsonld

    from vocab.loader import load_document

    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {"type": "Note", "content": "Atelier réparation", "to": [PUBLIC]}
    activity = place.client.post("/actors/coroutine/outbox", json=note, headers=headers).json()
    object_id = activity["object"]["id"]
    document = place.client.get(object_id.removeprefix(place.config.base_url)).json()
    expanded = jsonld.expand(document, {"documentLoader": load_document})
    assert expanded[0]["@id"] == object_id
    assert expanded[0]["@type"] == ["https://www.w3.org/ns/activitystreams#Note"]

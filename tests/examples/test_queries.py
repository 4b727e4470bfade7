"""The example queries of `examples/queries/` answer the questions they say they answer.

A small hand-written network, as each node writes its public objects (`node.query.graph.sync`'s
documents: no `@context` on the node's own, the place's details from `place.save_details`, a
resident from `residents.resident_document`, a need as `commons` completes it), is loaded into
an in-memory Oxigraph store the way the node's engine keeps it: each place's documents in the
named graph of the place's actor, parsed as JSON-LD with the bundled contexts inlined (nothing
is fetched), queried with the union of the named graphs as the default graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from vocab.context import DOCUMENT_CONTEXT, PUBLIC, bundled

QUERIES = Path(__file__).resolve().parents[2] / "examples" / "queries"
SK = "https://w3id.org/interlieux/skills#"
TL = "https://w3id.org/interlieux/ns#"


def inline(context: Any) -> Any:
    """The context with every bundled URL replaced by its content (pyoxigraph fetches none)."""
    if isinstance(context, str):
        return bundled(context)["@context"]
    if isinstance(context, list):
        return [inline(part) for part in context]
    return context


def load(network: dict[str, list[dict[str, Any]]]) -> ox.Store:
    """Each place's documents in the named graph of the place's actor id."""
    store = ox.Store()
    for place, documents in network.items():
        for document in documents:
            context = inline(document.get("@context", DOCUMENT_CONTEXT))
            store.load(
                json.dumps({**document, "@context": context}),
                ox.RdfFormat.JSON_LD,
                to_graph=ox.NamedNode(place),
            )
    return store


def rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    """The answer to `examples/queries/<name>.rq`: one dict per row, variable -> value."""
    solutions = store.query((QUERIES / f"{name}.rq").read_text(), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


# --- the network -----------------------------------------------------------------------------


def place(origin: str, name: str, city: str, lat: float, lon: float) -> dict[str, Any]:
    """A place's actor in the graph, as `place.save_details` writes it."""
    return {
        "id": f"{origin}/actors/lieu",
        "type": "Organization",
        "name": name,
        "to": [PUBLIC],
        "address": {"type": "PostalAddress", "addressLocality": city, "postalCode": "00000"},
        "geo": {"type": "GeoCoordinates", "latitude": lat, "longitude": lon},
        "openingHours": "Mo-Fr 09:00-18:00",
    }


def need(author: str, n: int, skill: str, status: str = "open", due: str = "") -> dict[str, Any]:
    """A need as `commons` completes it before storing it (Note type, full skill IRIs)."""
    origin = author.split("/actors/")[0]
    document: dict[str, Any] = {
        "id": f"{origin}/objects/besoin-{n}",
        "type": ["Need", "Note"],
        "attributedTo": author,
        "to": [PUBLIC],
        "name": f"Besoin {n}",
        "mediaType": "text/html",
        "content": "<p>Besoin : …</p>",
        "needKind": "skills",
        "quantity": 2,
        "status": status,
        "skill": [SK + skill],
    }
    if due:
        document["due"] = due
    return document


def resident(origin: str, handle: str, name: str, skills: list[str]) -> dict[str, Any]:
    """A resident's public profile, as `residents.resident_document` writes it."""
    return {
        "id": f"{origin}/actors/{handle}",
        "type": "Person",
        "name": name,
        "to": [PUBLIC],
        "skill": [SK + s for s in skills],
        "residentOf": f"{origin}/actors/lieu",
    }


def event(organiser: str, n: int, start: str, where: dict[str, Any]) -> dict[str, Any]:
    """An event with its location as `place.home_location` fills it in."""
    origin = organiser.split("/actors/")[0]
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", TL],
        "id": f"{origin}/objects/evenement-{n}",
        "type": "Event",
        "attributedTo": organiser,
        "to": [PUBLIC],
        "name": f"Atelier {n}",
        "startTime": start,
        "endTime": start.replace("T14", "T17"),
        "location": where,
    }


def located(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Place",
        "name": p["name"],
        "address": p["address"],
        "latitude": p["geo"]["latitude"],
        "longitude": p["geo"]["longitude"],
    }


LILLE = "https://coroutine.example"
ROUBAIX = "https://popcafe.example"
WAREGEM = "https://waregem.example"  # inside the bounding box, outside the 30 km circle
LYON = "https://fabrik.example"
COROUTINE = place(LILLE, "La Coroutine", "Lille", 50.6366, 3.0635)
POPCAFE = place(ROUBAIX, "PopCafé", "Roubaix", 50.6942, 3.1746)  # 11 km
ATELIER = place(WAREGEM, "L'Atelier", "Waregem", 50.8893, 3.4270)  # 39 km
FABRIK = place(LYON, "La Fabrik", "Lyon", 45.7640, 4.8357)  # 555 km


@pytest.fixture(scope="module")
def network() -> ox.Store:
    alice = f"{LILLE}/actors/alice"
    return load(
        {
            COROUTINE["id"]: [
                COROUTINE,
                resident(LILLE, "alice", "Alice Martin", ["impression-3d"]),
                need(COROUTINE["id"], 1, "impression-3d", due="2031-03-01T00:00:00Z"),
                need(alice, 2, "impression-3d", due="2031-01-01T00:00:00Z"),
                need(COROUTINE["id"], 3, "impression-3d", status="met"),
                need(COROUTINE["id"], 4, "soudure"),
                event(COROUTINE["id"], 1, "2001-05-12T14:00:00Z", located(COROUTINE)),
                event(alice, 2, "2099-05-12T14:00:00Z", located(COROUTINE)),
            ],
            POPCAFE["id"]: [
                POPCAFE,
                need(POPCAFE["id"], 5, "impression-3d", status="partlyMet"),
                need(POPCAFE["id"], 6, "impression-3d"),
                resident(ROUBAIX, "bob", "Bob Durand", ["menuiserie"]),
                event(POPCAFE["id"], 3, "2099-02-01T14:00:00Z", located(POPCAFE)),
            ],
            ATELIER["id"]: [ATELIER, need(ATELIER["id"], 7, "impression-3d")],
            FABRIK["id"]: [
                FABRIK,
                need(FABRIK["id"], 8, "impression-3d"),
                resident(LYON, "chloe", "Chloé Petit", ["soudure", "menuiserie"]),
                # A person with the skill who is no resident (her Join was not accepted).
                {**resident(LYON, "zoe", "Zoé", ["soudure"]), "residentOf": None},
                event(FABRIK["id"], 4, "2099-03-01T14:00:00Z", located(FABRIK)),
                event(FABRIK["id"], 5, "2002-03-01T14:00:00Z", located(FABRIK)),
                # Something else with a start time: not an event.
                {**event(FABRIK["id"], 6, "2098-01-01T14:00:00Z", located(FABRIK)), "type": "Note"},
            ],
        }
    )


def test_open_3d_printing_needs_within_30_km_of_lille_nearest_first(network: ox.Store) -> None:
    found = rows(network, "besoins-impression-3d-pres-de-lille")
    assert [(r["besoin"], r["lieu"], r["ville"], r.get("echeance")) for r in found] == [
        # La Coroutine (0.9 km): its own need and its resident's, the nearer due date first.
        (f"{LILLE}/objects/besoin-2", COROUTINE["id"], "Lille", "2031-01-01T00:00:00Z"),
        (f"{LILLE}/objects/besoin-1", COROUTINE["id"], "Lille", "2031-03-01T00:00:00Z"),
        # PopCafé (11 km); its partly met need is not open.
        (f"{ROUBAIX}/objects/besoin-6", POPCAFE["id"], "Roubaix", None),
    ]
    distances = [float(r["distance2"]) for r in found]
    assert 0.8 < distances[0] < 0.95  # (0.93 km)²
    assert 110 < distances[2] < 130  # (11 km)²
    assert {r["nomLieu"] for r in found} == {"La Coroutine", "PopCafé"}


def test_residents_with_welding_anywhere_with_their_place_and_graph(network: ox.Store) -> None:
    found = rows(network, "residents-soudure")
    assert found == [
        {
            "resident": f"{LYON}/actors/chloe",
            "nom": "Chloé Petit",
            "lieuDeResidence": FABRIK["id"],
            "nomLieu": "La Fabrik",
            "ville": "Lyon",
            "lieu": FABRIK["id"],
        }
    ]


def test_next_events_of_the_network_in_order_with_place_and_city(network: ox.Store) -> None:
    found = rows(network, "prochains-evenements")
    assert [
        (r["evenement"], r["debut"], r["organisateur"], r["endroit"], r["ville"], r["lieu"])
        for r in found
    ] == [
        (f"{ROUBAIX}/objects/evenement-3", "2099-02-01T14:00:00Z", POPCAFE["id"], "PopCafé",
         "Roubaix", POPCAFE["id"]),
        (f"{LYON}/objects/evenement-4", "2099-03-01T14:00:00Z", FABRIK["id"], "La Fabrik",
         "Lyon", FABRIK["id"]),
        (f"{LILLE}/objects/evenement-2", "2099-05-12T14:00:00Z", f"{LILLE}/actors/alice",
         "La Coroutine", "Lille", COROUTINE["id"]),
    ]  # fmt: skip
    assert found[0]["fin"] == "2099-02-01T17:00:00Z"


def test_each_query_declares_its_prefixes() -> None:
    """Run with no default prefixes (another SPARQL endpoint, a desktop tool): still parses."""
    store = ox.Store()
    for path in sorted(QUERIES.glob("*.rq")):
        solutions = store.query(path.read_text())
        assert isinstance(solutions, ox.QuerySolutions), path.name
        assert list(solutions) == [], path.name


def test_only_the_next_twenty_events() -> None:
    organiser = FABRIK["id"]
    starts = [f"2099-01-{day:02d}T14:00:00Z" for day in range(25, 0, -1)]
    store = load(
        {
            organiser: [
                FABRIK,
                *(event(organiser, n, s, located(FABRIK)) for n, s in enumerate(starts)),
            ]
        }
    )
    found = rows(store, "prochains-evenements")
    assert [r["debut"] for r in found] == sorted(starts)[:20]

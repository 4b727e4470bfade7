"""/sparql and the exports: the public graph, kept in step, read-only, with a time limit."""

from __future__ import annotations

import csv
import io

import pytest

from tests.node.agenda.test_events import event, post
from tests.node.conftest import InProcessNode

EVENTS = """
PREFIX as: <https://www.w3.org/ns/activitystreams#>
SELECT ?e ?name ?start WHERE { ?e a as:Event ; as:name ?name ; as:startTime ?start }
"""


def test_select_finds_a_posted_event_in_json_xml_and_csv(place: InProcessNode) -> None:
    obj_id = post(place, event()).json()["object"]["id"]
    answer = place.client.get(
        "/sparql", params={"query": EVENTS}, headers={"accept": "application/sparql-results+json"}
    )
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    rows = answer.json()["results"]["bindings"]
    assert [(r["e"]["value"], r["name"]["value"]) for r in rows] == [(obj_id, "Atelier soudure")]
    xml = place.client.post(
        "/sparql",
        content=EVENTS,
        headers={
            "content-type": "application/sparql-query",
            "accept": "application/sparql-results+xml",
        },
    )
    assert "<sparql" in xml.text and "Atelier soudure" in xml.text
    table = place.client.post("/sparql", data={"query": EVENTS}, headers={"accept": "text/csv"})
    assert list(csv.reader(io.StringIO(table.text)))[1][:2] == [obj_id, "Atelier soudure"]


def test_a_deleted_event_leaves_the_graph(place: InProcessNode) -> None:
    obj_id = post(place, event()).json()["object"]["id"]
    assert post(place, {"type": "Delete", "object": obj_id}).status_code == 201
    rows = place.client.get("/sparql", params={"query": EVENTS}).json()["results"]["bindings"]
    assert rows == []


def test_updates_are_refused_and_errors_say_what_to_do(place: InProcessNode) -> None:
    update = "INSERT DATA { <http://a> <http://b> <http://c> }"
    refused = place.client.post("/sparql", data={"query": update})
    assert refused.status_code == 400 and "lecture seule" in refused.json()["error"]
    broken = place.client.get("/sparql", params={"query": "SELEKT ?x"})
    assert broken.status_code == 400 and "mal formée" in broken.json()["error"]
    assert place.client.get("/sparql").status_code == 400


def test_a_runaway_query_is_stopped(place: InProcessNode, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        post(place, event(name=f"Atelier {n}"))
    monkeypatch.setenv("INTERLIEUX_SPARQL_TIMEOUT", "0")
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    answer = place.client.get("/sparql", params={"query": slow})
    assert answer.status_code == 503 and "LIMIT" in answer.json()["error"]


def test_exports_hold_the_public_graph_and_nothing_else(place: InProcessNode) -> None:
    post(place, event())
    private = event(name="Réunion interne", to=[place.actor_id("alice")])
    assert post(place, private).status_code == 201
    turtle = place.client.get("/data.ttl").text
    assert "Atelier soudure" in turtle and "Réunion interne" not in turtle
    graph = place.client.get("/data.jsonld").json()["@graph"]
    assert [d["name"] for d in graph] == ["Atelier soudure"]
    table = place.client.get("/data/Event.csv").text
    header, row = list(csv.reader(io.StringIO(table)))[:2]
    assert row[header.index("name")] == "Atelier soudure"
    missing = place.client.get("/data/Licorne.csv")
    assert missing.status_code == 404 and "Event" in missing.json()["error"]


def test_ns_serves_the_context_and_a_french_page(place: InProcessNode) -> None:
    context = place.client.get("/ns", headers={"accept": "application/ld+json"}).json()
    assert context["@context"]["tl"] == "https://w3id.org/interlieux/ns#"
    page = place.client.get("/ns")
    assert page.headers["content-type"].startswith("text/html")
    assert "Vocabulaire Interlieux" in page.text and "Impression 3D" in page.text
    english = place.client.get("/ns", headers={"accept-language": "en"}).text
    assert "Interlieux vocabulary" in english and "3D printing" in english


def test_the_skills_nomenclature_is_in_the_graph_and_at_ns(place: InProcessNode) -> None:
    query = """
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?label WHERE { GRAPH <https://w3id.org/interlieux/skills> {
      <https://w3id.org/interlieux/skills#soudure> skos:broader ?b ; skos:prefLabel ?label .
      ?b skos:prefLabel "Fabrication numérique et artisanat"@fr } }
    """
    rows = place.client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert sorted(r["label"]["value"] for r in rows) == ["Soudure", "Welding"]
    turtle = place.client.get("/ns", headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "sk:soudure a skos:Concept" in turtle.text and '"Soudure"@fr' in turtle.text

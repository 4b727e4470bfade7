"""The vocabulary: bundled contexts only, every tl: term documented, shapes that name failures."""

from __future__ import annotations

import json

import pytest
from pyld import jsonld

from vocab import loader, shapes, skills, skills_source
from vocab.context import CONTEXTS_DIR, DOCUMENT_CONTEXT, TL, TL_CONTEXT

TERMS = json.loads((CONTEXTS_DIR.parent / "terms.json").read_text())


def test_the_loader_serves_bundled_contexts_and_refuses_the_rest() -> None:
    for url in ("https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
                "https://w3id.org/security/multikey/v1"):  # fmt: skip
        assert "@context" in loader.load_document(url)["document"]
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/evil-context", "name": "x"})


def test_every_tl_term_of_the_context_is_documented() -> None:
    documented = {**TERMS["classes"], **TERMS["properties"], **TERMS["values"]}
    for term, definition in TL_CONTEXT.items():
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if isinstance(iri, str) and iri.startswith("tl:"):
            assert term in documented, f"{term} is a tl: term without documentation"
    for doc in [*TERMS["classes"].values(), *TERMS["properties"].values()]:
        assert doc["fr"] and doc["en"] and doc["why"]


def test_documents_expand_tl_terms_with_no_fetch() -> None:
    need = {
        "@context": DOCUMENT_CONTEXT, "id": "https://a.example/objects/1", "type": "Need",
        "needKind": "skills", "quantity": 2, "status": "partlyMet", "skill": ["sk:soudure"],
        "due": "2025-06-30T00:00:00Z",
    }  # fmt: skip
    expanded = jsonld.expand(need)[0]
    assert expanded["@type"] == [f"{TL}Need"]
    assert expanded[f"{TL}status"] == [{"@id": f"{TL}partlyMet"}]
    assert expanded[f"{TL}skill"] == [{"@id": "https://w3id.org/interlieux/skills#soudure"}]
    assert "https://w3id.org/valueflows/ont/vf#due" in expanded


def test_a_missing_start_time_is_named_in_french() -> None:
    violations = shapes.check({"name": "Atelier", "location": {"name": "Ici"}}, "Event")
    assert [v.path for v in violations] == ["startTime"]
    message = shapes.describe(violations, "Event")
    assert "« startTime » manque" in message and "ISO 8601" in message
    assert "Rien n'a été enregistré" in message
    assert "'startTime' is missing" in shapes.describe(violations, "Event", "en")


def test_nested_and_bounded_properties_are_each_named() -> None:
    violations = shapes.check(
        {"amount": -3, "currency": "euros", "funds": "", "due": "demain"}, "Pledge"
    )
    assert {v.path for v in violations} == {"amount", "currency", "funds", "due"}
    event = {"name": "x", "startTime": "2025-03-14T18:00:00+01:00",
             "endTime": "2025-03-14T17:00:00+01:00", "location": {"address": {}}}  # fmt: skip
    paths = {v.path for v in shapes.check(event, "Event")}
    assert paths == {"endTime", "location.name", "location.address.addressLocality"}


def test_skills_nomenclature_has_french_labels_and_accepts_short_names() -> None:
    skill = skills.get("sk:impression-3d")
    assert skill is not None and skill.fr == "Impression 3D" and skill.en == "3D printing"
    assert skill.broader == skills.SKILLS + "fabrication"
    assert skills.known(skills.SKILLS + "soudure")
    assert not skills.known("sk:astrophysique")


def test_skills_index_says_what_the_turtle_says() -> None:
    """The labels the web process reads are those of skills.ttl, the nomenclature served at /ns
    and loaded into the graph: after an edit of the Turtle, run `python -m vocab.skills_source`."""
    from_turtle = skills_source.index_of(skills.TURTLE_FILE)
    assert skills_source.written(from_turtle) == skills.INDEX_FILE.read_text(encoding="utf-8"), (
        "vocab/skills.json is behind vocab/skills.ttl: run python -m vocab.skills_source"
    )
    assert len(from_turtle["concepts"]) >= 20
    tops = [c["id"] for c in from_turtle["concepts"] if "broader" not in c]
    assert tops == ["fabrication", "numerique", "animation", "gestion"]

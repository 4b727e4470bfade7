"""`skills.json` written from `skills.ttl`: the index the web process reads its labels from.

    python -m vocab.skills_source      # after editing skills.ttl

Read with pyoxigraph, here only: the node's web process reads the index (`skills.py`), and
the tests check that the index says what the Turtle says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from .skills import INDEX_FILE, SKILLS, TURTLE_FILE

SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def index_of(path: Path) -> dict[str, Any]:
    """Each concept's labels (in the file's order), with its broader concept."""
    concepts: list[str] = []
    labels: dict[str, dict[str, str]] = {}
    broader: dict[str, str] = {}
    for quad in parse(path=path, format=RdfFormat.TURTLE):
        subject, predicate, obj = (
            str(getattr(quad.subject, "value", "")),
            quad.predicate,
            quad.object,
        )
        if predicate.value == TYPE and obj == NamedNode(SKOS + "Concept"):
            concepts.append(subject)
        elif predicate.value == SKOS + "prefLabel" and isinstance(obj, Literal) and obj.language:
            labels.setdefault(subject, {})[obj.language] = obj.value
        elif predicate.value == SKOS + "broader" and isinstance(obj, NamedNode):
            broader[subject] = obj.value
    index: dict[str, Any] = {"concepts": []}
    for concept in concepts:
        if not concept.startswith(SKILLS):
            raise ValueError(f"{concept}: a concept of another scheme in {path}")
        if concept in broader and broader[concept] not in concepts:
            raise ValueError(f"{concept}: its broader concept {broader[concept]} is not in {path}")
        found = labels.get(concept, {})
        entry: dict[str, str] = {"id": concept.removeprefix(SKILLS)}
        if concept in broader:
            entry["broader"] = broader[concept].removeprefix(SKILLS)
        entry["fr"] = found.get("fr") or found.get("en") or concept
        entry["en"] = found.get("en") or found.get("fr") or concept
        index["concepts"].append(entry)
    return index


def written(index: dict[str, Any]) -> str:
    return json.dumps(index, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    index = index_of(TURTLE_FILE)
    INDEX_FILE.write_text(written(index), encoding="utf-8")
    print(f"{INDEX_FILE}: {len(index['concepts'])} concepts")


if __name__ == "__main__":
    main()

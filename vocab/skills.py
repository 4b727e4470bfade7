"""The skills nomenclature: SKOS concepts with French labels first, bundled with the code.

Residents' skills and needs' skills are concepts of one shared scheme, so that "who can do 3D
printing near Lille" is one SPARQL pattern across places. The nomenclature is written
in `skills.ttl`, served as is at `/ns` and loaded into the graph by the engine. The web process
only looks labels up: it reads them from `skills.json`, the Turtle's index (an identifier, a
French and an English label, the broader concept of each concept), written from the Turtle by
`python -m vocab.skills_source` and checked against it by the tests, so that it never loads an
RDF library (pyoxigraph alone is 14 MB of resident memory).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SKILLS = "https://w3id.org/interlieux/skills#"
TURTLE_FILE = Path(__file__).parent / "skills.ttl"
INDEX_FILE = Path(__file__).parent / "skills.json"


@dataclass(frozen=True)
class Skill:
    iri: str
    fr: str
    en: str
    broader: str | None

    @property
    def short(self) -> str:
        return f"sk:{self.iri.removeprefix(SKILLS)}" if self.iri.startswith(SKILLS) else self.iri

    def label(self, lang: str = "fr") -> str:
        return self.en if lang.startswith("en") else self.fr


@cache
def nomenclature() -> dict[str, Skill]:
    """The bundled nomenclature's concepts by IRI, in the Turtle's order, read once."""
    concepts = json.loads(INDEX_FILE.read_text(encoding="utf-8"))["concepts"]
    return {
        SKILLS + c["id"]: Skill(
            SKILLS + c["id"], c["fr"], c["en"], SKILLS + c["broader"] if "broader" in c else None
        )
        for c in concepts
    }


def expand(value: str) -> str:
    """`sk:impression-3d` or the full IRI: the full IRI."""
    return SKILLS + value[3:] if value.startswith("sk:") else value


def known(value: str) -> bool:
    return expand(value) in nomenclature()


def get(value: str) -> Skill | None:
    return nomenclature().get(expand(value))


def all_skills() -> list[Skill]:
    return sorted(
        nomenclature().values(),
        key=lambda s: (s.broader or s.iri, s.broader is not None, s.fr),
    )

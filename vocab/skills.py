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
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SKILLS = "https://w3id.org/interlieux/skills#"
TURTLE_FILE = Path(__file__).parent / "skills.ttl"
INDEX_FILE = Path(__file__).parent / "skills.json"
# A concept's identifier: what a Turtle local name and a URL fragment both take as is.
IDENTIFIER = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


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


@dataclass(frozen=True)
class Nomenclature:
    fr: str  # the scheme's own name
    en: str
    skills: dict[str, Skill]  # by IRI, in the file's order


@cache
def nomenclature() -> Nomenclature:
    """The bundled nomenclature's index, read once."""
    data = json.loads(INDEX_FILE.read_text(encoding="utf-8"))
    skills: dict[str, Skill] = {}
    for concept in data["concepts"]:
        if not IDENTIFIER.fullmatch(concept["id"]):
            raise ValueError(f"{concept['id']!r} in {INDEX_FILE}: lower-case words and hyphens")
        iri = SKILLS + concept["id"]
        broader = concept.get("broader")
        skills[iri] = Skill(
            iri, concept["fr"], concept["en"], SKILLS + broader if broader else None
        )
    for skill in skills.values():
        if skill.broader is not None and skill.broader not in skills:
            raise ValueError(
                f"{skill.short}: its broader concept {skill.broader} is not in {INDEX_FILE}"
            )
    return Nomenclature(data["scheme"]["fr"], data["scheme"]["en"], skills)


def expand(value: str) -> str:
    """`sk:impression-3d` or the full IRI: the full IRI."""
    return SKILLS + value[3:] if value.startswith("sk:") else value


def known(value: str) -> bool:
    return expand(value) in nomenclature().skills


def get(value: str) -> Skill | None:
    return nomenclature().skills.get(expand(value))


def all_skills() -> list[Skill]:
    return sorted(
        nomenclature().skills.values(),
        key=lambda s: (s.broader or s.iri, s.broader is not None, s.fr),
    )

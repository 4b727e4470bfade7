"""The skills nomenclature: SKOS concepts with French labels first, bundled and extensible.

Residents' skills and needs' skills are concepts of one shared scheme, so that "who can do 3D
printing near Lille" is one SPARQL pattern across places. A place adds concepts of its own with
a `skills.ttl` in its data folder (`extend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

SKILLS = "https://w3id.org/interlieux/skills#"
BUNDLED_FILE = Path(__file__).parent / "skills.ttl"
_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CONCEPT = NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_BROADER = NamedNode("http://www.w3.org/2004/02/skos/core#broader")


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


_quads: list[Quad] | None = None
_skills: dict[str, Skill] = {}


def graph() -> list[Quad]:
    """The nomenclature as RDF statements (bundled plus extensions), read once."""
    global _quads
    if _quads is None:
        _quads = list(parse(path=BUNDLED_FILE, format=RdfFormat.TURTLE))
        _index()
    return _quads


def extend(path: Path) -> None:
    """Add a place's own concepts (Turtle, same form as the bundled file)."""
    if path.exists():
        graph().extend(parse(path=path, format=RdfFormat.TURTLE))
        _index()


def _index() -> None:
    assert _quads is not None
    labels: dict[str, dict[str | None, str]] = {}
    broader: dict[str, str] = {}
    concepts: list[str] = []
    for quad in _quads:
        subject, predicate, obj = (
            str(getattr(quad.subject, "value", "")),
            quad.predicate,
            quad.object,
        )
        if predicate == _TYPE and obj == _CONCEPT:
            concepts.append(subject)
        elif predicate == _LABEL and isinstance(obj, Literal):
            labels.setdefault(subject, {})[obj.language] = obj.value
        elif predicate == _BROADER and isinstance(obj, NamedNode):
            broader[subject] = obj.value
    _skills.clear()
    for concept in concepts:
        found = labels.get(concept, {})
        _skills[concept] = Skill(
            iri=concept,
            fr=found.get("fr") or found.get("en") or concept,
            en=found.get("en") or found.get("fr") or concept,
            broader=broader.get(concept),
        )


def expand(value: str) -> str:
    """`sk:impression-3d` or the full IRI: the full IRI."""
    return SKILLS + value[3:] if value.startswith("sk:") else value


def known(value: str) -> bool:
    graph()
    return expand(value) in _skills


def get(value: str) -> Skill | None:
    graph()
    return _skills.get(expand(value))


def all_skills() -> list[Skill]:
    graph()
    return sorted(_skills.values(), key=lambda s: (s.broader or s.iri, s.broader is not None, s.fr))

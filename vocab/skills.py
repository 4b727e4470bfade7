"""The skills nomenclature: SKOS concepts with French labels first, bundled and extensible.

Residents' skills and needs' skills are concepts of one shared scheme, so that "who can do 3D
printing near Lille" is one SPARQL pattern across places. A place adds concepts of its own with
a `skills.ttl` in its data folder (`extend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

SKILLS = "https://w3id.org/interlieux/skills#"
BUNDLED_FILE = Path(__file__).parent / "skills.ttl"


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


_graph: Graph | None = None
_skills: dict[str, Skill] = {}


def graph() -> Graph:
    """The nomenclature as RDF (bundled plus extensions), loaded once."""
    global _graph
    if _graph is None:
        _graph = Graph().parse(BUNDLED_FILE, format="turtle")
        _index()
    return _graph


def extend(path: Path) -> None:
    """Add a place's own concepts (Turtle, same form as the bundled file)."""
    if path.exists():
        graph().parse(path, format="turtle")
        _index()


def _index() -> None:
    assert _graph is not None
    _skills.clear()
    for concept in _graph.subjects(RDF.type, SKOS.Concept):
        labels = {
            lit.language: str(lit)
            for lit in _graph.objects(concept, SKOS.prefLabel)
            if isinstance(lit, Literal)
        }
        broader = _graph.value(concept, SKOS.broader)
        _skills[str(concept)] = Skill(
            iri=str(concept),
            fr=labels.get("fr") or labels.get("en") or str(concept),
            en=labels.get("en") or labels.get("fr") or str(concept),
            broader=str(broader) if isinstance(broader, URIRef) else None,
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

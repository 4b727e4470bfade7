"""The résidentothèque (`/residents` in a browser) and a resident's page (their actor id).

Only what the members made public: the cards and pages are built from
`directory.residents.public_profile` without the network's fields, so a `network` or `private`
field never reaches a page. Filters are a plain GET form (skill of the SKOS nomenclature,
grouped by its broader concept; availability when residents publish one): the page works
without JavaScript, and a filtered list has its own address to share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from vocab import skills

from ..actors import local
from ..actors.local import LocalActor
from ..actors.names import display_name
from ..actors.routes import node_of
from ..directory.residents import public_profile
from ..tables import remote_actors
from ..tables import residents as residents_table
from ..volunteering import calls as volunteering
from . import i18n
from .render import render

# The résidentothèque shows at most this many residents (a place has tens, not thousands;
# beyond, the JSON collection pages them).
MAX_RESIDENTS = 500

i18n.english(
    {
        "Résidentothèque": "Residents directory",
        "Les résidents validés par le lieu, avec ce qu'ils ont choisi de rendre public.": (
            "The residents validated by the place, with what they chose to make public."
        ),
        "Compétence": "Skill",
        "Toutes les compétences": "All skills",
        "(toutes)": "(all)",
        "Disponibilité (un mot, ex. « mardi »)": "Availability (a word, e.g. \u201ctuesday\u201d)",
        "Filtrer": "Filter",
        "Tout afficher": "Show all",
        "résident": "resident",
        "résidents": "residents",
        "Aucun résident ne correspond à ce filtre.": "No resident matches this filter.",
        "Aucun résident pour l'instant.": "No resident yet.",
        "Compétences": "Skills",
        "Disponibilités": "Availability",
        "Projets": "Projects",
        "Résident de": "Resident of",
        "Membre du réseau Interlieux.": "Member of the Interlieux network.",
        "Filtrer les résidents": "Filter the residents",
    }
)


@dataclass(frozen=True)
class Card:
    """A resident as the public sees them."""

    id: str
    name: str
    summary: str
    skills: list[skills.Skill]
    availability: str
    projects: list[str]


def card(actor_id: str, name: str, summary: str, profile: dict[str, Any]) -> Card:
    """A card from an actor's public profile; unknown skills are left out (pure)."""
    known = [skills.get(s) for s in profile.get("skill", []) if isinstance(s, str)]
    availability = profile.get("availability")
    projects = profile.get("projects")
    return Card(
        id=actor_id,
        name=name,
        summary=summary,
        skills=[s for s in known if s is not None],
        availability=availability if isinstance(availability, str) else "",
        projects=[p for p in projects if isinstance(p, str)] if isinstance(projects, list) else [],
    )


def within(skill: skills.Skill, chosen: str) -> bool:
    """Whether `skill` is the chosen concept or narrower than it (pure but for the
    nomenclature, read once)."""
    seen: set[str] = set()
    current: skills.Skill | None = skill
    while current is not None and current.iri not in seen:
        if current.iri == chosen:
            return True
        seen.add(current.iri)
        current = skills.get(current.broader) if current.broader else None
    return False


def matches(resident: Card, skill: str | None, availability: str) -> bool:
    """The résidentothèque's filter: a skill (or any narrower one) and a word of the
    availability, each only when given (pure)."""
    if skill and not any(within(s, skills.expand(skill)) for s in resident.skills):
        return False
    word = availability.strip().casefold()
    return not word or word in resident.availability.casefold()


def skill_groups() -> list[tuple[skills.Skill, list[skills.Skill]]]:
    """The nomenclature's top concepts, each with its narrower concepts (the select's groups)."""
    every = skills.all_skills()
    tops = [s for s in every if s.broader is None]
    return [(top, [s for s in every if s.broader == top.iri]) for top in tops]


async def residents(request: Request) -> list[Card]:
    """The place's validated residents, in the order they were validated."""
    node = node_of(request)
    reads = node.store.reads
    found = []
    for actor_id in await residents_table.accepted_page(reads, MAX_RESIDENTS, 0):
        actor = await local.by_id(node.store, actor_id)
        if actor is not None:
            profile = await public_profile(node.store, actor, network=False)
            found.append(card(actor.id, actor.name, actor.summary, profile))
            continue
        # A member of another node who joined: what their own server publishes of them.
        document = await remote_actors.document(reads, actor_id) or {}
        name = document.get("name")
        summary = document.get("summary")
        found.append(card(
            actor_id, name if isinstance(name, str) and name else actor_id,
            summary if isinstance(summary, str) else "", document,
        ))  # fmt: skip
    return found


async def page(request: Request) -> Response:
    node = node_of(request)
    everyone = await residents(request)
    skill = request.query_params.get("skill", "").strip()
    chosen = skills.get(skill) if skill else None
    availability = request.query_params.get("availability", "")[:100]
    shown = [r for r in everyone if matches(r, chosen.iri if chosen else None, availability)]
    return await render(
        request, "residents.html",
        residents=shown, total=len(everyone), groups=skill_groups(),
        chosen=chosen.iri if chosen else "", availability=availability,
        # The availability filter only when a resident says when they are available.
        with_availability=any(r.availability for r in everyone),
        url=f"{node.config.base_url}/residents",
    )  # fmt: skip


async def resident_page(request: Request, actor: LocalActor) -> Response:
    """A member's page at their actor id: a validated resident's public profile and their
    place; a member who is not a resident shows only their name and summary."""
    node = node_of(request)
    profile = await public_profile(node.store, actor, network=False)
    place = profile.get("residentOf")
    shown = card(actor.id, actor.name, actor.summary, profile if place else {})
    return await render(
        request, "resident.html",
        resident=shown, place=place,
        place_name=await display_name(node.store.reads, place) if place else "",
        volunteer_hours=await volunteering.hours_shown_to(node.store, actor, "public"),
    )  # fmt: skip

"""`/moi/profil`: the signed-in member edits their profile — name, presentation, skills chosen
in the SKOS nomenclature, availability — and says for each field who sees it: everyone, the
network's places, or only them and their place's team. A preview shows what each of the three
audiences sees, built by `directory.profile.seen_by`, the rule the node's faces follow.

Saving calls `directory.profile.save`, which goes through the `profile` command's functions.
The member can also ask to be listed among the place's residents (a `Join` from their outbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vocab import skills

from ...actors import local
from ...actors.routes import node_of
from ...directory import profile as profiles
from ...directory.residents import PROFILE_FIELDS, VISIBILITIES
from ...errors import InterlieuxError
from ...people import accounts
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..render import language, render
from ..residents import skill_groups
from ..visitor import Member

# The audiences as the member reads them (the field's level → who sees it).
AUDIENCES = {
    "public": "Tout le monde",
    "network": "Les lieux du réseau",
    "private": "Moi et l'équipe du lieu",
}
SKILL_PREFIX = "skill:"  # one checkbox per concept: `skill:sk:soudure=on`

i18n.english(
    {
        "Tout le monde": "Everyone",
        "Les lieux du réseau": "The network's places",
        "Moi et l'équipe du lieu": "Me and the place's team",
        "Mon profil": "My profile",
        "Profil enregistré.": "Profile saved.",
        "Profil enregistré ; vos abonnés en ont été informés.": (
            "Profile saved; your followers were told."
        ),
        "Nom": "Name",
        "Présentation": "About me",
        "Quelques phrases : ce que vous faites, ce que vous cherchez.": (
            "A few sentences: what you do, what you are looking for."
        ),
        "Votre nom et votre présentation sont toujours publics : ils présentent votre compte "
        "dans tout le réseau.": (
            "Your name and presentation are always public: they present your account across "
            "the network."
        ),
        "Compétences": "Skills",
        "Disponibilités": "Availability",
        "Projets": "Projects",
        "Par exemple : le jeudi matin, en soirée…": "For example: Thursday mornings, evenings…",
        "Cochez celles que vous pouvez partager ; la liste est commune à tous les lieux du "
        "réseau.": "Tick those you can share; the list is the same at every place of the network.",
        "Qui voit ce champ ?": "Who sees this field?",
        "Les titres de vos projets publiés par le lieu.": (
            "The titles of your projects the place published."
        ),
        "Proposer un projet": "Submit a project",
        "Aucun projet publié pour l'instant.": "No published project yet.",
        "Enregistrer mon profil": "Save my profile",
        "Aperçu : qui voit quoi": "Preview: who sees what",
        "Ce que chaque public voit de votre profil enregistré.": (
            "What each audience sees of your saved profile."
        ),
        "Rien de plus que votre nom.": "Nothing more than your name.",
        "Le formulaire contient une erreur": "The form has an error",
        "Résidentothèque": "Residents directory",
        "Vous figurez dans la résidentothèque du lieu.": (
            "You are listed in the place's residents directory."
        ),
        "Votre demande attend la validation de l'équipe du lieu.": (
            "Your request is waiting for the place's team to validate it."
        ),
        "Pour figurer dans la résidentothèque avec la partie publique de votre profil, "
        "demandez-le à l'équipe du lieu.": (
            "To be listed in the residents directory with the public part of your profile, "
            "ask the place's team."
        ),
        "Demander à figurer dans la résidentothèque": "Ask to be listed in the residents directory",
        "Demande envoyée à l'équipe du lieu.": "Request sent to the place's team.",
        "Voir ma page publique": "See my public page",
    }
)


@dataclass(frozen=True)
class Preview:
    audience: str  # public | network | private
    label: str
    name: str
    summary: str
    skills: list[skills.Skill]
    availability: str
    projects: list[str]


def preview(profile: profiles.Profile, audience: str) -> Preview:
    """What `audience` sees of `profile` (pure but for the nomenclature)."""
    seen = profiles.seen_by(profile, audience)
    known = [skills.get(s) for s in seen.get("skill", [])]
    return Preview(
        audience=audience,
        label=AUDIENCES[audience],
        name=profile.name,
        summary=profile.summary,
        skills=[s for s in known if s is not None],
        availability=str(seen.get("availability", "")),
        projects=[str(p) for p in seen.get("projects", [])],
    )


def wanted(form: dict[str, str], saved: profiles.Profile) -> profiles.Profile:
    """The profile the form asks for (pure). Projects are not typed here: their titles come
    from the projects the place published (`/moi/projets`); only their visibility is."""

    def level(field: str) -> str:
        given = form.get(f"vis.{field}", "")
        return given if given in VISIBILITIES else saved.fields[field].visibility

    chosen = [name.removeprefix(SKILL_PREFIX) for name in form if name.startswith(SKILL_PREFIX)]
    fields = {
        "skill": profiles.Field(profiles.check_skills(chosen) or None, level("skill")),
        "availability": profiles.Field(
            form.get("availability", "").strip() or None, level("availability")
        ),
        "projects": profiles.Field(saved.fields["projects"].value, level("projects")),
    }
    assert set(fields) == set(PROFILE_FIELDS)
    return profiles.Profile(form.get("name", ""), form.get("summary", ""), fields)


async def _page(
    request: Request,
    member: Member,
    shown: profiles.Profile,
    saved: profiles.Profile,
    status: int = 200,
    error: str = "",
) -> Response:
    node = node_of(request)
    actor = await local.by_handle(node.store, member.handle)
    return await render(
        request, "member/profile.html", status=status,
        profile=shown, chosen=set(shown.fields["skill"].value or []),
        groups=skill_groups(), audiences=AUDIENCES,
        previews=[preview(saved, a) for a in VISIBILITIES],
        residency=await profiles.residency(node.store, actor),
        actor_id=actor.id, error=error,
        saved=request.query_params.get("enregistre", ""),
        asked=request.query_params.get("demande") == "1",
        max_name=profiles.MAX_NAME, max_summary=profiles.MAX_SUMMARY,
    )  # fmt: skip


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET /moi/profil: the form and the preview; POST: save (then 303 back here)."""
    node = node_of(request)
    form: dict[str, str] | None = None
    if request.method == "GET":
        member = await gate.member(request)
    else:
        try:
            member, form = await member_form(request)
        except InterlieuxError as error:
            return await refused(request, error)
    actor = await local.by_handle(node.store, member.handle)
    saved = await profiles.load(node.store, actor)
    if form is None:
        return await _page(request, member, saved, saved)
    shown = saved
    try:
        shown = wanted(form, saved)
        told = await profiles.save(node, actor, shown)
    except InterlieuxError as error:
        typed = profiles.Profile(form.get("name", ""), form.get("summary", ""), {
            **shown.fields,
            "availability": profiles.Field(
                form.get("availability", ""), shown.fields["availability"].visibility),
        })  # fmt: skip
        return await _page(request, member, typed, saved, 400, error.message(language(request)))
    return RedirectResponse(f"/moi/profil?enregistre={'envoye' if told else 'oui'}", 303)


@requires(accounts.MEMBER)
async def ask_residency(request: Request) -> Response:
    """POST /moi/profil/residence: ask the place's team to list the member as a resident."""
    try:
        member, _ = await member_form(request)
        actor = await local.by_handle(node_of(request).store, member.handle)
        if await profiles.residency(node_of(request).store, actor) is None:
            await profiles.ask_residency(node_of(request), actor)
    except InterlieuxError as error:
        return await refused(request, error)
    return RedirectResponse("/moi/profil?demande=1#residence", 303)

"""`/equipe/appels`: the place's volunteer calls — publish one (as `interlieux call create`,
through the place's outbox), see who offered to help and who fits (the ranked suggestions of
`volunteering.calls.people_for_call`), confirm a volunteer and record their hours (as `call
confirm` and `call hours`: an Accept of their Offer, which their home shows on their page)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ...actors import local
from ...actors.names import names_of
from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...outbox.publish import publish
from ...people import accounts
from ...tables import volunteer_calls, volunteer_offers
from ...volunteering import calls, matching
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import language, local_time, render
from ..residents import skill_groups
from .actions import confirmation, done

i18n.english(
    {
        "Appels à bénévoles": "Volunteer calls",
        "Publiez un appel : les membres du lieu et ceux des lieux qui vous suivent le voient "
        "sur leur page et proposent leur aide ; vous confirmez qui vient, puis inscrivez les "
        "heures faites.": (
            "Publish a call: members of the place and of the places that follow it see it on "
            "their page and offer their help; you confirm who comes, then record the hours done."
        ),
        "Appel publié : les lieux abonnés le reçoivent.": (
            "Call published: the places that follow yours receive it."
        ),
        "Bénévole confirmé·e : son nœud l'affiche sur sa page.": (
            "Volunteer confirmed: their node shows it on their page."
        ),
        "Heures inscrites : son nœud les affiche sur sa page.": (
            "Hours recorded: their node shows them on their page."
        ),
        "Publier un appel": "Publish a call",
        "Titre": "Title",
        "Ce qu'il y a à faire": "What there is to do",
        "Compétences recherchées": "Skills wanted",
        "Début": "Start",
        "Fin": "End",
        "Heure du lieu.": "The place's time.",
        "Nombre de personnes": "Number of people",
        "Publier l'appel": "Publish the call",
        "Les appels du lieu": "The place's calls",
        "Aucun appel pour l'instant : publiez-en un ci-dessous.": (
            "No call yet: publish one below."
        ),
        "personne(s) recherchée(s)": "person(s) wanted",
        "Offres d'aide": "Offers of help",
        "Personne n'a encore proposé son aide.": "Nobody has offered their help yet.",
        "proposée": "offered",
        "confirmée": "confirmed",
        "Confirmer": "Confirm",
        "Heures faites": "Hours done",
        "Inscrire les heures": "Record the hours",
        "Suggestions": "Suggestions",
        "Personnes dont les compétences, les disponibilités et le lieu correspondent, de la "
        "meilleure à la moins bonne (seuls les champs publics ou réservés au réseau comptent).": (
            "People whose skills, availability and place fit, best first (only public or "
            "network fields count)."
        ),
        "Aucune personne connue ne correspond.": "Nobody known fits.",
        "compétences": "skills",
        "disponibilité": "availability",
        "proximité": "proximity",
        "a proposé son aide": "offered help",
        "h": "h",
    }
)

MAX_SUGGESTIONS = 10  # people shown per call


@dataclass(frozen=True)
class OfferRow:
    id: str
    volunteer: str
    name: str
    state: str
    hours: float | None
    message: str


@dataclass(frozen=True)
class CallRow:
    id: str
    name: str
    start: Any
    end: Any
    needed: int
    skills: list[str]
    offers: list[OfferRow]
    suggestions: list[tuple[str, str, matching.Match, bool]]  # id, name, match, offered


async def _calls(request: Request) -> list[CallRow]:
    node = node_of(request)
    lang = language(request)
    reads = node.store.reads
    rows = []
    listed = [(row, await volunteer_offers.of_call(reads, row["id"]))
              for row in await volunteer_calls.of_place(reads, node.config.place_id,
                                                        calls.MAX_LISTED)]  # fmt: skip
    volunteers = await names_of(reads, [o["volunteer"] for _, found in listed for o in found])
    for row, found in listed:
        call = calls.call_of(row)
        offers = [
            OfferRow(o["id"], o["volunteer"], volunteers[o["volunteer"]],
                     o["state"], o["hours"], o["message"])
            for o in found
        ]  # fmt: skip
        offered = {o.volunteer for o in offers}
        suggestions = []
        if row["end_at"] > time.time():
            for s in (await calls.people_for_call(node, row["id"]))[:MAX_SUGGESTIONS]:
                suggestions.append((s.person.id, s.person.name, s.match, s.person.id in offered))
        tz = node.config.timezone
        names = [calls.skill_label(c, lang) for c in call.skills]
        rows.append(CallRow(row["id"], row["name"], local_time(call.start, tz),
                            local_time(call.end, tz), row["needed"], names, offers,
                            suggestions))  # fmt: skip
    return rows


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("values", {"people": "1"})
    context.setdefault("chosen", [])
    context.setdefault("error", None)
    flags = {"publie": "Appel publié : les lieux abonnés le reçoivent.",
             "confirme": "Bénévole confirmé·e : son nœud l'affiche sur sa page.",
             "heures": "Heures inscrites : son nœud les affiche sur sa page."}  # fmt: skip
    return await render(request, "team/calls.html", status=status, calls=await _calls(request),
                        groups=skill_groups(), done=confirmation(request, flags),
                        **context)  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    """GET: the calls, their offers and suggestions, the form; POST: publish a call."""
    if request.method == "GET":
        return await _page(request)
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    values = {k: form.get(k, "")[:3000] for k in ("title", "text", "start", "end", "people")}
    chosen = [k.removeprefix("skill:") for k in form if k.startswith("skill:")]
    try:
        body = calls.call_document(
            values["title"], values["text"], chosen, values["start"], values["end"],
            values["people"], node.config.timezone,
        )  # fmt: skip
        place = await local.by_handle(node.store, node.config.handle)
        node.throttles.outbox(f"session:{member.session.id}", place.handle)
        await publish(node, place, body)
    except InterlieuxError as error:
        if error.status == 429 or error.status >= 500:
            return await refused(request, error)
        return await _page(request, 400, values=values, chosen=chosen,
                           error=error.message(language(request)))  # fmt: skip
    return done("/equipe/appels", "publie")


@requires(accounts.TEAM)
async def confirm(request: Request) -> Response:
    """POST: confirm a volunteer (`call confirm`)."""
    try:
        _, form = await member_form(request)
        await calls.answer_offer(node_of(request), form.get("offer", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    return done("/equipe/appels", "confirme")


@requires(accounts.TEAM)
async def hours(request: Request) -> Response:
    """POST: record a confirmed volunteer's hours (`call hours`)."""
    try:
        _, form = await member_form(request)
        done_hours = calls.check_hours(form.get("hours", ""))
        await calls.record_hours(node_of(request), form.get("offer", ""), done_hours)
    except InterlieuxError as error:
        return await refused(request, error)
    return done("/equipe/appels", "heures")

"""`/moi/appels`: the volunteer calls that fit the member (their skills, availability and
place, ranked by `volunteering.matching`), the other current calls, and their offers with
what the places answered. Offering help sends an `Offer` of the call from the member's own
outbox (`outbox.publish.publish`, as `POST /actors/<handle>/outbox`): a call of another place
reaches this page because this node follows that place, and the Offer goes from here to it.
The member also chooses who sees their volunteer hours on their page (default: the network).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors import local
from ...actors.names import names_of
from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...outbox.publish import publish
from ...people import accounts
from ...tables import volunteer_offers
from ...volunteering import calls, matching
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, local_time, render

i18n.english(
    {
        "Appels à bénévoles": "Volunteer calls",
        "Les appels des lieux du réseau : ceux qui vous correspondent d'abord, selon vos "
        "compétences, vos disponibilités et votre lieu (votre profil).": (
            "The calls of the network's places: those that fit you first, by your skills, your "
            "availability and your place (your profile)."
        ),
        "Votre offre d'aide est envoyée au lieu : il vous confirmera.": (
            "Your offer of help was sent to the place: it will confirm."
        ),
        "C'est enregistré.": "Saved.",
        "Vos disponibilités telles que nous les lisons :": "Your availability as we read it:",
        "Nous ne lisons pas encore vos disponibilités : écrivez par exemple « samedi, "
        "mercredi soir » dans votre profil.": (
            "We cannot read your availability yet: write for example \u201csamedi, mercredi "
            "soir\u201d in your profile."
        ),
        "Appels qui vous correspondent": "Calls that fit you",
        "Aucun appel ne correspond à votre profil pour l'instant.": (
            "No call fits your profile for now."
        ),
        "Autres appels en cours": "Other current calls",
        "Proposer mon aide": "Offer my help",
        "Message au lieu (facultatif)": "Message to the place (optional)",
        "Aide déjà proposée": "Help already offered",
        "Mes offres d'aide": "My offers of help",
        "Vous n'avez encore proposé votre aide à aucun appel.": (
            "You have not offered help to any call yet."
        ),
        "en attente du lieu": "waiting for the place",
        "confirmée": "confirmed",
        "Heures de bénévolat faites": "Volunteer hours done",
        "Qui voit mes heures sur ma page": "Who sees my hours on my page",
        "tout le monde": "everyone",
        "les lieux du réseau": "the network's places",
        "moi seul·e": "only me",
        "Enregistrer": "Save",
        "correspondance": "fit",
        "personne(s) recherchée(s)": "person(s) wanted",
        "h": "h",
        "Heures de bénévolat": "Volunteer hours",
        "Répondre à cet appel": "Answer this call",
        "Votre lieu enverra votre offre d'aide à ce lieu, en votre nom ; il vous confirmera.": (
            "Your place will send your offer of help to that place, in your name; it will confirm."
        ),
    }
)


async def _context(request: Request) -> dict[str, Any]:
    node = node_of(request)
    member = await gate.member(request)
    lang = language(request)
    reads = node.store.reads
    actor = await local.by_handle(node.store, member.handle)
    fields = await calls.member_fields(node, actor.handle)
    fitting, others = await calls.calls_for_member(node, actor, fields)
    tz = node.config.timezone
    offers = await volunteer_offers.of_volunteer(reads, actor.id)
    offered = {o["call"] for o in offers}
    names = await names_of(
        reads,
        [c.place for c, _ in fitting] + [c.place for c in others] + [o["place"] for o in offers],
    )

    def view(call: matching.Call, fit: matching.Match | None) -> dict[str, Any]:
        return {"id": call.id, "name": call.name, "place": names[call.place],
                "start": local_time(call.start, tz), "end": local_time(call.end, tz),
                "needed": call.needed, "fit": fit, "offered": call.id in offered,
                "skills": [calls.skill_label(s, lang) for s in call.skills]}  # fmt: skip

    mine = [
        {"call": o["call"] if o["call_name"] is None else o["call_name"], "link": o["call"],
         "place": names[o["place"]],
         "state": o["state"], "hours": o["hours"]}
        for o in offers
    ]  # fmt: skip
    availability = fields.get("availability")
    read = matching.read_availability(availability if isinstance(availability, str) else None)
    return {
        "fitting": [view(c, m) for c, m in fitting],
        "others": [view(c, None) for c in others],
        "mine": mine,
        "hours": await volunteer_offers.hours_of(reads, actor.id),
        "shown": await volunteer_offers.shown(reads, actor.handle),
        "understood": matching.canonical(read),
    }


async def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    flags = {"offert": "Votre offre d'aide est envoyée au lieu : il vous confirmera.",
             "enregistre": "C'est enregistré."}  # fmt: skip
    extra.setdefault("error", None)
    extra.setdefault("asked", None)
    return no_store(await render(request, "member/calls.html", status=status,
                                 done=flags.get(request.query_params.get("fait", "")),
                                 **await _context(request), **extra))  # fmt: skip


async def _asked(request: Request, url: str) -> dict[str, Any]:
    """The call a member came to answer from its page (`?appel=`), read where it lives."""
    node = node_of(request)
    lang = language(request)
    call, document = await calls.call_at(node, url)
    actor = node.config.actor_id((await gate.member(request)).handle)
    mine = await volunteer_offers.of_volunteer(node.store.reads, actor)
    names = await names_of(node.store.reads, [call.place])
    summary = document.get("summary")
    tz = node.config.timezone
    return {"id": call.id, "name": call.name, "place": names[call.place],
            "start": local_time(call.start, tz), "end": local_time(call.end, tz),
            "needed": call.needed, "summary": summary if isinstance(summary, str) else "",
            "skills": [calls.skill_label(s, lang) for s in call.skills],
            "offered": any(o["call"] == call.id for o in mine)}  # fmt: skip


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET: the calls and offers — with `?appel=<call's address>`, that call first, ready to
    answer (a member sent home from another place's call page); POST: offer help to one call
    (an Offer from the outbox), kept here first when this node did not hold it."""
    if request.method == "GET":
        url = request.query_params.get("appel")
        if url is None:
            return await _page(request)
        try:
            return await _page(request, asked=await _asked(request, url))
        except InterlieuxError as error:
            return await _page(request, 400, error=error.message(language(request)))
    node = node_of(request)
    try:
        member, form = await member_form(request)
    except InterlieuxError as refusal:
        return await refused(request, refusal)
    try:
        actor = await local.by_handle(node.store, member.handle)
        body = {"type": "Offer", "object": form.get("call", ""), "tl:offerOfHelp": True,
                "content": form.get("message", "").strip()[: calls.MAX_MESSAGE + 1]}  # fmt: skip
        node.throttles.outbox(f"session:{member.session.id}", actor.handle)
        await calls.hold(node, form.get("call", ""))
        await publish(node, actor, body)
    except InterlieuxError as error:
        if error.status == 429 or error.status >= 500:
            return await refused(request, error)
        return await _page(request, 400, error=error.message(language(request)))
    return RedirectResponse("/moi/appels?fait=offert", 303)


@requires(accounts.MEMBER)
async def visibility(request: Request) -> Response:
    """POST: who sees the member's volunteer hours on their page."""
    node = node_of(request)
    try:
        member, form = await member_form(request)
        chosen = calls.check_visibility(form.get("visibility", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    await calls.show_hours(node, member.handle, chosen)
    return RedirectResponse("/moi/appels?fait=enregistre", 303)

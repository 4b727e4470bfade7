"""`/equipe/evenements`, `/equipe/besoins`, `/equipe/engagements`: the place's events, needs and
pledges by forms, published as the place through its outbox (`outbox.publish.publish`, the
path `interlieux publish` and `POST /actors/<place>/outbox` take: the same checks against the
shapes, the same completion, the same deliveries to followers).

- an event: created (`Create`), edited (`Update` of the whole document: the node recomputes
  its counts), cancelled (`Delete`, addressed to its participants too, so that their nodes
  drop it); its participants listed and exported as CSV; the Joins waiting for an answer
  accepted or refused as `interlieux agenda accept|reject` does (an `Accept`/`Reject` posted
  to the outbox);
- a need: created, edited, closed (`Update` with status `met`);
- a pledge: created, edited, withdrawn (`Delete`).

Times are typed in the place's time zone (`datetime-local`, `date`) and published with their
offset; a description is plain text, published as escaped paragraphs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vocab import skills

from ... import spreadsheet
from ...activity import type_of
from ...actors.names import names_of
from ...actors.routes import node_of
from ...agenda import event as events
from ...agenda import handlers
from ...commons.handlers import KINDS_FR
from ...directory.place import home_location
from ...errors import ConfigError, InterlieuxError, InvalidParameter, NotFoundError
from ...ledger.money import display, to_cents
from ...outbox.publish import publish
from ...people import accounts
from ...tables import event_participants, objects
from .. import i18n
from ..agenda import CATEGORIES
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, local_time, render
from .actions import confirmation, done, place_actor

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
JOIN_MODES = ("free", "restricted")  # Mobilizon's; `invite` has no invitations to send here
NEED_STATUSES = {"open": "ouvert", "partlyMet": "en partie satisfait", "met": "satisfait"}

DONE = {
    "cree": "Publié ; les abonnés du lieu le reçoivent.",
    "modifie": "Modifications publiées ; les abonnés du lieu les reçoivent.",
    "annule": "Événement annulé ; les abonnés et les participants sont prévenus.",
    "accepte": "Demande acceptée ; le participant est prévenu.",
    "refuse": "Demande refusée ; le participant est prévenu.",
    "clos": "Besoin clos (satisfait) ; les abonnés du lieu le reçoivent.",
    "retire": "Engagement retiré ; les abonnés du lieu sont prévenus.",
}

i18n.english(
    {
        "Publié ; les abonnés du lieu le reçoivent.": "Published; the place's followers get it.",
        "Modifications publiées ; les abonnés du lieu les reçoivent.": (
            "Changes published; the place's followers get them."
        ),
        "Événement annulé ; les abonnés et les participants sont prévenus.": (
            "Event cancelled; followers and participants are told."
        ),
        "Demande acceptée ; le participant est prévenu.": (
            "Request accepted; the participant is told."
        ),
        "Demande refusée ; le participant est prévenu.": (
            "Request refused; the participant is told."
        ),
        "Besoin clos (satisfait) ; les abonnés du lieu le reçoivent.": (
            "Need closed (met); the place's followers get it."
        ),
        "Engagement retiré ; les abonnés du lieu sont prévenus.": (
            "Pledge withdrawn; the place's followers are told."
        ),
        "Les événements du lieu": "The place's events",
        "Aucun événement publié.": "No event published.",
        "Nouvel événement": "New event",
        "Quand": "When",
        "Participants": "Participants",
        "places": "places",
        "Titre": "Title",
        "Début": "Start",
        "Fin (facultatif)": "End (optional)",
        "Description": "Description",
        "Capacité (places ; vide : sans limite)": "Capacity (places; empty: no limit)",
        "Participation": "Participation",
        "libre (acceptée tant qu'il reste de la place)": "free (accepted while there is room)",
        "sur demande (l'équipe accepte chaque demande)": "on request (the team accepts each one)",
        "Catégorie": "Category",
        "aucune": "none",
        "Publier": "Publish",
        "Enregistrer et publier": "Save and publish",
        "L'événement a lieu à l'adresse du lieu (voir « Le lieu »).": (
            "The event takes place at the place's address (see 'The place')."
        ),
        "Demandes de participation": "Participation requests",
        "Aucune demande en attente.": "No request waiting.",
        "Message": "Message",
        "Accepter": "Accept",
        "Refuser": "Refuse",
        "Motif du refus (facultatif)": "Reason for refusing (optional)",
        "Personne ne participe encore.": "Nobody takes part yet.",
        "Inscrit·e le": "Joined on",
        "Exporter les participants (CSV)": "Export participants (CSV)",
        "Annuler l'événement": "Cancel the event",
        "Il disparaît de l'agenda ; les abonnés du lieu et les participants sont prévenus.": (
            "It leaves the agenda; the place's followers and the participants are told."
        ),
        "Modifier l'événement": "Edit the event",
        "Tous les événements": "All events",
        "Les besoins du lieu": "The place's needs",
        "Aucun besoin publié.": "No need published.",
        "Nouveau besoin": "New need",
        "Nom du besoin": "Name of the need",
        "Type": "Kind",
        "Quantité": "Quantity",
        "Avant le (facultatif)": "Before (optional)",
        "Compétences": "Skills",
        "État": "State",
        "ouvert": "open",
        "en partie satisfait": "partly met",
        "satisfait": "met",
        "compétences": "skills",
        "bénévoles": "volunteers",
        "matériel": "equipment",
        "financement": "funding",
        "Clore (satisfait)": "Close (met)",
        "Modifier le besoin": "Edit the need",
        "Tous les besoins": "All needs",
        "Les engagements du lieu": "The place's pledges",
        "Aucun engagement publié.": "No pledge published.",
        "Nouvel engagement": "New pledge",
        "Nom (facultatif)": "Name (optional)",
        "Montant": "Amount",
        "Devise": "Currency",
        "Projet financé (adresse d'un besoin ou nom du projet)": (
            "Project funded (a need's address or the project's name)"
        ),
        "Avant le": "Before",
        "Retirer l'engagement": "Withdraw the pledge",
        "Modifier l'engagement": "Edit the pledge",
        "Tous les engagements": "All pledges",
        "Voir la page publique": "See the public page",
        "Nom": "Name",
        "Adresse": "Address",
    }
)


# --- values typed in forms (pure) ------------------------------------------------------------


def _bad_time(text: str) -> InvalidParameter:
    return InvalidParameter(
        f"time {text!r} unreadable",
        fr=f"Date ou heure illisible : « {text} ». Écrivez par exemple 2026-12-05 et 14:00.",
        en=f"Unreadable date or time: '{text}'. Write for example 2026-12-05 and 14:00.",
    )


def wire_time(text: str, timezone: str) -> str:
    """A `datetime-local` value (`2026-12-05T14:00`) in the place's zone, as ISO 8601 with its
    offset (pure)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise _bad_time(text) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.isoformat()


def wire_day(text: str, timezone: str) -> str:
    """A `date` value as the end of that day in the place's zone: due *before* that day ends
    (pure)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise _bad_time(text) from exc
    return datetime.combine(day, time(23, 59), ZoneInfo(timezone)).isoformat()


def form_time(value: Any, timezone: str) -> str:
    """An ISO time as a `datetime-local` value in the place's zone ("" if unreadable; pure)."""
    moment = local_time(value if isinstance(value, str) else None, timezone)
    return f"{moment:%Y-%m-%dT%H:%M}" if moment else ""


def form_day(value: Any, timezone: str) -> str:
    moment = local_time(value if isinstance(value, str) else None, timezone)
    return f"{moment:%Y-%m-%d}" if moment else ""


def paragraphs(text: str) -> str:
    """Plain text as escaped HTML paragraphs, a blank line between two (pure)."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in parts)


def _whole(text: str, what_fr: str, what_en: str) -> int | None:
    if not text.strip():
        return None
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidParameter(
            f"{what_en} {text!r} is not a whole number",
            fr=f"{what_fr} : un nombre entier, 0 ou plus.",
            en=f"{what_en}: a whole number, 0 or more.",
        )
    return value


def _number(text: str, what_fr: str, what_en: str) -> float | int:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidParameter(
            f"{what_en} {text!r} is not a number",
            fr=f"{what_fr} : un nombre, 0 ou plus (par ex. 2 ou 12,50).",
            en=f"{what_en}: a number, 0 or more (e.g. 2 or 12.50).",
        )
    return int(value) if value == int(value) else value


def event_changes(form: dict[str, str], timezone: str) -> dict[str, Any]:
    """The event's fields from its form (pure); what the shapes check, the outbox checks."""
    changes: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "startTime": wire_time(form.get("start", ""), timezone),
        "content": paragraphs(form.get("description", "")),
        "joinMode": form.get("join_mode") if form.get("join_mode") in JOIN_MODES else "free",
        "timezone": timezone,
    }
    if form.get("end", "").strip():
        changes["endTime"] = wire_time(form["end"], timezone)
    capacity = _whole(form.get("capacity", ""), "La capacité", "The capacity")
    if capacity:
        changes["maximumAttendeeCapacity"] = capacity
    if form.get("category", "").lower() in CATEGORIES:
        changes["category"] = form["category"].upper()
    return changes


def need_changes(form: dict[str, str], timezone: str) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "summary": form.get("description", "").strip(),
        "needKind": form.get("kind", ""),
        "quantity": _number(form.get("quantity", ""), "La quantité", "The quantity"),
        "skill": [s for s in form.get("skills", "").split(",") if s],
    }
    if form.get("status") in NEED_STATUSES:
        changes["status"] = form["status"]
    if form.get("due", "").strip():
        changes["due"] = wire_day(form["due"], timezone)
    return changes


def pledge_changes(form: dict[str, str], timezone: str) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "amount": _number(form.get("amount", ""), "Le montant", "The amount"),
        "currency": form.get("currency", "").strip().upper() or "EUR",
        "funds": form.get("funds", "").strip(),
        "due": wire_day(form.get("due", ""), timezone),
    }
    if form.get("name", "").strip():
        changes["name"] = form["name"].strip()
    return changes


# --- the place's publications ----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of publication the team manages here."""

    type: str  # Event | Need | Pledge
    path: str  # /equipe/evenements …
    list_template: str
    item_template: str
    changes: Any  # (form, timezone) -> the document's fields


EVENTS = Kind("Event", "/equipe/evenements", "team/events.html", "team/event.html", event_changes)
NEEDS = Kind("Need", "/equipe/besoins", "team/needs.html", "team/need.html", need_changes)
PLEDGES = Kind(
    "Pledge", "/equipe/engagements", "team/pledges.html", "team/pledge.html", pledge_changes
)


async def _ours(request: Request, kind: Kind) -> list[dict[str, Any]]:
    """The place's live publications of a kind, soonest first (by start or due)."""
    place = await place_actor(request)
    found = [
        d for d in await objects.live_local(node_of(request).store.reads, kind.type)
        if d.get("attributedTo") == place.id
    ]  # fmt: skip
    key = "startTime" if kind.type == "Event" else "due"
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda d: events.parse_time(d.get(key)) or far)


async def _one(request: Request, kind: Kind) -> dict[str, Any]:
    """The place's publication at `{oid}`, or NotFoundError."""
    node = node_of(request)
    oid = request.path_params["oid"]
    obj_id = f"{node.config.base_url}/objects/{oid}"
    place = await place_actor(request)
    author = await objects.live_local_author(node.store.reads, obj_id)
    document = await objects.document(node.store.reads, obj_id) if author == place.id else None
    if document is None or type_of(document) != kind.type:
        raise NotFoundError(
            f"no {kind.type} {obj_id} of the place",
            fr="Aucune publication du lieu à cette adresse (retirée, ou jamais publiée).",
            en="No publication of the place at this address (withdrawn, or never published).",
        )
    return document


def _typed(kind: Kind, document: dict[str, Any], timezone: str) -> dict[str, str]:
    """A publication's form, filled from its document (pure)."""
    if kind.type == "Event":
        capacity = document.get("maximumAttendeeCapacity")
        return {
            "name": str(document.get("name", "")),
            "start": form_time(document.get("startTime"), timezone),
            "end": form_time(document.get("endTime"), timezone),
            "description": events.plain_text(document.get("content")),
            "capacity": str(capacity) if isinstance(capacity, int) and capacity else "",
            "join_mode": str(document.get("joinMode", "free")),
            "category": str(document.get("category", "")).lower(),
        }
    if kind.type == "Need":
        return {
            "name": str(document.get("name", "")),
            "description": str(document.get("summary", "")),
            "kind": str(document.get("needKind", "")),
            "quantity": str(document.get("quantity", "")),
            "due": form_day(document.get("due"), timezone),
            "status": str(document.get("status", "open")),
            "skills": ",".join(
                s.short for s in (skills.get(v) for v in document.get("skill", [])) if s
            ),
        }
    return {
        "name": str(document.get("name", "")),
        "amount": str(document.get("amount", "")),
        "currency": str(document.get("currency", "EUR")),
        "funds": str(document.get("funds", "")) if not isinstance(document.get("funds"), dict)
        else str(document["funds"].get("id", "")),
        "due": form_day(document.get("due"), timezone),
    }  # fmt: skip


def _with_skills(form: dict[str, str]) -> dict[str, str]:
    """The skills ticked (one box each, `skill_<sk:…>`) as one comma-separated value (pure)."""
    ticked = [name.removeprefix("skill_") for name in form if name.startswith("skill_")]
    return {**form, "skills": ",".join(ticked)}


async def _context(request: Request, kind: Kind) -> dict[str, Any]:
    lang = language(request)
    return {
        "kind": kind, "categories": CATEGORIES, "join_modes": JOIN_MODES,
        "need_kinds": KINDS_FR, "need_statuses": NEED_STATUSES,
        "skills": [(s.short, s.label(lang)) for s in skills.all_skills()],
        "done": confirmation(request, DONE), "zone": node_of(request).config.timezone,
    }  # fmt: skip


def no_address() -> ConfigError:
    return ConfigError(
        "the place has no address for its events",
        fr="Les événements ont lieu à l'adresse du lieu, qui n'est pas encore renseignée : "
        "un·e administrateur·rice l'indique dans « Le lieu » (/equipe/lieu).",
        en="Events take place at the place's address, which is not filled in yet: an "
        "administrator gives it in 'The place' (/equipe/lieu).",
    )


def _amount(document: dict[str, Any], lang: str) -> str:
    """A pledge's amount as every page shows money; as written when it is no amount (pure)."""
    currency = str(document.get("currency", ""))
    try:
        return display(to_cents(str(document.get("amount"))), currency, lang)
    except ConfigError:
        return f"{document.get('amount')} {currency}"


def _row(kind: Kind, document: dict[str, Any], timezone: str, lang: str) -> dict[str, Any]:
    """What the list shows of a publication (pure)."""
    row: dict[str, Any] = {
        "oid": str(document["id"]).rsplit("/", 1)[-1],
        "name": str(document.get("name") or ""),
    }
    if kind.type == "Event":
        row["start"] = local_time(document.get("startTime"), timezone)
        row["capacity"] = document.get("maximumAttendeeCapacity")
    elif kind.type == "Need":
        row["kind"] = KINDS_FR.get(str(document.get("needKind")), str(document.get("needKind")))
        row["status"] = str(document.get("status") or "open")
    else:
        funds = document.get("funds")
        named = funds.get("name") or funds.get("id") if isinstance(funds, dict) else funds
        row["name"] = row["name"] or str(named or "")
        row["amount"] = _amount(document, lang)
        row["due"] = local_time(document.get("due"), timezone)
    return row


async def _list_page(request: Request, kind: Kind, status: int = 200, **more: Any) -> Response:
    reads = node_of(request).store.reads
    zone = node_of(request).config.timezone
    lang = language(request)
    ours = await _ours(request, kind)
    rows = [_row(kind, document, zone, lang) for document in ours]
    if kind.type == "Event":
        counts = await event_participants.counts(reads, [str(d["id"]) for d in ours])
        for row, document in zip(rows, ours, strict=True):
            row["count"] = counts.get(str(document["id"]), 0)
    context = await _context(request, kind)
    return await render(
        request, kind.list_template, status=status, items=rows,
        typed=more.pop("typed", {}), **context, **more,
    )  # fmt: skip


async def _item_page(
    request: Request, kind: Kind, document: dict[str, Any], status: int = 200, **more: Any
) -> Response:
    node = node_of(request)
    zone = node.config.timezone
    context = await _context(request, kind)
    if kind.type == "Event":
        reads = node.store.reads
        listed = await event_participants.listing(reads, document["id"])
        context["requests"] = await handlers.pending_requests(node, document["id"])
        names = await names_of(
            reads, [actor for actor, _ in listed] + [r["actor"] for r in context["requests"]]
        )
        context["participants"] = [
            (names[actor], actor, local_time(datetime.fromtimestamp(at, UTC), zone))
            for actor, at in listed
        ]  # fmt: skip
        for r in context["requests"]:
            r["who"] = names[r["actor"]]
    typed = more.pop("typed", None) or _typed(kind, document, zone)
    oid = str(document["id"]).rsplit("/", 1)[-1]
    return await render(
        request, kind.item_template, status=status, document=document, oid=oid,
        typed=typed, **context, **more,
    )  # fmt: skip


def _listing(kind: Kind) -> Any:
    @requires(accounts.TEAM)
    async def listing(request: Request) -> Response:
        return await _list_page(request, kind)

    return listing


def _creating(kind: Kind) -> Any:
    @requires(accounts.TEAM)
    async def create(request: Request) -> Response:
        try:
            _, form = await member_form(request)
        except InterlieuxError as error:
            return await refused(request, error)
        form = _with_skills(form)
        node = node_of(request)
        try:
            body = {"type": kind.type, **kind.changes(form, node.config.timezone),
                    "to": [PUBLIC]}  # fmt: skip
            place = await place_actor(request)
            if kind.type == "Event" and await home_location(node.store, place) is None:
                raise no_address()
            activity = await publish(node, place, body)
        except InterlieuxError as error:
            return await _list_page(request, kind, 400, error=error.message(language(request)),
                                    typed=form)  # fmt: skip
        oid = str(activity["object"]["id"]).rsplit("/", 1)[-1]
        return done(f"{kind.path}/{oid}", "cree")

    return create


def _viewing(kind: Kind) -> Any:
    @requires(accounts.TEAM)
    async def view(request: Request) -> Response:
        try:
            document = await _one(request, kind)
        except NotFoundError as error:
            return await refused(request, error)
        return await _item_page(request, kind, document)

    return view


def _editing(kind: Kind) -> Any:
    @requires(accounts.TEAM)
    async def edit(request: Request) -> Response:
        try:
            _, form = await member_form(request)
        except InterlieuxError as error:
            return await refused(request, error)
        form = _with_skills(form)
        node = node_of(request)
        try:
            document = await _one(request, kind)
        except NotFoundError as error:
            return await refused(request, error)
        try:
            updated = _updated(kind, document, kind.changes(form, node.config.timezone))
            await publish(node, await place_actor(request), {
                "type": "Update", "object": updated,
                **{f: document[f] for f in ("to", "cc") if document.get(f)},
            })  # fmt: skip
        except InterlieuxError as error:
            return await _item_page(request, kind, document, 400,
                                    error=error.message(language(request)), typed=form)  # fmt: skip
        return done(request.url.path, "modifie")

    return edit


def _updated(kind: Kind, document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The whole document with the form's fields; a field emptied in the form is removed
    (pure)."""
    optional = {"Event": ("endTime", "maximumAttendeeCapacity", "category"),
                "Need": ("due", "status"), "Pledge": ("name",)}[kind.type]  # fmt: skip
    kept = {k: v for k, v in document.items() if k not in optional and k != "updated"}
    if kind.type == "Event":
        kept.pop("remainingAttendeeCapacity", None)  # the node recomputes it
        kept.pop("summary", None)  # the line Mastodon shows, made again from the new fields
    return {**kept, **changes}


def _withdrawing(kind: Kind, key: str) -> Any:
    """A `Delete` of the publication (an event cancelled, a pledge withdrawn), addressed as it
    was, and to an event's participants too."""

    @requires(accounts.TEAM)
    async def withdraw(request: Request) -> Response:
        try:
            await member_form(request)
        except InterlieuxError as error:
            return await refused(request, error)
        node = node_of(request)
        try:
            document = await _one(request, kind)
            participants = (
                [a for a, _ in await event_participants.listing(node.store.reads, document["id"])]
                if kind.type == "Event" else []
            )  # fmt: skip
            cc = [*_as_list(document.get("cc")), *participants]
            await publish(node, await place_actor(request), {
                "type": "Delete", "object": document["id"], "to": _as_list(document.get("to")),
                **({"cc": list(dict.fromkeys(cc))} if cc else {}),
            })  # fmt: skip
        except InterlieuxError as error:
            return await refused(request, error)
        return done(kind.path, key)

    return withdraw


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@requires(accounts.TEAM)
async def close_need(request: Request) -> Response:
    """POST /equipe/besoins/<oid>/clore: the need met (an `Update` with status `met`)."""
    try:
        await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        document = await _one(request, NEEDS)
        await publish(node, await place_actor(request), {
            "type": "Update", "object": {**document, "status": "met"},
            **{f: document[f] for f in ("to", "cc") if document.get(f)},
        })  # fmt: skip
    except InterlieuxError as error:
        return await refused(request, error)
    return done(NEEDS.path, "clos")


@requires(accounts.TEAM)
async def answer_request(request: Request) -> Response:
    """POST /equipe/evenements/<oid>/demandes: `agenda accept|reject` — the host's `Accept` or
    `Reject` of a pending Join, through its outbox."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        document = await _one(request, EVENTS)
    except NotFoundError as error:
        return await refused(request, error)
    waiting = {r["join"] for r in await handlers.pending_requests(node, document["id"])}
    accept = form.get("answer") == "accept"
    try:
        if form.get("join") not in waiting:
            raise NotFoundError(
                "no such pending Join",
                fr="Cette demande n'est plus en attente (déjà traitée ou retirée).",
                en="This request is no longer waiting (already answered or withdrawn).",
            )
        answer: dict[str, Any] = {"type": "Accept" if accept else "Reject", "object": form["join"]}
        if not accept and form.get("reason", "").strip():
            answer["content"] = form["reason"].strip()
        await publish(node, await place_actor(request), answer)
    except InterlieuxError as error:
        return await _item_page(request, EVENTS, document, 400,
                                error=error.message(language(request)))  # fmt: skip
    return done(request.url.path.removesuffix("/demandes"), "accepte" if accept else "refuse")


@requires(accounts.TEAM)
async def participants_csv(request: Request) -> Response:
    """GET /equipe/evenements/<oid>/participants.csv: name, address, date joined."""
    node = node_of(request)
    try:
        document = await _one(request, EVENTS)
    except NotFoundError as error:
        return await refused(request, error)
    reads = node.store.reads
    listed = await event_participants.listing(reads, document["id"])
    names = await names_of(reads, [actor for actor, _ in listed])
    rows = []
    for actor, at in listed:
        joined = local_time(datetime.fromtimestamp(at, UTC), node.config.timezone)
        rows.append([names[actor], actor, joined.isoformat(timespec="minutes") if joined else ""])
    oid = request.path_params["oid"]
    text = spreadsheet.csv_text(["nom", "adresse", "inscription"], rows)
    return no_store(Response(
        text, media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="participants-{oid}.csv"'},
    ))  # fmt: skip


def _routes(kind: Kind, withdraw_path: str | None, withdraw_key: str) -> list[Route]:
    routes = [
        Route(kind.path, _listing(kind)),
        Route(kind.path, _creating(kind), methods=["POST"]),
        Route(kind.path + "/{oid}", _viewing(kind)),
        Route(kind.path + "/{oid}", _editing(kind), methods=["POST"]),
    ]
    if withdraw_path:
        routes.append(Route(f"{kind.path}/{{oid}}/{withdraw_path}",
                            _withdrawing(kind, withdraw_key), methods=["POST"]))  # fmt: skip
    return routes


ROUTES = [
    Route("/equipe/evenements/{oid}/participants.csv", participants_csv),
    Route("/equipe/evenements/{oid}/demandes", answer_request, methods=["POST"]),
    *_routes(EVENTS, "annuler", "annule"),
    Route("/equipe/besoins/{oid}/clore", close_need, methods=["POST"]),
    *_routes(NEEDS, None, ""),
    *_routes(PLEDGES, "retirer", "retire"),
]

"""`/moi/publier`: the member publishes as themselves — a note (public or for their
followers), an answer to one of the place's needs, a pledge that funds one — through the same
client-to-server path as `POST /actors/<handle>/outbox` (`outbox.publish.publish`, with the
same rate limit), so that the routing table checks and completes it as any client's.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vocab.context import PUBLIC

from ...actors import local
from ...actors.routes import node_of
from ...commons.comments import as_html
from ...errors import InterlieuxError, InvalidParameter
from ...outbox.publish import publish
from ...people import accounts
from ...tables import objects
from .. import i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, render

i18n.english(
    {
        "Publier": "Publish",
        "Publier en mon nom": "Publish as myself",
        "Ce que vous publiez ici part de votre compte, comme depuis une application du fédivers.": (
            "What you publish here goes out from your account, as from a fediverse app."
        ),
        "C'est publié :": "Published:",
        "voir la publication": "see the publication",
        "Une note": "A note",
        "Texte": "Text",
        "Qui la voit": "Who sees it",
        "tout le monde": "everyone",
        "mes abonné·es seulement": "my followers only",
        "Publier la note": "Publish the note",
        "Répondre à un besoin du lieu": "Answer a need of the place",
        "Besoin": "Need",
        "Votre réponse": "Your answer",
        "Envoyer la réponse": "Send the answer",
        "Le lieu n'a aucun besoin ouvert pour l'instant.": "The place has no open need now.",
        "Un engagement (co-financement)": "A pledge (co-funding)",
        "Besoin financé": "Need funded",
        "Montant": "Amount",
        "Devise": "Currency",
        "Avant le": "By",
        "Publier l'engagement": "Publish the pledge",
        "Erreur :": "Error:",
    }
)

MAX_TEXT = 5000  # characters of a note or an answer typed here
KINDS = ("note", "answer", "pledge")


def _text_error() -> InvalidParameter:
    return InvalidParameter(
        "empty or long text",
        fr=f"Écrivez un texte (de 1 à {MAX_TEXT} caractères), puis envoyez de nouveau.",
        en=f"Write a text (1 to {MAX_TEXT} characters), then send again.",
    )


def _need_error() -> InvalidParameter:
    return InvalidParameter(
        "no such open need",
        fr="Choisissez un des besoins ouverts du lieu dans la liste.",
        en="Choose one of the place's open needs in the list.",
    )


def _text(form: dict[str, str]) -> str:
    text = form.get("content", "").strip()
    if not text or len(text) > MAX_TEXT:
        raise _text_error()
    return as_html(text)


def publication(
    kind: str,
    form: dict[str, str],
    followers: str,
    needs: dict[str, str],
    place: str,
    timezone: str,
) -> dict[str, Any]:
    """What the member's form stands for, as a client would POST it to their outbox (pure);
    InvalidParameter saying what to change. `needs`: the place's open needs, id → name."""
    if kind == "note":
        audience = [PUBLIC] if form.get("audience", "public") == "public" else [followers]
        return {"type": "Note", "content": _text(form), "to": audience}
    need = form.get("need", "")
    if need not in needs:
        raise _need_error()
    if kind == "answer":
        return {"type": "Note", "content": _text(form), "inReplyTo": need,
                "to": [PUBLIC], "cc": [place]}  # fmt: skip
    try:
        due = date.fromisoformat(form.get("due", ""))
    except ValueError as exc:
        raise InvalidParameter(
            "bad due date",
            fr="Indiquez une date d'échéance (jour, mois, année).",
            en="Give a due date (day, month, year).",
        ) from exc
    amount = form.get("amount", "").strip().replace(",", ".")
    try:
        valid = float(amount) > 0
    except ValueError:
        valid = False
    if not valid:
        raise InvalidParameter(
            "bad amount",
            fr="Indiquez un montant positif, par exemple 20 ou 12,50.",
            en="Give a positive amount, for example 20 or 12.50.",
        )
    ends = datetime.combine(due, time(23, 59), ZoneInfo(timezone))
    return {"type": "Pledge", "name": needs[need], "amount": amount,
            "currency": (form.get("currency") or "EUR").strip().upper()[:3],
            "funds": need, "due": ends.isoformat(), "to": [PUBLIC], "cc": [place]}  # fmt: skip


async def _open_needs(request: Request) -> dict[str, str]:
    node = node_of(request)
    rows = await objects.open_public_needs(
        node.store.reads, ("open", "partlyMet"), 100, author=node.config.place_id
    )
    found: dict[str, str] = {}
    for row in rows:
        document = json.loads(row["document"])
        found[str(document["id"])] = str(document.get("name") or document["id"])
    return found


async def _form(
    request: Request,
    status: int = 200,
    error: str | None = None,
    kind: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    node = node_of(request)
    published = request.query_params.get("publie", "")
    if not published.startswith(f"{node.config.base_url}/objects/"):
        published = ""
    return no_store(await render(request, "member/publish.html", status=status, error=error,
                                 kind=kind, typed=typed or {}, needs=await _open_needs(request),
                                 published=published))  # fmt: skip


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET: the three forms; POST: publish through the outbox, then back here with its link."""
    if request.method == "GET":
        return await _form(request)
    node = node_of(request)
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    kind = form.get("kind", "")
    if kind not in KINDS:
        kind = "note"
    try:
        actor = await local.by_handle(node.store, member.handle)
        body = publication(kind, form, actor.followers, await _open_needs(request),
                           node.config.place_id, node.config.timezone)  # fmt: skip
        node.throttles.outbox(f"session:{member.session.id}", actor.handle)
        activity = await publish(node, actor, body)
    except InterlieuxError as error:
        if error.status == 429 or error.status >= 500:
            return await refused(request, error)
        return await _form(request, 400, error.message(language(request)), kind, form)
    obj = activity.get("object")
    link = obj.get("id") if isinstance(obj, dict) else activity["id"]
    return RedirectResponse(f"/moi/publier?publie={quote(str(link), safe='')}", 303)

"""`/moi/participer?event=<id>`: a member confirms, at home, taking part in another place's event.

The visited place sends its signed-in visitor here (node/web/agenda.py `participate`): the
member sees the event as its place serves it (fetched by this node, signed by the place, with
the outgoing guard) and, on confirmation, publishes a `Join` through their own C2S outbox — the
path `POST /actors/<handle>/outbox` takes — so that the Join reaches the event's place signed by
this node's key for the member. Then back to the event's page, which shows the participation
once its place has received it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...activity import id_of, type_of
from ...actors import local
from ...actors.routes import node_of
from ...agenda import event as events
from ...errors import FetchError, InterlieuxError, InvalidParameter
from ...fetch import fetch_document
from ...outbox.publish import publish
from ...people import accounts
from ...people.indieauth import with_query
from .. import i18n
from ..agenda import span
from ..gate import member_form, refused, requires
from ..render import language, local_time, render

MAX_EVENT_URL = 2000

i18n.english(
    {
        "Participer à un événement": "Take part in an event",
        "Événement": "Event",
        "Organisé à": "Hosted at",
        "Votre lieu enverra votre participation à ce lieu, en votre nom : il saura que vous "
        "venez.": (
            "Your place will send your participation to that place, in your name: it will know "
            "you are coming."
        ),
        "Confirmer ma participation": "Confirm my participation",
        "Annuler": "Cancel",
    }
)


def not_an_event(url: str) -> InvalidParameter:
    return InvalidParameter(
        f"{url[:100]!r} is no event",
        fr="Cet événement n'a pas pu être lu chez son lieu (adresse erronée, événement retiré "
        "ou lieu injoignable) : revenez à sa page et réessayez.",
        en="This event could not be read at its place (wrong address, event removed or place "
        "unreachable): go back to its page and try again.",
    )


async def fetch_event(request: Request, url: str) -> dict[str, Any]:
    """The event as its place serves it now (a form's copy is never trusted)."""
    node = node_of(request)
    if not url or len(url) > MAX_EVENT_URL or urlsplit(url).scheme not in ("https", "http"):
        raise not_an_event(url)
    place = await local.by_handle(node.store, node.config.handle)
    try:
        document = await fetch_document(node.http, url, (place.key_id, place.keys.rsa_private))
    except FetchError as error:
        raise not_an_event(url) from error
    if type_of(document) != "Event" or not id_of(document.get("attributedTo")):
        raise not_an_event(url)
    return document


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET: the event and a confirmation; POST (CSRF-checked): the Join published, back."""
    node = node_of(request)
    if request.method == "POST":
        try:
            member, form = await member_form(request)
            event = await fetch_event(request, form.get("event", ""))
        except InterlieuxError as error:
            return await refused(request, error)
        actor = await local.by_handle(node.store, member.handle)
        join = {"type": "Join", "object": event["id"],
                "to": [id_of(event.get("attributedTo"))]}  # fmt: skip
        await publish(node, actor, join)
        # Back to the event's page, saying the participation is on its way (an Interlieux
        # place shows it; another server ignores the query).
        return RedirectResponse(with_query(event["id"], participation="envoyee"), 303)
    try:
        event = await fetch_event(request, request.query_params.get("event", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    timezone = node.config.timezone
    start = local_time(events.parse_time(event.get("startTime")), timezone)
    end = local_time(events.parse_time(event.get("endTime")), timezone)
    return await render(
        request, "member/participation.html", event=event, name=str(event.get("name", "")),
        when=span(start, end, language(request)), host=urlsplit(event["id"]).netloc,
    )  # fmt: skip

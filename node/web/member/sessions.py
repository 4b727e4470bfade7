"""My sessions, on `/moi`: the member sees the browsers signed in to their account (the device
their user agent names, when each signed in and was last seen) and closes one, or all but this
one — after losing a phone, or on a shared computer. The work is `people.sessions`; a closed
session's cookie opens nothing any more."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...people import accounts, sessions
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import local_time
from ..visitor import Member

# What /moi says after a POST here (the query flag → its French text).
DONE = {
    "autres": "Vos autres sessions sont fermées.",
    "une": "Session fermée.",
    "aucune": "Cette session était déjà fermée : rien n'a changé.",
}

i18n.english(
    {
        "Mes sessions": "My sessions",
        "Les navigateurs connectés à votre compte. Fermez ceux que vous ne reconnaissez pas, ou "
        "que vous n'utilisez plus (un téléphone perdu, un ordinateur partagé).": (
            "The browsers signed in to your account. Close those you do not recognise, or no "
            "longer use (a lost phone, a shared computer)."
        ),
        "Connecté·e le": "Signed in on",
        "vu·e pour la dernière fois le": "last seen on",
        "cet appareil": "this device",
        "appareil inconnu": "unknown device",
        "Fermer": "Close",
        "Fermer la session": "Close the session",
        "Fermer mes autres sessions": "Close my other sessions",
        "Aucune autre session ouverte.": "No other session open.",
        "Vos autres sessions sont fermées.": "Your other sessions are closed.",
        "Session fermée.": "Session closed.",
        "Cette session était déjà fermée : rien n'a changé.": (
            "This session was already closed: nothing changed."
        ),
    }
)


async def listed(request: Request, member: Member) -> list[dict[str, Any]]:
    """The member's open sessions for /moi's table, this browser's marked."""
    tz = node_of(request).config.timezone

    def when(timestamp: float) -> datetime | None:
        return local_time(datetime.fromtimestamp(timestamp, UTC), tz)

    return [
        {"id": s.id, "device": s.device, "user_agent": s.user_agent,
         "created": when(s.created_at), "seen": when(s.seen_at),
         "current": s.id == member.session.id}
        for s in await sessions.open_sessions(node_of(request).store, member.handle)
    ]  # fmt: skip


def done(request: Request) -> str:
    """The confirmation /moi shows after closing sessions ('' for none)."""
    return DONE.get(request.query_params.get("sessions", ""), "")


def _back(flag: str) -> Response:
    return RedirectResponse(f"/moi?sessions={flag}#sessions", status_code=303)


@requires(accounts.MEMBER)
async def close_others(request: Request) -> Response:
    """POST /moi/sessions/fermer: every session of the account but this browser's."""
    try:
        member, _ = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    await sessions.close_others(node_of(request).store, member.session)
    return _back("autres")


@requires(accounts.MEMBER)
async def close_one(request: Request) -> Response:
    """POST /moi/sessions/<id>/fermer: one session of the account (this one too: then the
    browser is signed out, as with « Se déconnecter »)."""
    try:
        member, _ = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    number = request.path_params["id"]
    if not number.isdigit() or len(number) > 18:  # not a session's number: none of hers
        return _back("aucune")
    session_id = int(number)
    closed = await sessions.close_one(node_of(request).store, member.handle, session_id)
    if closed and session_id == member.session.id:
        return RedirectResponse("/connexion", status_code=303)
    return _back("une" if closed else "aucune")

"""`/moi/badge`: the member's current Badge Inter-Lieux — its QR code and `BIL1:` text, its
validity, and the card it is bound to as a short fingerprint (the node never holds the UID).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from ...access import grant as grants
from ...actors.routes import node_of
from ...people import accounts
from ...people.export import BadgeState, badge_state
from ...tables import badge_texts
from ...tables import grants as grants_table
from .. import gate, i18n
from ..gate import requires
from ..headers import no_store
from ..render import language, local_time, render

i18n.english(
    {
        "Mon badge inter-lieux": "My inter-place badge",
        "Présentez ce QR code à la porte d'un lieu du réseau, ou votre carte.": (
            "Show this QR code at the door of a place of the network, or your card."
        ),
        "QR code de mon badge inter-lieux": "QR code of my inter-place badge",
        "Le texte du badge": "The badge's text",
        "Valable du": "Valid from",
        "au": "to",
        "Carte liée": "Bound card",
        "empreinte": "fingerprint",
        "Aucune carte : ce badge se présente en QR code.": (
            "No card: this badge is shown as a QR code."
        ),
        "Vous n'avez pas encore de badge. Demandez-le à l'équipe du lieu, à l'accueil : elle "
        "le délivre sur une carte ou en QR code.": (
            "You have no badge yet. Ask the place's team at the desk: they issue it on a card "
            "or as a QR code."
        ),
        "Votre badge a été révoqué le": "Your badge was revoked on",
        "Il n'ouvre plus aucune porte. Demandez-en un nouveau à l'équipe du lieu.": (
            "It opens no door any more. Ask the place's team for a new one."
        ),
        "Votre badge a expiré le": "Your badge expired on",
        "Demandez-en un nouveau à l'équipe du lieu.": "Ask the place's team for a new one.",
        "Ce badge n'est pas encore valable.": "This badge is not valid yet.",
        "Le nœud n'a pas gardé le texte de ce badge (délivré avant cette page) : il est sur "
        "votre carte. Pour l'avoir ici, demandez un nouveau badge à l'équipe du lieu.": (
            "The node did not keep this badge's text (issued before this page): it is on your "
            "card. To have it here, ask the place's team for a new badge."
        ),
        "Identifiant du badge": "Badge id",
    }
)

SHOWN = ("valid", "not_yet")  # states in which the badge is shown to be used


@dataclass(frozen=True)
class Shown:
    badge: BadgeState
    state: str
    text: str | None  # BIL1:…, when the node kept it
    qr: Markup | None
    valid_from: datetime | None
    valid_until: datetime | None
    revoked_on: datetime | None


def current(badges: list[BadgeState], now: float) -> BadgeState | None:
    """The badge to show (pure): the newest that opens doors (or will), else the newest,
    so that a revoked or expired one says so; None without any."""
    for badge in badges:
        if badge.state(now) in SHOWN:
            return badge
    return badges[0] if badges else None


def qr_svg(text: str, title: str) -> Markup:
    """The QR code as inline SVG (segno; the text is base45, nothing to escape in it)."""
    svg = segno.make(text, error="m").svg_inline(scale=5, title=title, border=4)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # segno's own SVG


def _at(posix: float | None, timezone: str) -> datetime | None:
    return None if posix is None else local_time(datetime.fromtimestamp(posix, UTC), timezone)


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    member = await gate.member(request)
    node = node_of(request)
    now = time.time()
    me = node.config.actor_id(member.handle)
    badges = [badge_state(g) for g in await grants_table.of_member(node.store.reads, me)]
    badge = current(badges, now)
    shown = None
    if badge is not None:
        state = badge.state(now)
        data = await badge_texts.of_grant(node.store.reads, badge.grant_id)
        text = grants.to_text(data) if data is not None else None
        title = i18n.say("QR code de mon badge inter-lieux", language(request))
        qr = qr_svg(text, title) if text and state in SHOWN else None
        tz = node.config.timezone
        shown = Shown(badge, state, text if state in SHOWN else None, qr,
                      _at(badge.not_before, tz), _at(badge.expires, tz),
                      _at(badge.revoked_at, tz))  # fmt: skip
    return no_store(await render(request, "member/badge.html", shown=shown))

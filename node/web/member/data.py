"""`/moi/donnees`: the member downloads everything the node holds about them (JSON-LD, as an
attachment) and may erase their account (they type their handle to confirm): the work is
`people.erasure.erase`; this page only asks, then signs the browser out.
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...people import accounts, erasure, export, sessions
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, render
from ..visitor import secure

i18n.english(
    {
        "Mes données": "My data",
        "Télécharger mes données": "Download my data",
        "Tout ce que ce nœud garde sur vous, dans un fichier JSON-LD : votre profil et qui le "
        "voit, vos publications et activités, vos passages, votre crédit, vos badges (sans le "
        "numéro de la carte), vos sessions et le nom de vos clés d'accès.": (
            "Everything this node keeps about you, in one JSON-LD file: your profile and who "
            "sees it, your publications and activities, your visits, your credit, your badges "
            "(without the card's number), your sessions and your passkeys' names."
        ),
        "Télécharger (JSON-LD)": "Download (JSON-LD)",
        "Effacer mon compte": "Erase my account",
        "L'effacement est définitif. Votre compte, vos sessions, vos clés d'accès, votre profil "
        "et vos publications sont supprimés ; les autres lieux du réseau et vos abonné·es "
        "reçoivent la suppression de votre compte. Vos badges sont révoqués.": (
            "Erasure is final. Your account, sessions, passkeys, profile and publications are "
            "deleted; the network's other places and your followers receive the deletion of "
            "your account. Your badges are revoked."
        ),
        "Ce que les lieux doivent garder (les passages déjà comptés entre lieux, les "
        "mouvements de crédit) reste, sans votre nom.": (
            "What the places must keep (visits already counted between places, credit "
            "movements) stays, without your name."
        ),
        "Téléchargez vos données avant, si vous voulez les garder.": (
            "Download your data first if you want to keep it."
        ),
        "Pour confirmer, tapez votre identifiant :": "To confirm, type your username:",
        "Effacer définitivement mon compte": "Erase my account for good",
        "Compte effacé": "Account erased",
        "Votre compte est effacé. Les autres lieux du réseau en sont prévenus.": (
            "Your account is erased. The network's other places are told."
        ),
    }
)


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET: the download link and the erasure form."""
    return await _page(request)


async def _page(request: Request, status: int = 200, error: str | None = None,
                typed: str = "") -> Response:  # fmt: skip
    return no_store(await render(request, "member/data.html", status=status, error=error,
                                 typed=typed))  # fmt: skip


@requires(accounts.MEMBER)
async def download(request: Request) -> Response:
    """GET /moi/donnees/export.jsonld: the member's data, as an attachment."""
    member = await gate.member(request)
    data = await export.gather(node_of(request), member.handle, time.time())
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    filename = f"interlieux-{member.handle}-{time.strftime('%Y%m%d', time.gmtime())}.jsonld"
    return no_store(Response(body, media_type="application/ld+json", headers={
        "content-disposition": f'attachment; filename="{filename}"',
        "x-content-type-options": "nosniff",
    }))  # fmt: skip


@requires(accounts.MEMBER)
async def erase(request: Request) -> Response:
    """POST /moi/donnees/effacer: the typed handle checked, the account erased, signed out."""
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    typed = form.get("handle", "")[:200]
    if not erasure.confirmed(typed, member.handle):
        message = erasure.not_confirmed().message(language(request))
        return await _page(request, 400, message, typed)
    try:
        await erasure.erase(node_of(request), member.handle)
    except InterlieuxError as error:
        return await _page(request, error.status, error.message(language(request)), typed)
    response = RedirectResponse("/compte-efface", status_code=303)
    response.delete_cookie(sessions.cookie_name(node_of(request).config.base_url), path="/",
                           secure=secure(request), httponly=True, samesite="lax")  # fmt: skip
    return response


async def erased(request: Request) -> Response:
    """GET /compte-efface: what a member sees once erased (signed out by then)."""
    return await render(request, "member/erased.html")

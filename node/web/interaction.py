"""Remote interaction: a visitor with a fediverse account follows the place, or answers an
event, from their own server (as Mastodon's and Mobilizon's pages do).

The visitor types their address (`@camille@mastodon.example`); the node reads their server's
WebFinger for the OStatus subscribe template (`http://ostatus.org/schema/1.0/subscribe`), which
Mastodon, Mobilizon, Pleroma and GoToSocial publish, and sends the browser there with the
place's or the event's id: the visitor confirms on their own server, signed in there.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors.routes import node_of
from ..errors import FetchError
from ..fetch import check_url
from . import i18n
from .gate import local_path
from .render import language, render

if TYPE_CHECKING:
    from ..context import Node

SUBSCRIBE = "http://ostatus.org/schema/1.0/subscribe"
_HANDLE = re.compile(r"^@?([^@\s/]+)@([A-Za-z0-9.-]+(?::\d+)?)$")

i18n.english(
    {
        "Suivre depuis votre compte du fédivers": "Follow from your fediverse account",
        "Votre adresse sur le fédivers": "Your fediverse address",
        "Suivre": "Follow",
        "Participer depuis votre compte du fédivers": "Take part from your fediverse account",
        "Continuer sur mon serveur": "Continue on my server",
        "Votre adresse, par exemple @camille@mastodon.social": (
            "Your address, for example @camille@mastodon.social"
        ),
    }
)


def parse_handle(text: str) -> tuple[str, str] | None:
    """(`user`, `host`) of `@user@host` or `user@host` (pure)."""
    found = _HANDLE.match(text.strip())
    return (found.group(1), found.group(2).lower()) if found else None


def subscribe_url(template: str, uri: str) -> str:
    """The template with the object's id in it (pure)."""
    return template.replace("{uri}", quote(uri, safe=""))


async def interact(request: Request) -> Response:
    """`/interact?handle=…&uri=…`: to the visitor's server, or the form again with why not."""
    node = node_of(request)
    lang = language(request)
    uri = request.query_params.get("uri") or node.config.place_id
    # Written into a link: only a path of this site (a `javascript:` one would run here).
    back = local_path(request.query_params.get("back"), "/")
    if not node.config.is_local(uri):
        uri = node.config.place_id
    handle = request.query_params.get("handle", "")
    parsed = parse_handle(handle)
    error = None
    if parsed is None:
        error = i18n.say("Écrivez votre adresse complète, par exemple @camille@mastodon.social.",
                         lang)  # fmt: skip
    else:
        try:
            template = await _template(request, *parsed)
        except (FetchError, httpx.HTTPError, ValueError):
            template = None
        if template is None:
            error = i18n.say(
                "Votre serveur n'a pas répondu, ou ne propose pas de suivre depuis une autre "
                "page : vérifiez l'adresse, ou cherchez ce lieu depuis votre serveur.",
                lang,
            )
        else:
            return RedirectResponse(subscribe_url(template, uri), status_code=303)
    return await render(request, "interact.html", status=400, handle=handle, uri=uri,
                        back=back, error=error)  # fmt: skip


async def _template(request: Request, user: str, host: str) -> str | None:
    found = await webfinger(node_of(request), user, host)
    return None if found is None else subscribe_template(found)


async def webfinger(node: Node, user: str, host: str) -> dict[str, Any] | None:
    """The visitor's WebFinger document at their server (an address `parse_handle` read), or
    None when it answers otherwise than 200; FetchError when the address may not be reached,
    httpx or JSON errors as they come (the callers say "check your address" for all)."""
    scheme = "http" if host.split(":")[0] in ("127.0.0.1", "localhost") else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{quote(user)}@{host}"
    check_url(url)
    response = await node.http.get(url, headers={"accept": "application/jrd+json"})
    if response.status_code != 200:
        return None
    found = json.loads(response.content)
    return found if isinstance(found, dict) else None


def _links(jrd: dict[str, Any]) -> list[dict[str, Any]]:
    links = jrd.get("links")
    return [link for link in links if isinstance(link, dict)] if isinstance(links, list) else []


def subscribe_template(jrd: dict[str, Any]) -> str | None:
    """The OStatus subscribe template of a WebFinger document, if a web one (pure)."""
    for link in _links(jrd):
        template = link.get("template")
        if link.get("rel") == SUBSCRIBE and _web(template):
            return str(template)
    return None


def self_actor(jrd: dict[str, Any]) -> str | None:
    """The actor id a WebFinger document names (`rel: self`, an ActivityStreams type), if a
    web address (pure)."""
    for link in _links(jrd):
        href, kind = link.get("href"), str(link.get("type", ""))
        typed = kind.startswith("application/activity+json") or "activitystreams" in kind
        if link.get("rel") == "self" and typed and _web(href):
            return str(href)
    return None


def _web(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


i18n.english(
    {
        "Écrivez votre adresse complète, par exemple @camille@mastodon.social.": (
            "Write your full address, for example @camille@mastodon.social."
        ),
        "Votre serveur n'a pas répondu, ou ne propose pas de suivre depuis une autre page : "
        "vérifiez l'adresse, ou cherchez ce lieu depuis votre serveur.": (
            "Your server did not answer, or does not offer following from another page: check "
            "the address, or search for this place from your server."
        ),
        "Retour": "Back",
    }
)

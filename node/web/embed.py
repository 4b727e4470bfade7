"""The place's widgets, for other sites to show in a frame, and the page that hands them out.

`/embed/agenda` (the place's next events; `?scope=network`: the network's shared agenda),
`/embed/residents` and `/embed/needs` are compact pages: no site header, as wide as the frame
they sit in, links opening the full page in a new tab, and `static/embed.js` telling the host
page their height. `static/interlieux.js` on the host page resizes the frame (for the
`<iframe>` snippet) or creates it (`<interlieux-agenda src=…>`). `/embed` shows both snippets of
each widget, with a copy button and a live preview.

Who may frame a widget: any site by default (public data only), else the sites the place's
team listed (`interlieux place --embed-sites`, table `embed_sites`), read at each request so a
change applies at once; every other page of the node is framed by itself only
(`headers.finish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..actors.routes import node_of
from ..agenda.network import shared_events
from ..tables import embed_sites
from . import i18n
from . import residents as people
from .headers import widget_framing
from .place import open_needs, upcoming
from .render import local_time, render, site

WIDGET_EVENTS = 10  # a widget is a glimpse: the full agenda is one click away
WIDGET_NEEDS = 10
WIDGET_RESIDENTS = 30
# The height a frame has before its widget tells its own (and keeps without interlieux.js).
FRAME_HEIGHT = 400

i18n.english(
    {
        "Agenda de {place}": "{place}'s agenda",
        "Agenda du réseau de {place}": "The agenda of {place}'s network",
        "Résidents de {place}": "Residents of {place}",
        "Besoins de {place}": "Needs of {place}",
        "Tout l'agenda sur le site du lieu": "The whole agenda on the place's website",
        "Tous les résidents sur le site du lieu": "All residents on the place's website",
        "Tous les besoins sur le site du lieu": "All needs on the place's website",
        "(nouvel onglet)": "(new tab)",
        "Aucun résident pour l'instant.": "No resident yet.",
        "Pour le": "Due",
        "Intégrer sur votre site": "Embed on your website",
        "Montrez l'agenda, les résidents ou les besoins de {place} sur votre propre site : "
        "copiez l'un des deux extraits ci-dessous dans une page de votre site.": (
            "Show {place}'s agenda, residents or needs on your own website: copy one of the two "
            "snippets below into a page of your site."
        ),
        "Le cadre (iframe) marche partout ; le script qui le suit ajuste sa hauteur à son "
        "contenu. Le composant web fait de même en une balise.": (
            "The frame (iframe) works everywhere; the script after it fits its height to its "
            "content. The web component does the same in one tag."
        ),
        "Seuls ces sites peuvent intégrer les widgets : {sites}.": (
            "Only these sites may embed the widgets: {sites}."
        ),
        "Agenda du lieu": "The place's agenda",
        "Agenda du réseau": "The network's agenda",
        "Extrait avec cadre (iframe)": "Snippet with a frame (iframe)",
        "Extrait avec composant web": "Snippet with a web component",
        "Copier": "Copy",
        "Copié": "Copied",
        "Sélectionnez le texte et copiez-le (Ctrl+C).": "Select the text and copy it (Ctrl+C).",
        "Aperçu": "Preview",
    }
)


@dataclass(frozen=True)
class Widget:
    """One widget as `/embed` presents it."""

    key: str  # the custom element is interlieux-<key>
    path: str  # under the node's base URL
    title: str  # French; English in the catalogue


WIDGETS = (
    Widget("agenda", "/embed/agenda", "Agenda du lieu"),
    Widget("agenda", "/embed/agenda?scope=network", "Agenda du réseau"),
    Widget("residents", "/embed/residents", "Résidents"),
    Widget("needs", "/embed/needs", "Besoins"),
)


def iframe_snippet(base_url: str, widget: Widget, title: str) -> str:
    """The `<iframe>` to paste, and the script that fits its height (pure)."""
    return (
        f'<iframe src="{base_url}{widget.path}" title="{title}" data-interlieux loading="lazy"'
        f' style="display:block;width:100%;height:{FRAME_HEIGHT}px;border:0"></iframe>\n'
        f'<script src="{base_url}/static/interlieux.js" defer></script>'
    )


def component_snippet(base_url: str, widget: Widget, title: str) -> str:
    """The web component to paste (pure)."""
    return (
        f'<script src="{base_url}/static/interlieux.js" defer></script>\n'
        f'<interlieux-{widget.key} src="{base_url}{widget.path}" title="{title}">'
        f"</interlieux-{widget.key}>"
    )


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


async def _framed(request: Request, response: Response) -> Response:
    """The widget's answer with the framing the place chose (also on a 304: its headers
    replace those a browser kept)."""
    sites = await embed_sites.every(node_of(request).store.reads)
    response.headers["content-security-policy"] = widget_framing(sites)
    return response


async def network_upcoming(request: Request, limit: int) -> list[dict[str, Any]]:
    """The shared agenda's next events (this place's and the followed places'), each with its
    place's name and its local start time."""
    node = node_of(request)
    return [
        {**document, "place": organizer.name,
         "start": local_time(document.get("startTime"), node.config.timezone)}
        for document, organizer in await shared_events(node, datetime.now(UTC), limit=limit)
    ]  # fmt: skip


async def agenda(request: Request) -> Response:
    network = request.query_params.get("scope") == "network"
    found = (
        await network_upcoming(request, WIDGET_EVENTS) if network
        else await upcoming(request, WIDGET_EVENTS)
    )  # fmt: skip
    return await _framed(request, await render(
        request, "embed/agenda.html", events=found, network=network,
        full="/network/agenda" if network else "/agenda",
    ))  # fmt: skip


async def residents(request: Request) -> Response:
    return await _framed(request, await render(
        request, "embed/residents.html",
        residents=(await people.residents(request))[:WIDGET_RESIDENTS],
    ))  # fmt: skip


async def needs(request: Request) -> Response:
    node = node_of(request)
    found = [
        {**n, "due_at": local_time(n.get("due"), node.config.timezone)}
        for n in await open_needs(request, WIDGET_NEEDS)
    ]
    return await _framed(request, await render(request, "embed/needs.html", needs=found))


async def page(request: Request) -> Response:
    """`/embed`: each widget's two snippets, a copy button for each, and a live preview."""
    node = node_of(request)
    base = node.config.base_url
    name = (await site(request)).name
    shown = []
    for widget in WIDGETS:
        title = _attribute(f"{widget.title} · {name}")
        shown.append({"widget": widget, "title": widget.title,
                      "iframe": iframe_snippet(base, widget, title),
                      "component": component_snippet(base, widget, title)})  # fmt: skip
    return await render(
        request, "embed/page.html", widgets=shown,
        sites=await embed_sites.every(node.store.reads),
    )  # fmt: skip


ROUTES = [
    Route("/embed", page),
    Route("/embed/agenda", agenda),
    Route("/embed/residents", residents),
    Route("/embed/needs", needs),
]

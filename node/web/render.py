"""Rendering a page: the templates, the visitor's language, the place around every page.

Pages are Jinja2 templates in `node/web/templates/`, autoescaped, extending `base.html` (the
place's name, the navigation, the language switch, the footer). `render` chooses the language
(`i18n.choose`), gives the templates `t` (the catalogue), `lang` and `site` (the place), and
keeps a visitor's explicit choice of language in a cookie.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..actors.routes import node_of
from ..ledger.money import figure
from ..tables import local_actors
from . import headers, i18n, spaces, visitor

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "lang"
DAYS = {
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    """The place every page belongs to."""

    name: str
    base_url: str
    place_id: str
    timezone: str


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.filters["brief"] = brief
    env.filters["number"] = number
    env.globals["member_space"] = spaces.MEMBER_SPACE
    env.globals["team_menu"] = spaces.team_menu
    return env


def language(request: Request) -> str:
    return i18n.choose(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language", ""),
    )


def local_time(value: str | datetime | None, timezone: str) -> datetime | None:
    """An ISO 8601 time (or a datetime) in the place's time zone; None if unreadable."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        return value
    return value.astimezone(ZoneInfo(timezone))


def day(value: datetime | None, lang: str = "fr") -> str:
    """`samedi 5 décembre 2026` / `Saturday 5 December 2026` (pure)."""
    if value is None:
        return ""
    return (f"{DAYS[lang][value.weekday()]} {value.day} {MONTHS[lang][value.month - 1]} "
            f"{value.year}")  # fmt: skip


def moment(value: datetime | None, lang: str = "fr") -> str:
    """`samedi 5 décembre 2026 à 14 h 00` / `Saturday 5 December 2026, 14:00` (pure)."""
    if value is None:
        return ""
    if lang == "en":
        return f"{day(value, lang)}, {value:%H:%M}"
    return f"{day(value, lang)} à {value.hour} h {value.minute:02d}"


SHORT_MONTHS = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}  # fmt: skip


def brief(value: datetime | None, lang: str = "fr") -> str:
    """`2 déc. 2026, 11 h 22` / `2 Dec 2026, 11:22`: a moment that fits a table's cell on a
    phone (pure)."""
    if value is None:
        return ""
    date = f"{value.day} {SHORT_MONTHS[lang][value.month - 1]} {value.year}"
    if lang == "en":
        return f"{date}, {value:%H:%M}"
    return f"{date}, {value.hour} h {value.minute:02d}"


def number(value: Decimal | int | None, lang: str = "fr") -> str:
    """A survey's sum or average as the reader writes numbers (pure): `1 250,50` / `1,250.50`;
    nothing to show is a dash."""
    if value is None:
        return "—"
    return figure(format(value, "f"), lang)


def script_json(data: Any) -> str:
    """`data` as JSON safe inside a `<script>` element (pure): `<`, `>` and `&` written as
    JSON escapes, so that no `</script>` nor `<!--` in a place's or a peer's text ends the
    element early."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


async def site(request: Request) -> Site:
    node = node_of(request)
    row = await local_actors.by_handle(node.store.reads, node.config.handle)
    name = str(row["name"]) if row else node.config.handle
    return Site(name, node.config.base_url, node.config.place_id, node.config.timezone)


async def render(
    request: Request,
    template: str,
    status: int = 200,
    modified: datetime | None = None,
    **context: Any,
) -> Response:
    """The page `template` with `context`, in the visitor's language, with its framing and
    cache headers (`headers.finish`; `modified`: the page's own date, if it has one)."""
    lang = language(request)
    place = await site(request)
    member = await visitor.signed_in(request)
    html = (
        environment()
        .get_template(template)
        .render(
            lang=lang,
            t=lambda text: i18n.say(text, lang),
            site=place,
            path=request.url.path,
            member=member,
            remote=None if member else await visitor.remote_visitor(request),
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["content-language"] = lang
    response.headers["vary"] = "Accept, Accept-Language, Cookie"
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return headers.finish(request, response, modified)

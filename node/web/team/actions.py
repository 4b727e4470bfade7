"""What every form of the team's pages does around its own work: answer with a redirect to
the page and a short confirmation (POST/redirect/GET), and say amounts and times as a French
reader writes them. The form itself comes from `gate.member_form`.

A confirmation travels as a key in `?fait=` that the page looks up in its own table of
sentences: nothing a visitor writes in a link is ever shown on the page.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors import local
from ...actors.routes import node_of

DONE = "fait"  # the query parameter of a confirmation


async def place_actor(request: Request) -> local.LocalActor:
    """The place itself, as the team publishes (events, steps, votes are the place's)."""
    node = node_of(request)
    return await local.by_handle(node.store, node.config.handle)


def done(path: str, key: str | None = None, **counts: int) -> Response:
    """POST/redirect/GET: back to `path` (a page of this site), telling it which confirmation
    to show (`?fait=key`) and, for a page that says how many, the counts as short flags."""
    flags = {DONE: key} if key else {}
    query = urlencode({**flags, **{name: str(n) for name, n in counts.items()}})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def confirmation(request: Request, sentences: dict[str, str]) -> str | None:
    """The French sentence of the page's confirmation key, if the link carries a known one."""
    return sentences.get(request.query_params.get(DONE, ""))


def start_of_day(timezone: str, now: datetime | None = None) -> datetime:
    """Midnight today in the place's time zone (pure when `now` is given)."""
    moment = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_month(timezone: str, now: datetime | None = None) -> datetime:
    """The first of this month, at midnight in the place's time zone (pure when `now` is
    given)."""
    return start_of_day(timezone, now).replace(day=1)

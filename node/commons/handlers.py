"""Needs and pledges: checked against their shapes, made readable on Mastodon.

Mastodon shows neither `tl:Need` nor `tl:Pledge`; each also carries the `Note` type and a
French `content` that says it in a sentence, so a Mastodon user following the place reads every
publication. The typed fields stay for places and SPARQL.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from vocab import shapes, skills

from ..activity import id_of, type_of
from ..agenda.event import parse_time
from ..agenda.handlers import refuse_if_invalid
from ..query import graph
from ..routing import Route
from ..sqlite import Connection
from ..tables import objects

if TYPE_CHECKING:
    from ..actors.local import LocalActor
    from ..context import Node

log = logging.getLogger(__name__)
KINDS_FR = {"skills": "compétences", "volunteers": "bénévoles", "equipment": "matériel",
            "funding": "financement"}  # fmt: skip
STATUS_FR = {"open": "ouvert", "partlyMet": "en partie satisfait", "met": "satisfait"}
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]  # fmt: skip


def _date_fr(value: Any) -> str:
    moment = parse_time(value)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else ""


def _number(value: Any) -> str:
    number = float(value)
    return f"{number:g}".replace(".", ",")


def need_content(need: dict[str, Any]) -> str:
    lines = [f"<p><strong>Besoin : {html.escape(str(need['name']))}</strong></p>"]
    facts = [f"{KINDS_FR.get(need['needKind'], need['needKind'])}",
             f"quantité : {_number(need['quantity'])}"]  # fmt: skip
    if need.get("due"):
        facts.append(f"avant le {_date_fr(need['due'])}")
    facts.append(f"état : {STATUS_FR.get(need.get('status', 'open'), 'ouvert')}")
    lines.append(f"<p>{html.escape(' · '.join(facts))}</p>")
    names = [s.fr for s in (skills.get(v) for v in need.get("skill", [])) if s]
    if names:
        lines.append(f"<p>Compétences : {html.escape(', '.join(names))}</p>")
    if need.get("content"):
        lines.append(str(need["content"]))
    return "".join(lines)


def pledge_content(pledge: dict[str, Any]) -> str:
    funds = pledge["funds"]
    target = funds.get("name") or funds.get("id") if isinstance(funds, dict) else funds
    text = f"Engagement de co-financement : {_number(pledge['amount'])} {pledge['currency']} "
    text += f"pour {target}"
    # A pledge to an improvement step is due when the step is funded: no date of its own.
    text += f", avant le {_date_fr(pledge['due'])}." if pledge.get("due") else "."
    return f"<p>{html.escape(text)}</p>"


def _readable(obj: dict[str, Any], kind: str) -> None:
    """Add the Note type and the French sentence (in place)."""
    types = obj["type"] if isinstance(obj["type"], list) else [obj["type"]]
    # `tl:Need` is `Need` in the network's context: one spelling, the one the store lists.
    same = (kind, f"tl:{kind}", "Note")
    obj["type"] = [kind, *[t for t in types if t not in same], "Note"]
    obj["mediaType"] = "text/html"
    if kind == "Need":
        obj.setdefault("status", "open")
        obj["skill"] = [skills.expand(s) for s in obj.get("skill", [])]
        obj["content"] = need_content(obj)
    else:
        obj["content"] = pledge_content(obj)


def _structured(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """The typed fields, without the generated sentence, for the shape check."""
    body = {k: v for k, v in obj.items() if k != "content"}
    if kind == "Need" and isinstance(obj.get("content"), str) and "Besoin :" not in obj["content"]:
        body["content"] = obj["content"]
    return body


def _routes(kind: str) -> list[Route]:
    """The same checks and completion for a need and a pledge, each against its own shape."""

    async def _validate(node: Node, actor: LocalActor, activity: dict[str, Any]) -> None:
        refuse_if_invalid(_structured(activity["object"], kind), kind)

    async def _publish(
        db: Connection, node: Node, actor: LocalActor, activity: dict[str, Any]
    ) -> None:
        obj = activity["object"]
        _readable(obj, kind)
        if type_of(activity) == "Update":
            await objects.set_document(db, obj["id"], obj, updated_at=None)
        await graph.sync(db, obj["id"], obj, local=True)

    async def _received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
        obj = activity["object"]
        violations = shapes.check(_structured(obj, kind), kind)
        if violations:
            reasons = "; ".join(v.en for v in violations)
            sender = id_of(activity["actor"])
            log.warning("dropping %s %s from %s: %s", kind, obj.get("id"), sender, reasons)
            await objects.drop_received(db, obj.get("id"))
            await graph.sync(db, str(obj.get("id")), None, local=False)

    for handler, name in ((_validate, "validate"), (_publish, "publish"), (_received, "received")):
        handler.__name__ = f"{name}_{kind.lower()}"  # as the routing table prints them
    return [
        Route(verb, kind, on_validate=_validate, on_publish=_publish, on_receive=_received)
        for verb in ("Create", "Update")
    ]


ACTIVITY_ROUTES = [*_routes("Need"), *_routes("Pledge")]

"""Needs and pledges in a browser: `/needs`, `/pledges`, and each one's page at its id.

The needs page shows the open needs of the place and of the network (the places this node
follows: their needs came in their Create and are kept as received objects), with who answered
each: a reply to it (`inReplyTo`) or a pledge that funds it (`funds`). The pledges page shows
the pledges of the place and of the network and, per funded project and currency, their total.
Only public objects appear, as in the JSON collections; the fields shown are the typed ones (a
need's generated French `content` is for Mastodon and is not repeated here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from vocab import skills

from ..activity import id_of, type_of
from ..actors.names import display_name
from ..actors.routes import node_of
from ..agenda.event import parse_time
from ..audience import is_public
from ..ledger.money import display
from ..tables import objects
from . import i18n
from .render import language, local_time, render

# A need is still asked while it is not met: `open`, or `partlyMet` (shown as such).
OPEN = ("open", "partlyMet")
KINDS = {"skills": "Compétences", "volunteers": "Bénévoles", "equipment": "Matériel",
         "funding": "Financement"}  # fmt: skip
STATUSES = {"open": "Ouvert", "partlyMet": "En partie satisfait", "met": "Satisfait"}
NEEDS_PER_PAGE = 50  # of the place's, and of the network's, on one page of `/needs`
MAX_PAGE = 10_000  # a page number beyond is read as this one (no OFFSET past any real list)

i18n.english(
    {
        "Besoins": "Needs",
        "Engagements": "Pledges",
        "Ce que le lieu et les lieux qu'il suit demandent encore, et qui y a répondu.": (
            "What the place and the places it follows still ask for, and who answered."
        ),
        "Les engagements de co-financement du lieu et du réseau, et leur total par projet.": (
            "The co-financing pledges of the place and of the network, and their total per project."
        ),
        "Besoins du lieu": "The place's needs",
        "Besoins du réseau": "The network's needs",
        "Aucun besoin ouvert dans le réseau.": "No open need in the network.",
        "Compétences": "Skills",
        "Bénévoles": "Volunteers",
        "Matériel": "Equipment",
        "Financement": "Funding",
        "Ouvert": "Open",
        "En partie satisfait": "Partly met",
        "Satisfait": "Met",
        "Type": "Kind",
        "Quantité": "Quantity",
        "Avant le": "Before",
        "État": "Status",
        "Lieu": "Place",
        "Réponses": "Answers",
        "Personne n'a encore répondu.": "Nobody has answered yet.",
        "réponse": "answer",
        "engagement de": "pledge of",
        "Totaux par projet": "Totals per project",
        "Projet": "Project",
        "Devise": "Currency",
        "Total": "Total",
        "Engagements pris": "Pledges made",
        "Tous les engagements": "All pledges",
        "Aucun engagement pour l'instant.": "No pledge yet.",
        "Montant": "Amount",
        "Par": "By",
        "Engagement": "Pledge",
        "Voir les engagements": "See the pledges",
        "Total pour ce projet": "Total for this project",
        "Besoin": "Need",
        "Page précédente": "Previous page",
        "Page suivante": "Next page",
        "Page {n}": "Page {n}",
    }
)


@dataclass(frozen=True)
class Answer:
    """Someone's answer to a need: a reply, or a pledge (with its amount)."""

    id: str
    by: str
    name: str
    amount: str  # "200,00 €" for a pledge, "" for a reply


@dataclass(frozen=True)
class NeedView:
    id: str
    name: str
    summary: str
    kind: str
    quantity: str
    skills: list[skills.Skill]
    due: datetime | None
    status: str
    place: str
    place_name: str
    answers: list[Answer]


@dataclass(frozen=True)
class PledgeView:
    id: str
    name: str
    amount: Decimal | None
    currency: str
    project: str
    project_name: str
    due: datetime | None
    by: str
    by_name: str


@dataclass(frozen=True)
class Total:
    project: str
    project_name: str
    currency: str
    amount: Decimal
    count: int


def is_open(need: dict[str, Any]) -> bool:
    """Still asked: not met (pure)."""
    return need.get("status", "open") in OPEN


def decimal(value: Any) -> Decimal | None:
    """A pledge's amount (a JSON number or a decimal string), None when unreadable (pure)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def number_text(value: Any, lang: str) -> str:
    """`2`, `2,5` in French, `2.5` in English (pure)."""
    amount = decimal(value)
    if amount is None:
        return str(value)
    text = f"{amount.normalize():f}"
    return text.replace(".", ",") if lang == "fr" else text


def money(amount: Decimal | None, currency: str, lang: str) -> str:
    """`1 200,00 €` in French, `€1,200.00` in English (pure): `money.display` of a pledge's
    decimal amount, rounded to the cent."""
    if amount is None:
        return ""
    cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return display(cents, currency, lang, symbol=True)


def funded(pledge: dict[str, Any]) -> tuple[str, str]:
    """The project a pledge funds: its id, and its name when the pledge embeds one (pure)."""
    funds = pledge.get("funds")
    project = id_of(funds) or ""
    name = funds.get("name") if isinstance(funds, dict) else None
    return str(project), name if isinstance(name, str) and name else ""


def totals(pledges: list[PledgeView]) -> list[Total]:
    """The sum of the pledges per funded project and currency, largest first (pure): amounts
    of different currencies are never added together."""
    sums: dict[tuple[str, str], tuple[str, Decimal, int]] = {}
    for pledge in pledges:
        if pledge.amount is None:
            continue
        key = (pledge.project, pledge.currency)
        name, amount, count = sums.get(key, (pledge.project_name, Decimal(0), 0))
        sums[key] = (name or pledge.project_name, amount + pledge.amount, count + 1)
    found = [Total(project, name, currency, amount, count)
             for (project, currency), (name, amount, count) in sums.items()]  # fmt: skip
    return sorted(found, key=lambda t: (-t.amount, t.project_name or t.project, t.currency))


def named(pledges: list[PledgeView]) -> list[PledgeView]:
    """Each pledge with its project's name when any pledge to that project gives one (pure)."""
    names = {p.project: p.project_name for p in pledges if p.project_name}
    return [replace(p, project_name=p.project_name or names.get(p.project, "")) for p in pledges]


def _rows_to_documents(rows: list[Any]) -> list[tuple[dict[str, Any], str]]:
    return [(json.loads(r["document"]), str(r["attributed_to"] or "")) for r in rows]


async def _name(request: Request, actor_id: str) -> str:
    """`display_name`, read once per request: a place's name repeats on every need of it."""
    seen: dict[str, str] = request.state.__dict__.setdefault("names", {})
    if actor_id not in seen:
        seen[actor_id] = await display_name(node_of(request).store.reads, actor_id)
    return seen[actor_id]


async def _answers(request: Request, ids: list[str]) -> dict[str, list[Answer]]:
    lang = language(request)
    found: dict[str, list[Answer]] = {}
    for row in await objects.public_answers(node_of(request).store.reads, ids):
        document = json.loads(row["document"])
        by = str(row["attributed_to"] or "")
        amount = ""
        if type_of(document) == "Pledge":
            amount = money(decimal(document.get("amount")), str(document.get("currency")), lang)
        found.setdefault(row["answers"], []).append(
            Answer(str(document.get("id")), by, await _name(request, by), amount)
        )
    return found


async def needs_of(
    request: Request, limit: int, offset: int = 0, network: bool = False
) -> list[NeedView]:
    """The open public needs of the place (`network`: this node's other authors' and those of
    the places it follows), soonest due first, `limit` of them after `offset`."""
    node = node_of(request)
    here = node.config.place_id
    rows = await objects.open_public_needs(
        node.store.reads, OPEN, limit, offset,
        author=None if network else here, network_of=here if network else None,
    )  # fmt: skip
    documents = _rows_to_documents(rows)
    answers = await _answers(request, [str(doc.get("id")) for doc, _ in documents])
    return [await need_view(request, doc, by, answers) for doc, by in documents]


async def need_view(
    request: Request, need: dict[str, Any], by: str, answers: dict[str, list[Answer]]
) -> NeedView:
    node = node_of(request)
    known = [skills.get(s) for s in need.get("skill", []) if isinstance(s, str)]
    summary = need.get("summary")
    status = str(need.get("status", "open"))
    return NeedView(
        id=str(need.get("id")),
        name=str(need.get("name") or ""),
        summary=summary if isinstance(summary, str) else "",
        kind=KINDS.get(str(need.get("needKind")), str(need.get("needKind") or "")),
        quantity=number_text(need.get("quantity"), language(request)),
        skills=[s for s in known if s is not None],
        due=_local_due(need.get("due"), node.config.timezone),
        status=STATUSES.get(status, status),
        place=by,
        place_name=await _name(request, by),
        answers=answers.get(str(need.get("id")), []),
    )


def _local_due(value: Any, timezone: str) -> datetime | None:
    moment = parse_time(value)
    return local_time(moment, timezone) if moment else None


async def pledge_view(request: Request, pledge: dict[str, Any], by: str) -> PledgeView:
    node = node_of(request)
    db = node.store.reads
    project, project_name = funded(pledge)
    if not project_name and project:
        # A project that is an object this node holds (a need, an event…): its name.
        known = await objects.document(db, project)
        name = (
            known.get("name")
            if known and type_of(known) != "Tombstone" and is_public(known)
            else None
        )
        project_name = name if isinstance(name, str) else ""
    name = pledge.get("name")
    return PledgeView(
        id=str(pledge.get("id")),
        name=name if isinstance(name, str) else "",
        amount=decimal(pledge.get("amount")),
        currency=str(pledge.get("currency") or ""),
        project=project,
        project_name=project_name,
        due=_local_due(pledge.get("due"), node.config.timezone),
        by=by,
        by_name=await _name(request, by),
    )


async def pledges_of(request: Request) -> list[PledgeView]:
    """The public pledges of the place and of the places it follows, soonest due first."""
    node = node_of(request)
    rows = await objects.public_in_network(node.store.reads, "Pledge", node.config.place_id)
    pledges = named([await pledge_view(request, doc, by) for doc, by in _rows_to_documents(rows)])
    return sorted(pledges, key=lambda p: (p.due is None, p.due.isoformat() if p.due else ""))


def page_number(value: str | None) -> int:
    """`?page=3` as 3; anything else (absent, not a number, below 1) is the first page (pure)."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


async def needs_page(request: Request) -> Response:
    """`/needs` in a browser: the place's open needs and the network's, NEEDS_PER_PAGE of each
    per page (`?page=` for the place's, `?network_page=` for the network's)."""
    node = node_of(request)
    sections = []
    for network, key in ((False, "page"), (True, "network_page")):
        number = page_number(request.query_params.get(key))
        # One more than shown: whether a next page exists, without counting them all.
        found = await needs_of(request, NEEDS_PER_PAGE + 1, (number - 1) * NEEDS_PER_PAGE, network)
        others = {k: v for k, v in request.query_params.items() if k != key}

        def link(n: int, key: str = key, others: dict[str, str] = others) -> str:
            return "?" + urlencode({**others, **({key: str(n)} if n > 1 else {})})

        sections.append({
            "needs": found[:NEEDS_PER_PAGE], "number": number,
            "previous": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if len(found) > NEEDS_PER_PAGE else None,
        })  # fmt: skip
    return await render(
        request, "needs.html",
        ours=sections[0], network=sections[1],
        url=f"{node.config.base_url}/needs",
    )  # fmt: skip


async def pledges_page(request: Request) -> Response:
    node = node_of(request)
    pledges = await pledges_of(request)
    return await render(
        request, "pledges.html",
        pledges=pledges, totals=totals(pledges), money=money,
        url=f"{node.config.base_url}/pledges",
    )  # fmt: skip


async def need_page(request: Request, document: dict[str, Any]) -> Response:
    """A need's page at its id (this node's need: `objects.page` found it public)."""
    node = node_of(request)
    db = node.store.reads
    by = str(await objects.author(db, str(document.get("id"))) or node.config.place_id)
    answers = await _answers(request, [str(document.get("id"))])
    return await render(request, "need.html", need=await need_view(request, document, by, answers))


async def pledge_page(request: Request, document: dict[str, Any]) -> Response:
    """A pledge's page at its id, with the total pledged to its project across the network."""
    node = node_of(request)
    by = str(await objects.author(node.store.reads, str(document.get("id"))) or "")
    pledge = await pledge_view(request, document, by)
    same = [p for p in await pledges_of(request)
            if p.project == pledge.project and p.currency == pledge.currency]  # fmt: skip
    total = next(iter(totals(same or [pledge])), None)
    return await render(request, "pledge.html", pledge=pledge, total=total, money=money)

"""`/equipe/validation`: what waits for the place's team — members who asked to be listed as
residents (the `resident` command's accept and reject, with a face), and projects members
submitted (`directory.projects`). Each is accepted or refused, with a reason the member reads.
Requests to join sent from `/adhesion` (`people.signups`) wait here too: accepted, the member
is made and their one-time link shown once (and sent by e-mail when the request gave an address
and `node.json` configures SMTP); refused, with a reason kept for the team.

`waiting(store)` is the queue's size, for the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from sqlite3 import Row

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vocab import skills

from ...actors import local
from ...actors.names import names_of
from ...actors.routes import node_of
from ...directory import profile as profiles
from ...directory import projects, residents
from ...errors import InterlieuxError, InvalidParameter, too_long
from ...people import accounts, mail, signups
from ...store import Store
from ...tables import remote_actors
from ...tables import residents as residents_table
from .. import i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, local_time, render
from .actions import confirmation
from .members import Link, _link

MAX_REASON = 1000  # characters of a refusal's reason sent to a member

# What a decision did, said on the page after the redirect (`?fait=`).
DONE = {
    "resident-accepte": "Résident·e validé·e : la résidentothèque du lieu l'affiche.",
    "resident-refuse": "Demande de résidence refusée ; le membre en a été informé.",
    "projet-publie": "Projet publié sur le profil du membre.",
    "projet-refuse": "Projet refusé ; le membre lira votre motif.",
    "adhesion-refusee": "Demande d'adhésion refusée.",
}

i18n.english(
    {
        "À valider": "To validate",
        "Demandes de résidence": "Residency requests",
        "Aucune demande de résidence en attente.": "No residency request waiting.",
        "Projets proposés": "Submitted projects",
        "Aucun projet en attente.": "No project waiting.",
        "Demandé le": "Asked on",
        "Proposé le": "Submitted on",
        "par": "by",
        "Motif en cas de refus (facultatif, envoyé au membre)": (
            "Reason if refused (optional, sent to the member)"
        ),
        "Motif du refus (le membre le lira)": "Reason for refusing (the member will read it)",
        "Valider": "Validate",
        "Refuser": "Refuse",
        "Publier": "Publish",
        "Accepter et publier": "Accept and publish",
        "membre d'un autre lieu": "member of another place",
        "Résident·e validé·e : la résidentothèque du lieu l'affiche.": (
            "Resident validated: the place's residents directory lists them."
        ),
        "Demande de résidence refusée ; le membre en a été informé.": (
            "Residency request refused; the member was told."
        ),
        "Projet publié sur le profil du membre.": "Project published on the member's profile.",
        "Projet refusé ; le membre lira votre motif.": (
            "Project refused; the member will read your reason."
        ),
        "La décision n'a pas abouti": "The decision did not go through",
        "Lien": "Link",
        "Demandes d'adhésion": "Requests to join",
        "Aucune demande d'adhésion en attente.": "No request to join waiting.",
        "Identifiant souhaité": "Wished username",
        "Pour le joindre": "To reach them",
        "Accepter et créer le lien": "Accept and make the link",
        "Motif en cas de refus (facultatif, gardé pour l'équipe)": (
            "Reason if refused (optional, kept for the team)"
        ),
        "Demande d'adhésion refusée.": "Request to join refused.",
        "Membre créé·e :": "Member created:",
        "Lien envoyé par courriel à": "Link sent by e-mail to",
        "Lien à remettre": "Link to hand over",
        "Ce lien sert une seule fois, jusqu'au": "This link works once, until",
        "Le courriel n'est pas parti : remettez ce lien vous-même.": (
            "The e-mail did not go: hand this link over yourself."
        ),
    }
)


async def waiting(store: Store) -> tuple[int, int]:
    """(residency requests and requests to join, projects) waiting for the team: the
    dashboard's counts."""
    pending = await residents_table.pending_count(store.reads)
    pending += await signups.pending_count(store)
    return pending, await projects.pending_count(store)


@dataclass(frozen=True)
class Asking:
    """A residency request as the team reads it, with the profile it would list: the whole
    of a member of this node's (the team sees every field), the public view of another's."""

    actor: str
    name: str
    local: bool
    asked: datetime | None
    summary: str
    skills: list[skills.Skill]
    availability: str


async def _asking(request: Request, row: Row, name: str) -> Asking:
    node = node_of(request)
    reads = node.store.reads
    actor_id = str(row["actor"])
    member = await local.by_id(node.store, actor_id)
    if member is not None:
        shown = profiles.seen_by(await profiles.load(node.store, member), "private")
        shown["summary"] = member.summary
    else:
        shown = await remote_actors.document(reads, actor_id) or {}
    summary = shown.get("summary")
    known = [skills.get(s) for s in shown.get("skill", []) if isinstance(s, str)]
    availability = shown.get("availability")
    return Asking(
        actor=actor_id, name=name, local=member is not None,
        asked=local_time(datetime.fromtimestamp(row["created_at"], UTC), node.config.timezone),
        summary=summary if isinstance(summary, str) else "",
        skills=[s for s in known if s is not None],
        availability=availability if isinstance(availability, str) else "",
    )  # fmt: skip


async def _requests(request: Request) -> list[Asking]:
    reads = node_of(request).store.reads
    pending = await residents_table.pending(reads, projects.QUEUE)
    names = await names_of(reads, [str(row["actor"]) for row in pending])
    return [await _asking(request, row, names[str(row["actor"])]) for row in pending]


async def _page(
    request: Request, status: int = 200, error: str = "", invited: Invited | None = None
) -> Response:
    node = node_of(request)
    tz = node.config.timezone
    waiting = await projects.waiting(node.store)
    names = await names_of(node.store.reads, [node.config.actor_id(p.handle) for p in waiting])
    queue = [
        {"project": p, "author": names[node.config.actor_id(p.handle)],
         "submitted": local_time(datetime.fromtimestamp(p.created_at, UTC), tz)}
        for p in waiting
    ]  # fmt: skip
    done = confirmation(request, DONE)
    return await render(
        request, "team/validation.html", status=status,
        requests=await _requests(request), projects=queue, done=done, error=error,
        max_reason=MAX_REASON, signups=[
            (r, local_time(datetime.fromtimestamp(r.created_at, UTC), tz))
            for r in await signups.waiting(node.store)
        ], invited=invited,
    )  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


def _reason(form: dict[str, str]) -> str:
    reason = form.get("reason", "").strip()
    if len(reason) > MAX_REASON:
        raise too_long(MAX_REASON, "Le motif", "The reason")
    return reason


@requires(accounts.TEAM)
async def decide_resident(request: Request) -> Response:
    """POST: accept or refuse a residency request, as `resident accept|reject` does."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    member_id = form.get("actor", "")
    accept = form.get("decision") == "accepter"
    try:
        reason = _reason(form)
        row = await residents_table.find(node.store.reads, member_id)
        if row is None or row["state"] != "pending":
            raise InvalidParameter(
                f"no pending residency of {member_id}",
                fr="Cette demande n'attend plus de décision (déjà traitée) : rien n'a été changé.",
                en="This request no longer waits for a decision (already handled): nothing "
                "was changed.",
            )
        place = await local.by_handle(node.store, node.config.handle)
        async with node.store.write() as db:
            if accept:
                await residents.accept(db, node, place, member_id)
            else:
                await residents.refuse(db, node, place, member_id, reason)
    except InterlieuxError as error:
        return await _page(request, 400, error.message(language(request)))
    done = "resident-accepte" if accept else "resident-refuse"
    return RedirectResponse(f"/equipe/validation?fait={done}", 303)


@requires(accounts.TEAM)
async def decide_project(request: Request) -> Response:
    """POST: accept (the member publishes it) or refuse (with a reason) a project."""
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    accept = form.get("decision") == "publier"
    try:
        number = form.get("project", "")
        if not (number.isascii() and number.isdigit() and len(number) < 12):
            raise projects.no_longer_waiting(0)
        if accept:
            await projects.accept(node, int(number), member.handle)
        else:
            await projects.refuse(node, int(number), _reason(form), member.handle)
    except InterlieuxError as error:
        return await _page(request, 400, error.message(language(request)))
    done = "projet-publie" if accept else "projet-refuse"
    return RedirectResponse(f"/equipe/validation?fait={done}", 303)


@dataclass(frozen=True)
class Invited:
    """A request just accepted: the new member's link, and where it was mailed (or "")."""

    link: Link
    mailed_to: str
    mail_failed: bool


@requires(accounts.TEAM)
async def decide_signup(request: Request) -> Response:
    """POST: accept a request to join (the member made, their link shown once and mailed when
    possible) or refuse it."""
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    number = form.get("signup", "")
    try:
        if not (number.isascii() and number.isdigit() and len(number) < 12):
            raise signups.no_longer_waiting()
        if form.get("decision") != "accepter":
            await signups.refuse(node.store, int(number), member.handle, _reason(form))
            return RedirectResponse("/equipe/validation?fait=adhesion-refusee", 303)
        asked, token, invitation = await signups.accept(node.store, node.config, int(number),
                                                        member.handle)  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error.message(language(request)))
    link = _link(request, token, invitation)
    mailed_to, failed = "", False
    smtp = node.config.mail
    if smtp is not None and mail.looks_like_address(asked.contact):
        until = f"{link.until:%d/%m/%Y %H:%M}" if link.until else ""
        message = mail.link_message(smtp, node.config.name, asked.contact, link.url, until)
        if await mail.send(smtp, message):
            mailed_to = asked.contact
        else:
            failed = True
    # The link is shown whether or not it was mailed: it is never lost to a failed e-mail.
    return no_store(await _page(request, invited=Invited(link, mailed_to, failed)))

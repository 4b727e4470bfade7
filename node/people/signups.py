"""Requests to join the place, sent from its public page `/adhesion` and decided by the team
on `/equipe/validation`: accepted, the member's account is made and a one-time invitation link
handed over (or sent by e-mail, `mail.py`); refused, with an optional reason.

A request says a name, the handle wished, a way to reach the person (optional) and a message,
each bounded; at most `MAX_PENDING` wait at once, so that a flood from many addresses fills no
disk (each address is throttled besides: `limits.Throttles.signup`).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from ..actors import local
from ..config import NodeConfig, check_handle
from ..errors import ConfigError, InvalidParameter, too_long
from ..store import Store
from ..tables import local_actors, signup_requests
from . import invitations

MAX_NAME = 100  # characters
MAX_CONTACT = 200
MAX_MESSAGE = 2000
MAX_PENDING = 200  # requests waiting at once; past it, the page asks to come back later
PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"


@dataclass(frozen=True)
class Request:
    id: int
    name: str
    handle: str
    contact: str
    message: str
    created_at: float


def checked(name: str, handle: str, contact: str, message: str) -> tuple[str, str, str, str]:
    """The request's fields trimmed, or InvalidParameter saying what to change (pure)."""
    name, handle = name.strip(), handle.strip().lower().removeprefix("@")
    contact, message = contact.strip(), message.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidParameter("name missing or too long",
                       fr=f"Indiquez votre nom ({MAX_NAME} caractères au plus).",
                       en=f"Give your name (at most {MAX_NAME} characters).")  # fmt: skip
    try:
        check_handle(handle)
    except ConfigError as error:
        raise InvalidParameter(
            f"handle {handle!r} not valid",
            fr=f"Identifiant « {handle[:64]} » non valable : lettres minuscules, chiffres, « _ », "
            "« . » ou « - », 64 caractères au plus (par ex. alice ou jean-marc).",
            en=f"Username '{handle[:64]}' not valid: lower-case letters, digits, '_', '.' or "
            "'-', at most 64 characters (e.g. alice or jean-marc).",
        ) from error
    if len(contact) > MAX_CONTACT or "\n" in contact or "\r" in contact:
        raise InvalidParameter("contact too long",
                       fr=f"Le moyen de vous joindre tient en une ligne de {MAX_CONTACT} "
                       "caractères au plus.",
                       en=f"The way to reach you fits on one line of at most {MAX_CONTACT} "
                       "characters.")  # fmt: skip
    if len(message) > MAX_MESSAGE:
        raise too_long(MAX_MESSAGE, "Le message", "The message")
    return name, handle, contact, message


def taken(handle: str) -> InvalidParameter:
    return InvalidParameter(
        f"handle {handle!r} taken",
        fr=f"L'identifiant « {handle} » est déjà pris ou demandé : choisissez-en un autre.",
        en=f"The username '{handle}' is already taken or asked for: choose another one.",
    )


async def ask(store: Store, name: str, handle: str, contact: str, message: str) -> int:
    """Keep a request (its fields checked first); its number."""
    name, handle, contact, message = checked(name, handle, contact, message)
    async with store.write() as db:
        if await local_actors.exists(db, handle) or await signup_requests.handle_asked(db, handle):
            raise taken(handle)
        if await signup_requests.pending_count(db) >= MAX_PENDING:
            raise InvalidParameter(
                "too many requests waiting",
                fr="L'équipe du lieu a beaucoup de demandes en attente : revenez dans quelques "
                "jours, ou passez au lieu.",
                en="The place's team has many requests waiting: come back in a few days, or "
                "drop by the place.",
            )
        return await signup_requests.add(db, name, handle, contact, message, time.time())


def _request(row: sqlite3.Row) -> Request:
    return Request(int(row["id"]), str(row["name"]), str(row["handle"]), str(row["contact"]),
                   str(row["message"]), float(row["created_at"]))  # fmt: skip


async def waiting(store: Store) -> list[Request]:
    return [_request(r) for r in await signup_requests.pending(store.reads)]


async def pending_count(store: Store) -> int:
    return await signup_requests.pending_count(store.reads)


def no_longer_waiting() -> InvalidParameter:
    return InvalidParameter(
        "signup request not pending",
        fr="Cette demande d'adhésion n'attend plus de décision (déjà traitée) : rien n'a été "
        "changé.",
        en="This request to join no longer waits for a decision (already handled): nothing "
        "was changed.",
    )


async def accept(
    store: Store, config: NodeConfig, request_id: int, by: str
) -> tuple[Request, str, invitations.Invitation]:
    """The member made (their actor and account) and their first link: the request as it was
    (with its contact, now emptied in the table), the token shown once, its invitation."""
    async with store.write() as db:
        row = await signup_requests.find_pending(db, request_id)
        if row is None:
            raise no_longer_waiting()
        asked = _request(row)
        if await local_actors.exists(db, asked.handle):
            raise taken(asked.handle)
        await local.create(db, config, asked.handle, asked.name, "Person")
        await signup_requests.decide(db, request_id, ACCEPTED, by, "", time.time())
    token, invitation = await invitations.invite(store, asked.handle)
    return asked, token, invitation


async def refuse(store: Store, request_id: int, by: str, reason: str) -> None:
    async with store.write() as db:
        if not await signup_requests.decide(db, request_id, REFUSED, by, reason, time.time()):
            raise no_longer_waiting()

"""The one-time link a place's team hands a member (`/invitation/<token>`), printed by
`interlieux member invite`: the member opens it, chooses a password, and is signed in.

No e-mail server is assumed: the team gives the link by hand (a message, a QR code). It
serves once, for `VALID` at most; a new link for the same member replaces the older ones. For
an account that already has a password, the link is a reset: the new password replaces it and
every open session of the account is closed. Whatever the link's purpose, the account's
passkeys end with its use (a reset is what the team hands a member whose phone was stolen):
only the password or passkey chosen through the link remains.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from ..errors import NotFoundError
from ..store import Store
from ..tables import accounts as account_rows
from ..tables import invitations, passkeys, sessions
from ..tokens import token_hash
from . import accounts

VALID = 7 * 86400  # seconds an invitation link works
JOIN, RESET = "join", "reset"


@dataclass(frozen=True)
class Invitation:
    id: int
    handle: str
    purpose: str  # JOIN or RESET
    expires_at: float


def link(base_url: str, token: str) -> str:
    return f"{base_url}/invitation/{token}"


async def invite(
    store: Store, handle: str, roles: frozenset[str] | None = None
) -> tuple[str, Invitation]:
    """A new link for a local member (their account made if missing; `roles` set when given):
    the token, shown once, and the invitation."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    async with store.write() as db:
        account = await accounts.ensure(db, handle, roles)
        purpose = RESET if account.has_password else JOIN
        await invitations.add(db, token_hash(token), handle, purpose, now, now + VALID)
        row = await invitations.valid(db, token_hash(token), now)
    assert row is not None
    return token, Invitation(int(row["id"]), handle, purpose, float(row["expires_at"]))


async def find(store: Store, token: str) -> Invitation | None:
    """The invitation of a link if it may still serve."""
    if not token or len(token) > 100:
        return None
    row = await invitations.valid(store.reads, token_hash(token), time.time())
    if row is None:
        return None
    return Invitation(int(row["id"]), str(row["handle"]), str(row["purpose"]),
                      float(row["expires_at"]))  # fmt: skip


def gone() -> NotFoundError:
    return NotFoundError(
        "invitation used, replaced or expired",
        fr="Ce lien n'est plus valable : il a déjà servi, a été remplacé par un plus récent ou "
        "a expiré. Demandez-en un nouveau à l'équipe du lieu.",
        en="This link is no longer valid: it was already used, replaced by a newer one, or "
        "expired. Ask the place's team for a new one.",
    )


async def accept(store: Store, token: str, password: str, confirmation: str) -> str:
    """Choose the password through the link, once; the account's handle. The account's passkeys
    end, and a reset closes every open session of the account (a lost phone stays signed out)."""
    invitation = await find(store, token)
    if invitation is None:
        raise gone()
    accounts.check_password(password, confirmation)
    hashed = await accounts.hash_password(password)
    now = time.time()
    async with store.write() as db:
        if not await invitations.use(db, invitation.id, now):
            raise gone()  # the same link, submitted twice at once
        await account_rows.set_password(db, invitation.handle, hashed, now)
        await passkeys.remove_all(db, invitation.handle)
        await sessions.close_all(db, invitation.handle, now)
    return invitation.handle

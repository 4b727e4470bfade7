"""Passkeys (WebAuthn) beside passwords: a member registers one from /moi or from their
invitation link, and signs in with it on /connexion without typing anything (discoverable
credentials: the browser offers the keys it holds for this site).

The relying party is the node: its id is the base URL's host without the port, the origin
the base URL itself. Each challenge is kept server-side, in the node's memory, bound to what
the browser already holds: the session (a signed-in member adding a key) or the form's
double-submit token (the invitation and sign-in pages, before any session). A challenge
serves once, for `CHALLENGE_AGE` at most; a node restart forgets them (the page is reloaded).
Attestation is not asked for (`none`): a place trusts its members, not their phone's maker.
"""

from __future__ import annotations

import json
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..config import NodeConfig
from ..errors import AuthError
from ..store import Store
from ..tables import accounts as account_rows
from ..tables import invitations as invitation_rows
from ..tables import passkeys, sessions
from . import invitations

CHALLENGE_AGE = 300  # seconds a ceremony may take, from the options to the answer
MAX_PENDING = 10_000  # challenges a node keeps at once (the oldest go first)
TIMEOUT_MS = CHALLENGE_AGE * 1000  # what the browser is told
LABEL_CHARS = 60
MAX_CREDENTIAL = 16_000  # bytes of a credential's JSON (attestation none: about 1 kB)
REGISTER, SIGN_IN = "register", "sign-in"
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class Passkey:
    id: int
    label: str
    created_at: float
    last_used_at: float | None


@dataclass(frozen=True)
class Pending:
    purpose: str
    handle: str | None  # whose key is being registered; None for a sign-in
    challenge: bytes
    expires_at: float


class Challenges:
    """The challenges a node handed out and not yet seen back, each under the key of what
    the browser holds (a session's or a form's token)."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], Pending] = {}

    def issue(self, purpose: str, bound_to: str, handle: str | None, now: float) -> bytes:
        challenge = secrets.token_bytes(32)
        key = (purpose, bound_to)
        self._pending.pop(key, None)  # a newer ceremony replaces an unfinished one
        while len(self._pending) >= MAX_PENDING:
            del self._pending[next(iter(self._pending))]
        self._pending[key] = Pending(purpose, handle, challenge, now + CHALLENGE_AGE)
        return challenge

    def take(self, purpose: str, bound_to: str, now: float) -> Pending | None:
        """The pending challenge, once: a second answer to it finds nothing."""
        pending = self._pending.pop((purpose, bound_to), None)
        if pending is None or pending.expires_at <= now:
            return None
        return pending


_BY_NODE: weakref.WeakKeyDictionary[object, Challenges] = weakref.WeakKeyDictionary()


def challenges_of(node: object) -> Challenges:
    """The challenges of one running node (several run in one process in the tests)."""
    if node not in _BY_NODE:
        _BY_NODE[node] = Challenges()
    return _BY_NODE[node]


def rp_id(config: NodeConfig) -> str:
    """The relying party id: the base URL's host, without the port (pure)."""
    return (urlsplit(config.base_url).hostname or "").lower()


def refused() -> AuthError:
    return AuthError(
        "passkey refused",
        fr="Cette clé d'accès n'a pas été acceptée. Réessayez, ou connectez-vous avec votre mot "
        "de passe ; sinon demandez un nouveau lien à l'équipe du lieu.",
        en="This passkey was not accepted. Try again, or sign in with your password; otherwise "
        "ask the place's team for a new link.",
    )


def _row(row: Any) -> Passkey:
    used = row["last_used_at"]
    return Passkey(int(row["id"]), str(row["label"]), float(row["created_at"]),
                   float(used) if used is not None else None)  # fmt: skip


async def of_member(store: Store, handle: str) -> list[Passkey]:
    return [_row(r) for r in await passkeys.of_handle(store.reads, handle)]


async def remove(store: Store, handle: str, passkey_id: int) -> bool:
    async with store.write() as db:
        return await passkeys.remove(db, handle, passkey_id)


async def registration_options(
    store: Store, config: NodeConfig, challenges: Challenges, handle: str, bound_to: str
) -> str:
    """The options for navigator.credentials.create, as JSON: a discoverable key, user
    verification preferred, the member's existing keys excluded."""
    existing = await passkeys.of_handle(store.reads, handle)
    options = generate_registration_options(
        rp_id=rp_id(config),
        rp_name=config.name,
        user_name=f"{handle}@{config.host}",
        user_id=handle.encode(),  # public already: the handle is in the member's address
        user_display_name=f"@{handle}@{config.host}",
        challenge=challenges.issue(REGISTER, bound_to, handle, time.time()),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(r["credential_id"])) for r in existing
        ],
    )
    return options_to_json(options)


def _credential(text: Any) -> dict[str, Any]:
    if not isinstance(text, dict) or len(json.dumps(text)) > MAX_CREDENTIAL:
        raise refused()
    return text


def check_label(label: str) -> str:
    label = " ".join(label.split())[:LABEL_CHARS]
    return label or "clé d'accès"


async def _verified_registration(
    config: NodeConfig, challenges: Challenges, bound_to: str, credential: Any
) -> tuple[str, Any, str]:
    pending = challenges.take(REGISTER, bound_to, time.time())
    if pending is None or pending.handle is None:
        raise refused()
    credential = _credential(credential)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=pending.challenge,
            expected_rp_id=rp_id(config),
            expected_origin=config.base_url,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise refused() from error
    given = credential.get("response", {}).get("transports") or []
    transports = ",".join(t for t in given if isinstance(t, str) and t in _TRANSPORTS)
    return pending.handle, verified, transports


async def register(
    store: Store, config: NodeConfig, challenges: Challenges, bound_to: str, credential: Any,
    label: str,
) -> Passkey:  # fmt: skip
    """Check the browser's answer to the options and keep the new key."""
    handle, verified, transports = await _verified_registration(
        config, challenges, bound_to, credential
    )
    now = time.time()
    async with store.write() as db:
        added = await passkeys.add(db, verified.credential_id, handle,
                                   verified.credential_public_key, verified.sign_count,
                                   transports, check_label(label), now)  # fmt: skip
        row = await passkeys.by_credential(db, verified.credential_id)
    if not added or row is None:
        raise refused()  # that authenticator's key is someone's already
    return _row(row)


async def join(
    store: Store, config: NodeConfig, challenges: Challenges, token: str, bound_to: str,
    credential: Any, label: str,
) -> str:  # fmt: skip
    """An invitation link accepted with a passkey instead of a password: the key kept and the
    account's other passkeys ended, the link used; for a reset link, every open session
    closed. The account's handle."""
    invitation = await invitations.find(store, token)
    if invitation is None:
        raise invitations.gone()
    handle, verified, transports = await _verified_registration(
        config, challenges, bound_to, credential
    )
    if handle != invitation.handle:
        raise refused()
    now = time.time()
    async with store.write() as db:
        if not await invitation_rows.use(db, invitation.id, now):
            raise invitations.gone()
        ended = await passkeys.remove_all(db, handle)  # a stolen phone's key with them
        if not await passkeys.add(db, verified.credential_id, handle,
                                  verified.credential_public_key, verified.sign_count,
                                  transports, check_label(label), now):  # fmt: skip
            raise refused()  # rolled back with the link's use
        if invitation.purpose == invitations.RESET or ended:
            await sessions.close_all(db, handle, now)
    return handle


def authentication_options(config: NodeConfig, challenges: Challenges, bound_to: str) -> str:
    """The options for navigator.credentials.get: no list of keys (discoverable credentials:
    the browser offers the keys it holds for this site, and nobody learns who has one)."""
    options = generate_authentication_options(
        rp_id=rp_id(config),
        challenge=challenges.issue(SIGN_IN, bound_to, None, time.time()),
        timeout=TIMEOUT_MS,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options)


def credential_key(credential: Any) -> str:
    """What a failed sign-in is charged to when the key's owner is unknown (pure)."""
    raw = credential.get("id") if isinstance(credential, dict) else None
    return f"passkey:{str(raw)[:100]}"


async def owner(store: Store, credential: Any) -> str | None:
    """The handle a credential's key belongs to, if it is registered here."""
    try:
        raw = base64url_to_bytes(str(_credential(credential).get("rawId", "")))
    except (ValueError, AuthError):
        return None
    row = await passkeys.by_credential(store.reads, raw) if raw else None
    return str(row["handle"]) if row else None


def _same_user(credential: dict[str, Any], handle: str) -> bool:
    """The user handle the authenticator gave back, when it gives one, is the key's owner's
    (WebAuthn §7.2 step 6) (pure)."""
    given = credential.get("response", {}).get("userHandle")
    if not given:
        return True
    try:
        return base64url_to_bytes(str(given)) == handle.encode()
    except ValueError:
        return False


async def sign_in(
    store: Store, config: NodeConfig, challenges: Challenges, bound_to: str, credential: Any
) -> str:
    """The handle whose key signed the challenge; AuthError for a key unknown here, a
    challenge not ours, expired or already answered, a bad signature, or a sign count that
    did not move forward (a cloned authenticator, a replay)."""
    pending = challenges.take(SIGN_IN, bound_to, time.time())
    credential = _credential(credential)
    try:
        raw = base64url_to_bytes(str(credential.get("rawId", "")))
    except ValueError as error:
        raise refused() from error
    row = await passkeys.by_credential(store.reads, raw) if raw else None
    if pending is None or row is None:
        raise refused()
    if await account_rows.by_handle(store.reads, str(row["handle"])) is None:
        raise refused()
    if not _same_user(credential, str(row["handle"])):
        raise refused()
    old_count = int(row["sign_count"])
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=pending.challenge,
            expected_rp_id=rp_id(config),
            expected_origin=config.base_url,
            credential_public_key=bytes(row["public_key"]),
            credential_current_sign_count=old_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise refused() from error
    async with store.write() as db:
        if not await passkeys.used(db, int(row["id"]), old_count, verified.new_sign_count,
                                   time.time()):  # fmt: skip
            raise refused()  # the same key, used twice at once
    return str(row["handle"])

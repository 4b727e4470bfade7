"""`/equipe/membres`: the place's members and what the team does for each, the same domain
calls as `interlieux member invite|roles`, `badge issue|revoke` and `credit sell`.

- the list, with roles; an invitation (a new member, or an account without a password yet)
  whose one-time link is shown once, with its QR code, to hand over;
- roles: the team gives `door` and `team`; only an administrator gives or takes `admin`, and
  nobody takes it from the last administrator (checked in the transaction that changes it);
- a member's page (`/equipe/membres/<handle>`): a badge issued (its QR code to print on a card
  sheet, its `BIL1:` text and the NDEF message to write on the card, shown once: the signed
  bytes are the member's, the node keeps only the grant's id and bindings), a badge revoked (the
  peers are told, as the CLI does), credit sold, and a password reset link.

A page that shows a secret once (a link, a badge) is the POST's own answer, not a redirect,
kept by no cache; every other form redirects back with a confirmation.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reader import ndef

from ...access import badge
from ...actors import local
from ...actors.routes import node_of
from ...config import HANDLE_PATTERN, check_handle
from ...errors import ConfigError, ForbiddenError, InterlieuxError, NotFoundError
from ...ledger import credit
from ...ledger.money import display, to_cents
from ...people import accounts, invitations
from ...tables import accounts as account_rows
from ...tables import credit_accounts, grants, local_actors, passkeys, sessions
from .. import i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, local_time, render
from ..visitor import Member
from .actions import confirmation, done

MAX_DAYS = 3 * 365  # the longest validity the page offers for a badge (the CLI has no bound)
DEFAULT_DAYS = 365  # as `interlieux badge issue`
GIVEN_ROLES = (accounts.ADMIN, accounts.TEAM, accounts.DOOR)  # member is implicit

DONE = {
    "roles": "Rôles enregistrés.",
    "revoque": "Badge révoqué ; les lieux pairs sont prévenus.",
    "credit": "Crédit vendu.",
    "cles": "Clés d'accès retirées ; les sessions du membre sont fermées.",
}

i18n.english(
    {
        "Les membres du lieu": "The place's members",
        "Identifiant": "Username",
        "Nom": "Name",
        "Rôles": "Roles",
        "Mot de passe": "Password",
        "choisi": "chosen",
        "pas encore": "not yet",
        "Inviter un membre": "Invite a member",
        "Identifiant (lettres, chiffres, tirets)": "Username (letters, digits, dashes)",
        "Nom affiché": "Display name",
        "Créer le lien d'invitation": "Create the invitation link",
        "Lien à remettre": "Link to hand over",
        "Ce lien sert une seule fois, jusqu'au": "This link works once, until",
        "Remettez-le en main propre (message, QR code) : il remplace les liens précédents.": (
            "Hand it over in person (message, QR code): it replaces earlier links."
        ),
        "Copier le lien": "Copy the link",
        "Lien copié.": "Link copied.",
        "Copier le texte": "Copy the text",
        "Texte copié.": "Text copied.",
        "QR code du lien": "QR code of the link",
        "Rôles enregistrés.": "Roles saved.",
        "Badge révoqué ; les lieux pairs sont prévenus.": "Badge revoked; peer places are told.",
        "Crédit vendu.": "Credit sold.",
        "Clés d'accès retirées ; les sessions du membre sont fermées.": (
            "Passkeys removed; the member's sessions are closed."
        ),
        "Clés d'accès": "Passkeys",
        "Clés d'accès enregistrées": "Passkeys registered",
        "Si le membre a perdu un appareil, retirez ses clés : il se reconnecte avec son mot de "
        "passe ou un lien de réinitialisation, puis ajoute une nouvelle clé.": (
            "If the member lost a device, remove their passkeys: they sign in again with their "
            "password or a reset link, then add a new passkey."
        ),
        "Retirer toutes les clés d'accès": "Remove all passkeys",
        "Laissé vide : le compte du membre, ou un nouveau compte au nom tiré au hasard (c-…), "
        "qui ne dit pas qui le tient.": (
            "Left empty: the member's account, or a new account with a random name (c-…) that "
            "does not say who holds it."
        ),
        "Enregistrer les rôles": "Save the roles",
        "Badges": "Badges",
        "Aucun badge délivré.": "No badge issued.",
        "Délivré le": "Issued on",
        "Valable jusqu'au": "Valid until",
        "État": "State",
        "actif": "active",
        "révoqué": "revoked",
        "Révoquer": "Revoke",
        "Délivrer un badge": "Issue a badge",
        "UID de la carte (hexadécimal, facultatif)": "Card UID (hexadecimal, optional)",
        "Lu sur la carte par le lecteur ; sans lui, le badge ne sert qu'en QR code.": (
            "Read from the card by the reader; without it, the badge works as a QR code only."
        ),
        "Validité (jours)": "Validity (days)",
        "Compte de crédit qui paie les passages (facultatif)": (
            "Credit account that pays for visits (optional)"
        ),
        "Délivrer le badge": "Issue the badge",
        "Badge délivré": "Badge issued",
        "Imprimer la carte": "Print the card",
        "Le texte du badge": "The badge's text",
        "Le message NDEF à écrire sur la carte": "The NDEF message to write on the card",
        "Un enregistrement MIME": "A MIME record",
        "à importer dans NXP TagWriter ou NFC Tools, puis à écrire sur une carte NTAG215/216 "
        "ou Type 4.": (
            "to import into NXP TagWriter or NFC Tools, then write on an NTAG215/216 or Type 4 "
            "card."
        ),
        "Télécharger le fichier NDEF": "Download the NDEF file",
        "Ce badge n'est montré qu'une fois : imprimez-le ou écrivez-le sur la carte maintenant.": (
            "This badge is shown once only: print it or write it on the card now."
        ),
        "QR code du badge": "QR code of the badge",
        "Retour au membre": "Back to the member",
        "Vendre du crédit": "Sell credit",
        "Compte": "Account",
        "Montant payé": "Amount paid",
        "Devise": "Currency",
        "Découvert toléré aux portes": "Overdraft allowed at the doors",
        "Laissé vide : un compte existant garde le sien ; un nouveau compte prend celui du "
        "réseau du lieu, et le suit quand le réseau le change :": (
            "Left empty: an existing account keeps its own; a new account takes the place's "
            "network's, and follows it when the network changes it:"
        ),
        "Laissé vide : un compte existant garde le sien ; un nouveau compte n'en a pas (0).": (
            "Left empty: an existing account keeps its own; a new account has none (0)."
        ),
        "Vendre": "Sell",
        "Comptes de crédit": "Credit accounts",
        "Disponible": "Available",
        "Lien de réinitialisation du mot de passe": "Password reset link",
        "Un nouveau lien remplace les précédents ; le membre y choisit un nouveau mot de passe "
        "et ses autres sessions sont fermées.": (
            "A new link replaces earlier ones; the member chooses a new password there and "
            "their other sessions are closed."
        ),
        "Créer un lien": "Create a link",
        "Créer un lien d'invitation": "Create an invitation link",
        "Adresse": "Address",
        "Fiche du membre": "Member's page",
        "membre": "member",
        "accueil à la porte": "door welcome",
        "équipe": "team",
        "administration": "administration",
    }
)


@dataclass(frozen=True)
class Row:
    handle: str
    name: str
    roles: list[str]  # French role names held, most to least
    has_password: bool | None  # None: no account yet


def _role_names(roles: frozenset[str]) -> list[str]:
    held = accounts.held(roles)
    return [accounts.ROLE_NAMES[r] for r in accounts.ROLES if r in held]


async def _rows(request: Request) -> list[Row]:
    reads = node_of(request).store.reads
    by_handle = {str(r["handle"]): r for r in await account_rows.listing(reads)}
    found = []
    for actor in await local_actors.listing(reads):
        if actor["type"] != "Person":
            continue
        account = by_handle.get(str(actor["handle"]))
        roles = accounts.parse_roles(str(account["roles"])) if account else frozenset()
        found.append(Row(str(actor["handle"]), str(actor["name"]), _role_names(roles),
                         bool(account["has_password"]) if account else None))  # fmt: skip
    return found


def qr_svg(text: str) -> str:
    """A QR code as inline SVG markup, scaled by CSS (pure; `text` is ours to encode)."""
    return str(segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=True))


def _may_give(member: Member, roles: frozenset[str], before: frozenset[str]) -> None:
    """Only an administrator gives or takes the admin role (pure)."""
    if (accounts.ADMIN in roles) != (accounts.ADMIN in before) and not member.holds(accounts.ADMIN):
        raise ForbiddenError(
            "only an admin changes the admin role",
            fr="Seul·e un·e administrateur·rice peut donner ou retirer le rôle « administration ».",
            en="Only an administrator may give or take the 'administration' role.",
        )


async def _may_link(request: Request, member: Member, handle: str) -> None:
    """Only an administrator makes a sign-in link for an administrator's account: the link
    sets its password, so it would hand the team the admin role."""
    account = await accounts.find(node_of(request).store.reads, handle)
    if account and accounts.ADMIN in account.roles and not member.holds(accounts.ADMIN):
        raise ForbiddenError(
            "only an admin makes a link for an admin account",
            fr="Seul·e un·e administrateur·rice peut créer un lien de connexion pour un compte "
            "« administration ».",
            en="Only an administrator may make a sign-in link for an 'administration' account.",
        )


def _roles_of(form: dict[str, str]) -> frozenset[str]:
    return frozenset(r for r in GIVEN_ROLES if form.get(f"role_{r}") == "on")


# --- the list and invitations ----------------------------------------------------------------


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _list_page(request)


async def _list_page(request: Request, status: int = 200, **context: Any) -> Response:
    return await render(
        request, "team/members.html", status=status, rows=await _rows(request),
        given=GIVEN_ROLES, role_names=accounts.ROLE_NAMES,
        done=confirmation(request, DONE), **context,
    )  # fmt: skip


@requires(accounts.TEAM)
async def invite(request: Request) -> Response:
    """POST /equipe/membres: a member created if new, and their one-time link, shown once."""
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    handle = form.get("handle", "").strip().lower().removeprefix("@")
    name = form.get("name", "").strip()
    roles = _roles_of(form)
    typed = {"handle": handle, "name": name, "roles": roles}
    try:
        check_handle(handle)
        _may_give(member, roles, frozenset())
        if not await local_actors.exists(node.store.reads, handle):
            if not name:
                raise ConfigError(
                    "a new member needs a name",
                    fr="Indiquez le nom du nouveau membre (celui que verront les autres).",
                    en="Give the new member's name (the one others will see).",
                )
            async with node.store.write() as db:
                await local.create(db, node.config, handle, name, "Person")
        # An account that exists keeps its roles: they change on its own page, where the
        # last administrator is guarded.
        known = await accounts.find(node.store.reads, handle) is not None
        await _may_link(request, member, handle)
        token, invitation = await invitations.invite(node.store, handle, None if known else roles)
    except InterlieuxError as error:
        return await _list_page(request, 400, error=error.message(language(request)),
                                typed=typed)  # fmt: skip
    return no_store(await _list_page(request, link=_link(request, token, invitation),
                                         typed={}))  # fmt: skip


@dataclass(frozen=True)
class Link:
    handle: str
    url: str
    until: datetime | None
    reset: bool
    qr: str


def _link(request: Request, token: str, invitation: invitations.Invitation) -> Link:
    node = node_of(request)
    url = invitations.link(node.config.base_url, token)
    until = local_time(datetime.fromtimestamp(invitation.expires_at, UTC), node.config.timezone)
    return Link(invitation.handle, url, until, invitation.purpose == invitations.RESET,
                qr_svg(url))  # fmt: skip


# --- one member ------------------------------------------------------------------------------


async def _person(request: Request) -> local.LocalActor:
    node = node_of(request)
    handle = request.path_params["handle"]
    row = await local_actors.by_handle(node.store.reads, handle)
    if row is None or row["type"] != "Person":
        raise NotFoundError(
            f"no member {handle!r}",
            fr=f"Aucun membre « {handle} » dans ce lieu : voyez la liste des membres.",
            en=f"No member '{handle}' at this place: see the list of members.",
        )
    return await local.by_handle(node.store, handle)


@dataclass(frozen=True)
class Badge:
    grant_id: str
    issued: datetime | None
    expires: datetime | None
    revoked: bool


@dataclass(frozen=True)
class Holding:
    account: str
    left: str


async def _member_page(request: Request, status: int = 200, **context: Any) -> Response:
    node = node_of(request)
    try:
        person = await _person(request)
    except NotFoundError as error:
        return await refused(request, error)
    reads = node.store.reads
    zone = node.config.timezone
    account = await accounts.find(reads, person.handle)
    badges = [
        Badge(g.grant_id, local_time(datetime.fromtimestamp(g.issued_at, UTC), zone),
              local_time(datetime.fromtimestamp(g.expires, UTC), zone), g.revoked_at is not None)
        for g in await grants.of_member(reads, person.id)
    ]  # fmt: skip
    holdings = []
    for name in await credit_accounts.of_member(reads, person.id):
        held = await credit_accounts.holding(reads, name)
        if held is not None:
            holdings.append(Holding(name, display(held[2], held[0], language(request))))
    keys = await passkeys.count(reads, person.handle)
    default = await credit.default_overdraft(reads, "EUR")
    return await render(
        request, "team/member.html", status=status, person=person, passkeys=keys,
        address=f"@{person.handle}@{node.config.host}",
        roles=account.roles if account else frozenset(), has_account=account is not None,
        has_password=bool(account and account.has_password), given=GIVEN_ROLES,
        role_names=accounts.ROLE_NAMES, badges=badges, holdings=holdings,
        default_days=DEFAULT_DAYS, max_days=MAX_DAYS, done=confirmation(request, DONE),
        typed=context.pop("typed", {}),
        network_overdraft=display(default[1], "EUR", language(request)) if default else None,
        **context,
    )  # fmt: skip


@requires(accounts.TEAM)
async def member_page(request: Request) -> Response:
    return await _member_page(request)


async def _acting_on(
    request: Request,
) -> tuple[Member, dict[str, str], local.LocalActor] | Response:
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    try:
        person = await _person(request)
    except NotFoundError as error:
        return await refused(request, error)
    return member, form, person


def _here(person: local.LocalActor) -> str:
    return f"/equipe/membres/{person.handle}"


@requires(accounts.TEAM)
async def set_roles(request: Request) -> Response:
    """POST /equipe/membres/<handle>/roles: the roles ticked replace the account's."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    member, form, person = got
    node = node_of(request)
    roles = _roles_of(form)
    try:
        async with node.store.write() as db:
            before = await accounts.find(db, person.handle)
            held = before.roles if before else frozenset()
            _may_give(member, roles, held)
            await accounts.ensure(db, person.handle, roles)
            # Counted in the same transaction: two administrators taking the role from each
            # other at once must not leave the place with none.
            stepping_down = accounts.ADMIN in held and accounts.ADMIN not in roles
            if stepping_down and await account_rows.count_holding(db, accounts.ADMIN) == 0:
                raise ForbiddenError(
                    "the last admin keeps the role",
                    fr="C'est le dernier compte « administration » du lieu : donnez d'abord ce "
                    "rôle à quelqu'un d'autre.",
                    en="This is the place's last 'administration' account: give the role to "
                    "someone else first.",
                )
    except InterlieuxError as error:
        return await _member_page(request, 403 if isinstance(error, ForbiddenError) else 400,
                                  error=error.message(language(request)))  # fmt: skip
    return done(_here(person), "roles")


@requires(accounts.TEAM)
async def reset_link(request: Request) -> Response:
    """POST /equipe/membres/<handle>/lien: a one-time link (invitation or password reset)."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    member, person = got[0], got[2]
    try:
        await _may_link(request, member, person.handle)
        token, invitation = await invitations.invite(node_of(request).store, person.handle)
    except InterlieuxError as error:
        return await _member_page(request, error.status, error=error.message(language(request)))
    return no_store(await _member_page(request, link=_link(request, token, invitation)))


@requires(accounts.TEAM)
async def remove_passkeys(request: Request) -> Response:
    """POST /equipe/membres/<handle>/cles: every passkey of the account ended and its sessions
    closed (a stolen phone). Like a link, not for an admin's account unless by an admin."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    member, person = got[0], got[2]
    try:
        await _may_link(request, member, person.handle)
    except InterlieuxError as error:
        return await _member_page(request, error.status, error=error.message(language(request)))
    now = time.time()
    async with node_of(request).store.write() as db:
        await passkeys.remove_all(db, person.handle)
        await sessions.close_all(db, person.handle, now)
    return done(_here(person), "cles")


# --- badges ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A badge just issued, as the CLI prints and writes it."""

    grant_id: str
    text: str  # BIL1:…
    qr: str  # inline SVG
    ndef_hex: str
    ndef_data_url: str
    mime_type: str
    size: int


def issued_view(issued: badge.Issued) -> Issued:
    """What the page shows of a new badge (pure): the NDEF message, not the bare grant, is
    what card-writing apps import and what the door reads back (as `badge issue --out`)."""
    message = ndef.grant_message(issued.data)
    encoded = base64.b64encode(message).decode()
    return Issued(
        issued.grant_id, issued.text, qr_svg(issued.text), message.hex(" ").upper(),
        f"data:application/octet-stream;base64,{encoded}", ndef.GRANT_MIME_TYPE.decode(),
        len(issued.data),
    )  # fmt: skip


def _card_uid(text: str | None) -> bytes | None:
    """The card's UID as the reader shows it (`04:A2:24…`, spaces allowed), or None (pure)."""
    if text is None:
        return None
    try:
        return bytes.fromhex(text.replace(":", "").replace(" ", ""))
    except ValueError as exc:
        raise ConfigError(
            f"card UID {text!r} is not hexadecimal",
            fr=f"L'UID de carte « {text} » doit être en hexadécimal (par ex. 04A224B2C31580).",
            en=f"The card UID '{text}' must be hexadecimal (e.g. 04A224B2C31580).",
        ) from exc


def _days(text: str) -> int:
    try:
        days = int(text.strip() or DEFAULT_DAYS)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ConfigError(
            f"badge validity {text!r} out of range",
            fr=f"La validité d'un badge se compte en jours, de 1 à {MAX_DAYS}.",
            en=f"A badge's validity is a number of days, from 1 to {MAX_DAYS}.",
        )
    return days


@requires(accounts.TEAM)
async def issue(request: Request) -> Response:
    """POST /equipe/membres/<handle>/badge: `badge issue`; the badge is shown once."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    form, person = got[1], got[2]
    typed = {k: form.get(k, "") for k in ("card_uid", "days", "credit_account")}
    try:
        uid = _card_uid(form.get("card_uid", "").strip() or None)
        days = _days(form.get("days", ""))
        account = form.get("credit_account", "").strip() or None
        issued = await badge.issue_badge(node_of(request), person.handle, uid, days, account)
    except InterlieuxError as error:
        return await _member_page(request, 400, error=error.message(language(request)),
                                  typed=typed)  # fmt: skip
    return no_store(await render(
        request, "team/badge.html", person=person, badge=issued_view(issued),
        place=node_of(request).config.name,
    ))  # fmt: skip


@requires(accounts.TEAM)
async def revoke(request: Request) -> Response:
    """POST /equipe/membres/<handle>/badge/revoquer: `badge revoke --grant`, peers told."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    form, person = got[1], got[2]
    node = node_of(request)
    grant_id = form.get("grant", "")
    try:
        if await grants.member_of(node.store.reads, grant_id) != person.id:
            raise NotFoundError(
                f"{grant_id} is not a badge of {person.handle}",
                fr="Ce badge n'est pas l'un de ceux de ce membre : rechargez la page.",
                en="This badge is not one of this member's: reload the page.",
            )
        await badge.revoke(node, grant_id)
    except InterlieuxError as error:
        return await _member_page(request, 400, error=error.message(language(request)))
    return done(_here(person), "revoque")


# --- credit ----------------------------------------------------------------------------------


def _account_name(text: str) -> str:
    """A credit account's name as this page accepts it: a handle's letters, since it travels to
    the peers' doors in every balance (pure; the CLI takes any text)."""
    if not HANDLE_PATTERN.match(text):
        raise ConfigError(
            f"credit account name {text!r}",
            fr=f"Nom de compte « {text} » non valable : lettres minuscules, chiffres, « _ », "
            "« . » ou « - » (par ex. metropole ou alice).",
            en=f"Account name '{text}' not valid: lower-case letters, digits, '_', '.' or '-' "
            "(e.g. metropole or alice).",
        )
    return text


@requires(accounts.TEAM)
async def sell_credit(request: Request) -> Response:
    """POST /equipe/membres/<handle>/credit: `credit sell` to an account the member spends."""
    got = await _acting_on(request)
    if isinstance(got, Response):
        return got
    form, person = got[1], got[2]
    typed = {k: form.get(k, "") for k in ("account", "amount", "currency", "overdraft")}
    try:
        # Left empty: the member's account, else a new one whose name says nothing of them.
        held = await credit_accounts.of_member(node_of(request).store.reads, person.id)
        typed_name = form.get("account", "").strip()
        account = (
            _account_name(typed_name)
            if typed_name
            else (held[0] if held else credit.new_account_name())
        )
        to_cents(form.get("amount", ""))
        await credit.sell(
            node_of(request), account, [person.handle], form.get("amount", ""),
            form.get("currency", "").strip() or "EUR", form.get("overdraft", "").strip() or None,
        )  # fmt: skip
    except InterlieuxError as error:
        return await _member_page(request, 400, error=error.message(language(request)),
                                  typed=typed)  # fmt: skip
    return done(_here(person), "credit")


ROUTES = [
    Route("/equipe/membres", page),
    Route("/equipe/membres", invite, methods=["POST"]),
    Route("/equipe/membres/{handle}", member_page),
    Route("/equipe/membres/{handle}/roles", set_roles, methods=["POST"]),
    Route("/equipe/membres/{handle}/lien", reset_link, methods=["POST"]),
    Route("/equipe/membres/{handle}/cles", remove_passkeys, methods=["POST"]),
    Route("/equipe/membres/{handle}/badge", issue, methods=["POST"]),
    Route("/equipe/membres/{handle}/badge/revoquer", revoke, methods=["POST"]),
    Route("/equipe/membres/{handle}/credit", sell_credit, methods=["POST"]),
]

"""`/equipe/portes`: the place's doors (badge readers). The door role sees them; the team
enrols one (a token of scope `door`, shown once, as `interlieux token --scope door` does) and
retires one (its token revoked: the reader is refused at once, its key leaves the bundle).
Each door shows its key (bound when the reader first starts with the token), when it last
fetched the trust bundle, its last tap; the page ends with the last taps of every door."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables, tokens
from ...access.grant import REASONS_EN, REASONS_FR
from ...actors.names import ERASED_NAME, names_of
from ...actors.routes import node_of
from ...errors import ConfigError, InterlieuxError, NotFoundError
from ...people import accounts
from .. import gate, i18n
from ..gate import forbidden_role, member_form, refused, requires
from ..headers import no_store
from ..render import language, render
from .actions import done
from .operations import at

LAST_TAPS = 20  # taps listed at the end of the page
LABEL_MAX = 60

i18n.english(
    {
        ERASED_NAME: "erased account",
        "Portes": "Doors",
        "Les lecteurs de badges du lieu. Chaque lecteur a son jeton ; à son premier "
        "démarrage, il crée sa clé et la lie au jeton.": (
            "The place's badge readers. Each reader has its token; when it first starts, it "
            "makes its key and binds it to the token."
        ),
        "Porte": "Door",
        "Clé": "Key",
        "Dernier contact": "Last seen",
        "Dernier passage": "Last tap",
        "pas encore inscrite": "not enrolled yet",
        "jamais": "never",
        "retirée le": "retired on",
        "Retirer cette porte": "Retire this door",
        "Aucune porte pour l'instant.": "No door yet.",
        "Inscrire une porte": "Enrol a door",
        "Nom de la porte (pour vous la rappeler)": "Door's name (to remind you)",
        "Par exemple : entrée rue, atelier.": "For example: street entrance, workshop.",
        "Créer le jeton de la porte": "Create the door's token",
        "Jeton de la porte": "The door's token",
        "Copiez-le maintenant : il ne sera plus jamais affiché. Donnez-le au lecteur, par "
        "exemple :": (
            "Copy it now: it will never be shown again. Give it to the reader, for example:"
        ),
        "Derniers passages": "Last taps",
        "Aucun passage pour l'instant.": "No tap yet.",
        "Décision": "Decision",
        "Membre": "Member",
        "entrée": "let in",
        "refus": "refused",
        "Porte retirée : son lecteur est refusé dès maintenant.": (
            "Door retired: its reader is refused from now on."
        ),
        "paquet de confiance reçu le": "trust bundle fetched on",
        "inscrite le": "enrolled on",
    }
)


def _door_token(found: Any) -> bool:
    return bool(found.scope == tokens.DOOR)


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    node = node_of(request)
    lang = language(request)
    reasons = REASONS_EN if lang == "en" else REASONS_FR
    reads = node.store.reads
    contacts = await tables.door_contacts.listing(reads)
    last_taps = await tables.taps.last_by_door(reads)
    doors = [
        {"id": d.id, "label": d.label, "door": d.door, "key": d.door_key,
         "enrolled": at(request, d.enrolled_at), "retired": at(request, d.revoked_at),
         "bundle": at(request, contacts.get(d.id)),
         "tap": at(request, last_taps.get(d.door)) if d.door else None}
        for d in reversed(await tokens.listing(node.store)) if _door_token(d)
    ]  # fmt: skip
    recent = await tables.taps.recent(reads, LAST_TAPS)
    people = await names_of(reads, {t.member for t in recent if t.member})
    taps = [
        {"when": at(request, tap.decided_at), "door": tap.door,
         "accepted": tap.decision == "accept", "reason": reasons.get(tap.reason, tap.reason),
         "member": people.get(tap.member, "") if tap.member else ""}
        for tap in recent
    ]  # fmt: skip
    member = await gate.member(request)
    return await render(request, "team/doors.html", status=status, doors=doors, taps=taps,
                        manage=member.holds(accounts.TEAM), node_url=node.config.base_url,
                        flag=request.query_params.get("fait"), **context)  # fmt: skip


@requires(accounts.DOOR)
async def page(request: Request) -> Response:
    return await _page(request)


async def _team_form(request: Request) -> dict[str, str]:
    """The form of a POST only the team may make (the door role sees the page only)."""
    if not (await gate.member(request)).holds(accounts.TEAM):
        raise forbidden_role(accounts.TEAM)
    _, form = await member_form(request)
    return form


@requires(accounts.DOOR)
async def enrol(request: Request) -> Response:
    """POST: a new door token, shown on the answer once (never stored in clear)."""
    node = node_of(request)
    try:
        form = await _team_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    label = " ".join(form.get("label", "").split())[:LABEL_MAX]
    if not label:
        unnamed = ConfigError("door without a name", fr="Donnez un nom à la porte.",
                              en="Give the door a name.")  # fmt: skip
        return await _page(request, 400, error=unnamed.message(language(request)))
    secret = await tokens.issue(node.store, node.config.handle, label, tokens.DOOR)
    return no_store(await _page(request, new_token=secret, new_label=label))


@requires(accounts.DOOR)
async def retire(request: Request) -> Response:
    """POST: revoke a door's token (what `interlieux token --revoke` does), a door's only."""
    node = node_of(request)
    try:
        form = await _team_form(request)
        token_id = int(form.get("id", "0") or 0)
        if not any(t.id == token_id and _door_token(t) for t in await tokens.listing(node.store)):
            raise NotFoundError(
                f"no door token {token_id}",
                fr="Cette porte n'existe pas : rechargez la page des portes.",
                en="This door does not exist: reload the doors page.",
            )
        await tokens.revoke(node.store, token_id)
    except ValueError:
        return await refused(request, NotFoundError("bad door id", fr="Porte inconnue.",
                                                    en="Unknown door."))  # fmt: skip
    except InterlieuxError as error:
        return await refused(request, error)
    return done("/equipe/portes", "retiree")

"""`/equipe/lieu` (administrators): the place's public details and its settings, as the
`place` and `badge policy` commands set them, by forms.

- name and summary (the place's actor), address, opening hours (schema.org's `Mo-Fr
  09:00-18:00`), e-mail, telephone, website: saved with `directory.place.save_details`, then
  the followers are sent an `Update` of the actor (`place.announce_change`), as the CLI does;
- the services (machines and spaces) with their prices by autonomy level: one line per price,
  `Type ; Name ; Level ; Price ; Unit`, checked against the `Offer` shape;
- the door policy (card required, the place's members let in by a door cut off from its node)
  and the sites allowed to embed the widgets, and whether `/network` shows a map: settings of
  the team, told to nobody (the doors read the policy in their next trust bundle).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...access import policy
from ...actors import local
from ...actors.routes import node_of
from ...directory import place
from ...errors import ConfigError, InterlieuxError, InvalidParameter
from ...people import accounts
from ...tables import embed_sites, local_actors, place_details, place_settings
from .. import i18n
from ..gate import member_form, refused, requires
from ..headers import check_site
from ..render import language, render
from .actions import confirmation, done

OFFER_TYPES = {"Equipment": "Machine ou outil", "Space": "Espace"}
KEPT = ("geo", "icon")  # details the CLI sets that this form does not show
MAX_NAME = 100  # characters of the place's name (an actor's name, shown in every header)
MAX_SUMMARY = 2000

DONE = {
    "details": "Informations enregistrées ; les abonnés du lieu reçoivent la mise à jour.",
    "reglages": "Réglages enregistrés.",
}

i18n.english(
    {
        "Informations enregistrées ; les abonnés du lieu reçoivent la mise à jour.": (
            "Details saved; the place's followers get the update."
        ),
        "Réglages enregistrés.": "Settings saved.",
        "Les informations du lieu": "The place's details",
        "Nom du lieu": "Name of the place",
        "Présentation": "Presentation",
        "Adresse": "Address",
        "Rue": "Street",
        "Code postal": "Postal code",
        "Ville": "City",
        "Pays": "Country",
        "Horaires d'ouverture": "Opening hours",
        "Au format schema.org, par ex. Mo-Fr 09:00-18:00; Sa 10:00-13:00": (
            "In schema.org's form, e.g. Mo-Fr 09:00-18:00; Sa 10:00-13:00"
        ),
        "Courriel": "E-mail",
        "Téléphone": "Telephone",
        "Site web": "Website",
        "Services et tarifs": "Services and prices",
        "Une ligne par tarif : Type ; Nom ; Niveau d'autonomie ; Prix ; Unité. Type : Machine "
        "ou Espace. Par ex. « Machine ; Imprimante 3D ; découverte ; 5 ; l'heure ».": (
            "One line per price: Type; Name; Autonomy level; Price; Unit. Type: Machine or "
            "Space. E.g. 'Machine; 3D printer; discovery; 5; per hour'."
        ),
        "Devise des tarifs": "Currency of the prices",
        "Enregistrer et publier": "Save and publish",
        "Réglages": "Settings",
        "Carte exigée aux portes (un QR code seul est refusé)": (
            "Card required at the doors (a QR code alone is refused)"
        ),
        "Lecteur sans nouvelles de son nœud : laisser entrer les membres du lieu": (
            "Reader cut off from its node: let the place's members in"
        ),
        "Carte du réseau sur la page Réseau (fonds de carte OpenStreetMap)": (
            "Network map on the Network page (OpenStreetMap tiles)"
        ),
        "Sites autorisés à intégrer les widgets": "Sites allowed to embed the widgets",
        "Un site par ligne, par ex. https://mon-site.fr ; aucun : tous les sites.": (
            "One site per line, e.g. https://my-site.example; none: every site."
        ),
        "Enregistrer les réglages": "Save the settings",
    }
)


# --- the services' lines (pure) --------------------------------------------------------------


def _bad_line(number: int, text: str) -> InvalidParameter:
    return InvalidParameter(
        f"offer line {number} unreadable: {text!r}",
        fr=f"Ligne {number} des services illisible : « {text} ». Écrivez Type ; Nom ; Niveau "
        "d'autonomie ; Prix ; Unité, par ex. « Machine ; Imprimante 3D ; découverte ; 5 ; "
        "l'heure ».",
        en=f"Line {number} of the services is unreadable: '{text}'. Write Type; Name; "
        "Autonomy level; Price; Unit, e.g. 'Machine; 3D printer; discovery; 5; per hour'.",
    )


def offers_from_lines(text: str, currency: str) -> list[dict[str, Any]]:
    """`Machine ; Imprimante 3D ; découverte ; 5 ; l'heure` lines as offers, one per machine
    or space with its prices in the order typed (pure)."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) < 4 or not parts[1] or not parts[2]:
            raise _bad_line(number, line)
        kind = next((k for k, label in OFFER_TYPES.items()
                     if parts[0].lower() in (k.lower(), label.lower(), label.split()[0].lower())),
                    None)  # fmt: skip
        try:
            price = Decimal(parts[3].replace(",", "."))
        except InvalidOperation as exc:
            raise _bad_line(number, line) from exc
        if kind is None or not price.is_finite() or price < 0:
            raise _bad_line(number, line)
        offer = by_name.setdefault((kind, parts[1]), {"type": kind, "name": parts[1],
                                                      "pricing": []})  # fmt: skip
        pricing: dict[str, Any] = {"autonomyLevel": parts[2],
                                   "price": int(price) if price == int(price) else float(price),
                                   "priceCurrency": currency}  # fmt: skip
        if len(parts) > 4 and parts[4]:
            pricing["unitText"] = parts[4]
        offer["pricing"].append(pricing)
    return list(by_name.values())


def offers_to_lines(offers: Any) -> tuple[str, str]:
    """The offers as the form's lines, and their currency (pure)."""
    lines, currency = [], "EUR"
    for offer in offers if isinstance(offers, list) else []:
        label = OFFER_TYPES.get(str(offer.get("type")), str(offer.get("type"))).split()[0]
        for price in offer.get("pricing") or []:
            currency = str(price.get("priceCurrency") or currency)
            line = f"{label} ; {offer.get('name', '')} ; {price.get('autonomyLevel', '')} ; "
            line += f"{price.get('price', '')}"
            if price.get("unitText"):
                line += f" ; {price['unitText']}"
            lines.append(line)
    return "\n".join(lines), currency


def details_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The place's details from its form (pure): an empty field is left out."""
    details: dict[str, Any] = {}
    address = {
        "streetAddress": form.get("street", "").strip(),
        "postalCode": form.get("postal_code", "").strip(),
        "addressLocality": form.get("city", "").strip(),
        "addressCountry": form.get("country", "").strip(),
    }
    if any(address.values()):
        details["address"] = {k: v for k, v in address.items() if v}
    for field, name in (("openingHours", "opening_hours"), ("email", "email"),
                        ("telephone", "telephone"), ("url", "website")):  # fmt: skip
        if form.get(name, "").strip():
            details[field] = form[name].strip()
    currency = form.get("currency", "").strip().upper() or "EUR"
    offers = offers_from_lines(form.get("offers", ""), currency)
    if offers:
        details["offers"] = offers
    return details


def form_from_details(name: str, summary: str, details: dict[str, Any]) -> dict[str, str]:
    address = details.get("address") or {}
    lines, currency = offers_to_lines(details.get("offers"))
    return {
        "name": name, "summary": summary,
        "street": address.get("streetAddress", ""), "postal_code": address.get("postalCode", ""),
        "city": address.get("addressLocality", ""), "country": address.get("addressCountry", ""),
        "opening_hours": details.get("openingHours", ""), "email": details.get("email", ""),
        "telephone": details.get("telephone", ""), "website": details.get("url", ""),
        "offers": lines, "currency": currency,
    }  # fmt: skip


# --- the pages -------------------------------------------------------------------------------


async def _page(request: Request, status: int = 200, **more: Any) -> Response:
    node = node_of(request)
    actor = await local.by_handle(node.store, node.config.handle)
    details = await place.details(node.store, node.config.handle)
    rules = await policy.load(node.store)
    shown = await place_settings.value(node.store.reads, place_settings.MAP)
    typed = more.pop("typed", None) or form_from_details(actor.name, actor.summary, details)
    return await render(
        request, "team/place.html", status=status, typed=typed, rules=rules,
        map_shown=shown == "oui", sites="\n".join(await embed_sites.every(node.store.reads)),
        done=confirmation(request, DONE), **more,
    )  # fmt: skip


@requires(accounts.ADMIN)
async def page(request: Request) -> Response:
    return await _page(request)


def _name_and_summary(form: dict[str, str]) -> tuple[str, str]:
    name, summary = form.get("name", "").strip(), form.get("summary", "").strip()
    if not name or len(name) > MAX_NAME or len(summary) > MAX_SUMMARY:
        raise ConfigError(
            "place name empty or too long",
            fr=f"Le nom du lieu est obligatoire ({MAX_NAME} caractères au plus) ; la "
            f"présentation tient en {MAX_SUMMARY} caractères.",
            en=f"The place's name is required ({MAX_NAME} characters at most); the "
            f"presentation fits in {MAX_SUMMARY} characters.",
        )
    return name, summary


@requires(accounts.ADMIN)
async def save_details(request: Request) -> Response:
    """POST /equipe/lieu: `interlieux place …` — saved, then the actor's Update sent."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    handle = node.config.handle
    try:
        name, summary = _name_and_summary(form)
        details = details_from_form(form)
        async with node.store.write() as db:
            await local_actors.describe(db, handle, name, summary)
            # `save_details` merges with what was there: a field emptied in the form must go,
            # so only what the form does not show (geo, icon) is kept before the merge.
            before = await place_details.of(db, handle)
            await place_details.put(db, handle, {k: v for k, v in before.items() if k in KEPT})
            await place.save_details(db, handle, details)
        await place.announce_change(node, await local.by_handle(node.store, handle))
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)), typed=form)
    return done("/equipe/lieu", "details")


@requires(accounts.ADMIN)
async def save_settings(request: Request) -> Response:
    """POST /equipe/lieu/reglages: `badge policy`, `place --embed-sites`, `place --map`."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        sites = [check_site(line) for line in form.get("sites", "").splitlines() if line.strip()]
        await policy.set_card_required(node.store, form.get("card_required") == "on")
        await policy.set_stale_own_members(node.store, form.get("stale_own_members") == "on")
        async with node.store.write() as db:
            await embed_sites.replace(db, sites)
            await place_settings.put(db, place_settings.MAP,
                                     "oui" if form.get("map") == "on" else "non")  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)))
    return done("/equipe/lieu", "reglages")


ROUTES = [
    Route("/equipe/lieu", page),
    Route("/equipe/lieu", save_details, methods=["POST"]),
    Route("/equipe/lieu/reglages", save_settings, methods=["POST"]),
]

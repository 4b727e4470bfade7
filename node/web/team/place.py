"""`/equipe/lieu` (administrators): the place's public details and its settings, as the
`place` and `badge policy` commands set them, by forms a team fills in without a manual.

- name and summary (the place's actor), address, e-mail, telephone, website; the opening hours
  as a week's grid (each day « fermé » or a morning and an afternoon range), published as
  schema.org's compact text (`directory.hours`); the services (machines and spaces) as rows,
  one per price (type, name, autonomy level, price, unit), with empty rows to add one without
  a script: saved with `directory.place.save_details`, then the followers are sent an `Update`
  of the actor (`place.announce_change`), as the CLI does;
- the door policy (card required, the place's members let in by a door cut off from its node)
  and the sites allowed to embed the widgets, and whether `/network` shows a map: settings of
  the team, told to nobody (the doors read the policy in their next trust bundle).

A refused form comes back as typed, with the message naming the day or the row to correct and
linking to its input. The CLI and client-to-server publishing still take schema.org's text.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...access import policy
from ...actors import local
from ...actors.routes import node_of
from ...directory import hours, place
from ...errors import ConfigError, InterlieuxError, InvalidField
from ...ledger import money
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
# The `Offer` and `Pricing` shapes' limits (vocab/shapes.json), said here row by row.
ROW_LIMITS = (("name", 300, "le nom", "le", "the name"),
              ("level", 100, "le niveau", "le", "the level"),
              ("unit", 50, "l'unité", "la", "the unit"))  # fmt: skip
EMPTY_ROWS = 3  # empty service rows under the saved ones: adding works without a script
ROW_PARTS = ("type", "name", "level", "price", "unit")
ROW_FIELD = re.compile(r"offer-(\d{1,3})-(type|name|level|price|unit)")

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
        "Pour chaque jour : « fermé », ou l'heure d'ouverture et l'heure de fermeture. Le lieu "
        "ferme à midi ? Remplissez le matin et l'après-midi. Un jour sans heure est fermé.": (
            "For each day: 'closed', or the opening and the closing time. The place closes for "
            "lunch? Fill in the morning and the afternoon. A day without times is closed."
        ),
        "Une partie des horaires enregistrés ne tient pas dans cette grille :": (
            "Part of the saved opening hours does not fit this grid:"
        ),
        "Elle est gardée tant que la grille reste telle quelle ; modifier la grille la "
        "remplace.": "It is kept while the grid stays as it is; changing the grid replaces it.",
        "fermé": "closed",
        "de": "from",
        "à": "to",
        "Courriel": "E-mail",
        "Téléphone": "Telephone",
        "Site web": "Website",
        "Services et tarifs": "Services and prices",
        "Un tarif par ligne : la machine ou l'espace, le niveau d'autonomie demandé, le prix et "
        "son unité (5 par heure). Plusieurs tarifs pour une même machine : répétez son nom. "
        "Pour retirer un tarif, videz sa ligne ; une ligne vide est ignorée.": (
            "One price per row: the machine or space, the autonomy level required, the price "
            "and its unit (5 per hour). Several prices for one machine: repeat its name. To "
            "remove a price, empty its row; an empty row is left out."
        ),
        "Tarif": "Price",
        "Type": "Type",
        "choisir…": "choose…",
        "Machine ou outil": "Machine or tool",
        "Espace": "Space",
        "Nom": "Name",
        "Niveau d'autonomie": "Autonomy level",
        "découverte": "discovery",
        "accompagné": "assisted",
        "autonome": "autonomous",
        "Prix": "Price",
        "Unité (heure, jour…)": "Unit (hour, day…)",
        "Ajouter une ligne": "Add a row",
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


i18n.english({hours.DAY_NAMES[day]: hours.DAY_NAMES_EN[day] for day in hours.DAYS})
i18n.english(dict(zip(hours.PARTS, hours.PARTS_EN, strict=True)))


# --- the week's grid and the services' rows (pure) ------------------------------------------


def _hours_text(value: Any) -> str:
    """The stored `openingHours`: a text, or a list of texts from a client (schema.org allows
    several values)."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _time(day: str, n: int, end: str, typed: str) -> str:
    name, part = hours.DAY_NAMES[day], hours.PARTS[n - 1]
    name_en, part_en = hours.DAY_NAMES_EN[day], hours.PARTS_EN[n - 1]
    field = f"hours-{day}-{n}-{end}"
    what, what_en = (("l'heure d'ouverture", "the opening time") if end == "opens"
                     else ("l'heure de fermeture", "the closing time"))  # fmt: skip
    if not typed:
        raise InvalidField(
            f"{day} range {n}: {end} missing",
            field=field,
            fr=f"{name.capitalize()}, {part} : indiquez aussi {what} (ou effacez l'autre heure).",
            en=f"{name_en}, {part_en}: give {what_en} too (or clear the other time).",
        )
    found = hours.time_of(typed)
    if found is None:
        raise InvalidField(
            f"{day} range {n}: {typed!r} is not a time",
            field=field,
            fr=f"{name.capitalize()}, {part} : « {typed} » n'est pas une heure ; écrivez-la "
            "comme 09:00 ou 14:30.",
            en=f"{name_en}, {part_en}: '{typed}' is not a time; write it as 09:00 or 14:30.",
        )
    return found


def week_from_form(form: dict[str, str]) -> dict[str, hours.Hours]:
    """The grid as a week (pure): a day ticked « fermé », or with no time typed, is closed;
    InvalidField names the day and the time to correct, with the input's id."""
    week: dict[str, hours.Hours] = {}
    for day in hours.DAYS:
        closed = form.get(f"hours-{day}-closed") == "on"
        ranges: list[hours.Range | None] = []
        for n in range(1, len(hours.PARTS) + 1):
            opens = form.get(f"hours-{day}-{n}-opens", "").strip()
            closes = form.get(f"hours-{day}-{n}-closes", "").strip()
            if not opens and not closes:
                ranges.append(None)
                continue
            if closed:
                name = hours.DAY_NAMES[day]
                raise InvalidField(
                    f"{day} closed with hours",
                    field=f"hours-{day}-closed",
                    fr=f"{name.capitalize()} est coché « fermé » mais a des heures : décochez "
                    "« fermé » ou effacez les heures.",
                    en=f"{hours.DAY_NAMES_EN[day]} is ticked 'closed' but has times: untick "
                    "'closed' or clear the times.",
                )
            ranges.append((_time(day, n, "opens", opens), _time(day, n, "closes", closes)))
        try:
            found = hours.day_hours(day, ranges)
        except InvalidField as error:
            raise InvalidField(error.log, field=f"hours-{error.field}", fr=error.fr,
                               en=error.en) from error  # fmt: skip
        if found:
            week[day] = found
    return week


def form_of_week(week: hours.Week) -> dict[str, str]:
    """A week as the grid's fields (pure): a day with no range is ticked « fermé »."""
    fields: dict[str, str] = {}
    for day in hours.DAYS:
        ranges = week.get(day, ())
        if not ranges:
            fields[f"hours-{day}-closed"] = "on"
        for n, (opens, closes) in enumerate(ranges, start=1):
            fields[f"hours-{day}-{n}-opens"], fields[f"hours-{day}-{n}-closes"] = opens, closes
    return fields


def opening_hours(form: dict[str, str], before: Any) -> str:
    """The `openingHours` text to publish (pure): the grid written as schema.org's, unless the
    text saved `before` says what the grid cannot (a public holiday, a third range) and the
    grid was left as that text showed it, in which case the text stays as it was."""
    week = week_from_form(form)
    text = _hours_text(before)
    shown = hours.parse(text)
    return text if shown.unread and week == shown.week else hours.write(week)


def offer_rows(form: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    """The form's service rows by number (pure): `offer-2-name` is the name of row 2."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        found = ROW_FIELD.fullmatch(key)
        if found:
            rows.setdefault(int(found.group(1)), {})[found.group(2)] = value.strip()
    return sorted(rows.items())


def _bad_row(number: int, name: str, field: str, fr: str, en: str) -> InvalidField:
    named = f" (« {name} »)" if name else ""
    named_en = f" ('{name}')" if name else ""
    return InvalidField(
        f"offer row {number}: {en}",
        field=f"offer-{number}-{field}",
        fr=f"Tarif {number}{named} : {fr}",
        en=f"Price {number}{named_en}: {en}",
    )


def _price(number: int, name: str, typed: str) -> int | float:
    amount = typed.replace("€", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not amount:
        raise _bad_row(number, name, "price",
                       "indiquez le prix, par ex. 5 ou 2,50 (0 si c'est gratuit).",
                       "give the price, e.g. 5 or 2.50 (0 if it is free).")  # fmt: skip
    not_a_price = _bad_row(number, name, "price",
                           f"« {typed} » n'est pas un prix ; écrivez un nombre, par ex. 5 ou "
                           "2,50 (0 si c'est gratuit).",
                           f"'{typed}' is not a price; write a number, e.g. 5 or 2.50 (0 if it "
                           "is free).")  # fmt: skip
    try:
        cents = money.to_cents(amount)
    except InterlieuxError as error:
        raise not_a_price from error
    if cents < 0:
        raise not_a_price
    return cents // 100 if cents % 100 == 0 else cents / 100


def offers_from_rows(
    rows: list[tuple[int, dict[str, str]]], currency: str, before: Any
) -> list[dict[str, Any]]:
    """The service rows as offers, one per machine or space with its prices in the rows'
    order (pure). A row with no name, price nor unit is ignored (the empty rows the form adds);
    any other must be whole: InvalidField names the row and the input to correct. What the
    form does not show is kept from the offers saved `before`: an offer's description or
    category, and the offers that have no price."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for number, row in rows:
        name, typed, unit = row.get("name", ""), row.get("price", ""), row.get("unit", "")
        if not (name or typed or unit):
            continue
        kind, level = row.get("type", ""), row.get("level", "")
        if not name:
            raise _bad_row(
                number, name, "name",
                "donnez le nom du service (ou videz la ligne pour l'ignorer).",
                "give the service's name (or empty the row to leave it out).",
            )  # fmt: skip
        if kind not in OFFER_TYPES:
            raise _bad_row(number, name, "type", "choisissez le type : machine ou espace.",
                           "choose the type: machine or space.")  # fmt: skip
        if not level:
            raise _bad_row(number, name, "level", "choisissez le niveau d'autonomie.",
                           "choose the autonomy level.")  # fmt: skip
        for part, limit, fr, pronoun, en in ROW_LIMITS:
            if len(row.get(part, "")) > limit:
                raise _bad_row(number, name, part,
                               f"{fr} dépasse {limit} caractères : raccourcissez-{pronoun}.",
                               f"{en} is longer than {limit} characters: shorten it.")  # fmt: skip
        pricing: dict[str, Any] = {"autonomyLevel": level, "price": _price(number, name, typed),
                                   "priceCurrency": currency}  # fmt: skip
        if unit:
            pricing["unitText"] = unit
        offer = by_name.setdefault((kind, name), {"type": kind, "name": name, "pricing": []})
        offer["pricing"].append(pricing)
    unpriced = []
    for old in before if isinstance(before, list) else []:
        if not isinstance(old, dict):
            continue
        key = (str(old.get("type")), str(old.get("name")))
        if key in by_name:
            by_name[key].update({k: v for k, v in old.items() if k not in by_name[key]})
        elif not old.get("pricing"):
            unpriced.append(old)
    return [*by_name.values(), *unpriced]


def _price_shown(value: Any) -> str:
    """A saved price as a French team types it: `5`, `2,50`."""
    try:
        cents = money.to_cents(str(value))
    except InterlieuxError:
        return str(value)
    shown = money.from_cents(cents)
    return shown.removesuffix(".00").replace(".", ",")


def rows_of_offers(offers: Any) -> tuple[list[dict[str, str]], str]:
    """The offers as the form's rows, one per price, and their currency (pure)."""
    rows: list[dict[str, str]] = []
    currency = "EUR"
    for offer in offers if isinstance(offers, list) else []:
        for price in offer.get("pricing") or []:
            currency = str(price.get("priceCurrency") or currency)
            rows.append({
                "type": str(offer.get("type", "")), "name": str(offer.get("name", "")),
                "level": str(price.get("autonomyLevel", "")),
                "price": _price_shown(price.get("price", "")),
                "unit": str(price.get("unitText", "")),
            })  # fmt: skip
    return rows, currency


def _currency(typed: str) -> str:
    try:
        return money.check_currency(typed or "EUR")
    except InterlieuxError as error:
        raise InvalidField(error.log, field="currency", fr=error.fr, en=error.en) from error


def details_from_form(form: dict[str, str], before: dict[str, Any]) -> dict[str, Any]:
    """The place's details from its form (pure): an empty field is left out; `before`, the
    details saved, gives what the form keeps without showing (see `opening_hours` and
    `offers_from_rows`)."""
    details: dict[str, Any] = {}
    address = {
        "streetAddress": form.get("street", "").strip(),
        "postalCode": form.get("postal_code", "").strip(),
        "addressLocality": form.get("city", "").strip(),
        "addressCountry": form.get("country", "").strip(),
    }
    if any(address.values()):
        details["address"] = {k: v for k, v in address.items() if v}
    text = opening_hours(form, before.get("openingHours"))
    if text:
        details["openingHours"] = text
    for field, name in (("email", "email"), ("telephone", "telephone"), ("url", "website")):
        if form.get(name, "").strip():
            details[field] = form[name].strip()
    currency = _currency(form.get("currency", "").strip())
    offers = offers_from_rows(offer_rows(form), currency, before.get("offers"))
    if offers:
        details["offers"] = offers
    return details


def form_from_details(name: str, summary: str, details: dict[str, Any]) -> dict[str, str]:
    """The form as the saved details fill it (pure): the week's grid, one service row per
    price and `EMPTY_ROWS` empty ones to add services."""
    address = details.get("address") or {}
    rows, currency = rows_of_offers(details.get("offers"))
    form = {
        "name": name, "summary": summary,
        "street": address.get("streetAddress", ""), "postal_code": address.get("postalCode", ""),
        "city": address.get("addressLocality", ""), "country": address.get("addressCountry", ""),
        "email": details.get("email", ""), "telephone": details.get("telephone", ""),
        "website": details.get("url", ""), "currency": currency,
    }  # fmt: skip
    form |= form_of_week(hours.parse(_hours_text(details.get("openingHours"))).week)
    for number, row in enumerate([*rows, *({} for _ in range(EMPTY_ROWS))], start=1):
        for field in ROW_PARTS:
            form[f"offer-{number}-{field}"] = row.get(field, "")
    return form


def row_numbers(typed: dict[str, str]) -> list[int]:
    """The service rows the page shows: those of the form (as typed, or as prefilled)."""
    return [number for number, _ in offer_rows(typed)] or list(range(1, EMPTY_ROWS + 1))


def levels_of(typed: dict[str, str]) -> list[str]:
    """The autonomy levels to choose from: the vocabulary's, then any other the rows use."""
    used = [row.get("level", "") for _, row in offer_rows(typed)]
    return [*place.AUTONOMY_LEVELS,
            *dict.fromkeys(v for v in used if v and v not in place.AUTONOMY_LEVELS)]  # fmt: skip


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
        done=confirmation(request, DONE),
        days=[(day, hours.DAY_NAMES[day]) for day in hours.DAYS],
        parts=list(enumerate(hours.PARTS, start=1)),
        hours_unread=hours.parse(_hours_text(details.get("openingHours"))).unread,
        rows=row_numbers(typed), levels=levels_of(typed), offer_types=OFFER_TYPES, **more,
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
        async with node.store.write() as db:
            before = await place_details.of(db, handle)
            details = details_from_form(form, before)
            await local_actors.describe(db, handle, name, summary)
            # `save_details` merges with what was there: a field emptied in the form must go,
            # so only what the form does not show (geo, icon) is kept before the merge.
            await place_details.put(db, handle, {k: v for k, v in before.items() if k in KEPT})
            await place.save_details(db, handle, details)
        await place.announce_change(node, await local.by_handle(node.store, handle))
    except InterlieuxError as error:
        return await _page(
            request,
            400,
            error=error.message(language(request)),
            typed=form,
            error_field=error.field if isinstance(error, InvalidField) else None,
        )
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

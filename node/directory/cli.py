"""The place team's commands for the public face: `place`, `resident`, `profile`, `publish`,
`project interests` (how many people follow each published project; names only of those who
agreed to be introduced, as on `/equipe/projets`).

`publish` posts a document exactly as the outbox would (same checks, same delivery queue), so
that a team without a client can still publish an event, a need or a pledge from a JSON file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..actors import local
from ..config import NodeConfig
from ..context import Command, Node, Runner
from ..errors import InvalidActivity
from ..outbox.publish import Outgoing, publish_outgoing
from ..tables import embed_sites, place_settings
from ..tables import residents as residents_table
from ..web.headers import check_site
from . import interests, media, place, residents


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("place", help="les informations publiques du lieu")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--street", help="adresse (rue)")
    p.add_argument("--postal-code")
    p.add_argument("--city", help="ville")
    p.add_argument("--region")
    p.add_argument("--country", default=None)
    p.add_argument("--latitude", type=float)
    p.add_argument("--longitude", type=float)
    p.add_argument("--opening-hours", help='ex. "Mo-Fr 09:00-18:00"')
    p.add_argument("--email")
    p.add_argument("--telephone")
    p.add_argument("--website", help="site web du lieu, ex. https://mon-lieu.fr")
    p.add_argument("--icon", help="image du lieu : fichier PNG, JPEG, GIF ou WebP, ou adresse web")
    p.add_argument("--offers", type=Path, help="fichier JSON des machines et espaces proposés")
    p.add_argument(
        "--embed-sites", nargs="*", metavar="SITE",
        help="seuls ces sites (ex. https://mon-site.fr) peuvent intégrer les widgets du lieu ; "
        "sans adresse : tous les sites (par défaut)",
    )  # fmt: skip
    p.add_argument(
        "--map", choices=["oui", "non"],
        help="carte du réseau sur la page /network (oui : les navigateurs des visiteurs "
        "chargent les fonds de carte d'OpenStreetMap ; non par défaut)",
    )  # fmt: skip

    p = sub.add_parser("resident", help="valider ou lister les résidents (résidentothèque)")
    rsub = p.add_subparsers(dest="resident_command", required=True)
    r = rsub.add_parser("accept", help="valider un résident")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--handle", help="identifiant d'un membre de ce nœud")
    r.add_argument("--actor", help="ou l'adresse d'un membre d'un autre nœud")
    r = rsub.add_parser("reject", help="refuser une demande (ou retirer un résident)")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--handle", help="identifiant d'un membre de ce nœud")
    r.add_argument("--actor", help="ou l'adresse d'un membre d'un autre nœud")
    r.add_argument("--reason", default="", help="motif envoyé au membre")
    r = rsub.add_parser("list", help="résidents validés et demandes en attente")
    r.add_argument("--data", required=True, type=Path)

    p = sub.add_parser("profile", help="le profil d'un membre et la visibilité de chaque champ")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--handle", required=True)
    p.add_argument("--skill", action="append", help="compétence, ex. sk:soudure (répétable)")
    p.add_argument("--availability")
    p.add_argument("--project", action="append", help="projet porté (répétable)")
    p.add_argument(
        "--visibility", action="append", default=[], metavar="CHAMP=NIVEAU",
        help="ex. skill=public, availability=network, projects=private",
    )  # fmt: skip

    p = sub.add_parser("project", help="les projets publiés du lieu")
    psub = p.add_subparsers(dest="project_command", required=True)
    r = psub.add_parser(
        "interests",
        help="combien de personnes s'intéressent à chaque projet (nommées : seulement celles "
        "qui acceptent d'être présentées)",
    )
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--json", action="store_true")

    p = sub.add_parser("publish", help="publier un événement, un besoin ou un engagement (JSON)")
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--actor", help="compte qui publie (par défaut : le lieu)")
    p.add_argument("file", type=Path, help="fichier JSON (ActivityStreams)")


def cmd_place(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    details: dict[str, Any] = {}
    address = {
        "streetAddress": args.street, "postalCode": args.postal_code,
        "addressLocality": args.city, "addressRegion": args.region,
        "addressCountry": args.country,
    }  # fmt: skip
    if any(address.values()):
        details["address"] = {k: v for k, v in address.items() if v}
    if args.latitude is not None or args.longitude is not None:
        details["geo"] = {"latitude": args.latitude, "longitude": args.longitude}
    for field, value in (("openingHours", args.opening_hours), ("email", args.email),
                         ("telephone", args.telephone)):  # fmt: skip
        if value:
            details[field] = value
    if args.website:
        details["url"] = args.website
    if args.icon:
        details["icon"] = _icon(config, args.icon)
    if args.offers:
        details["offers"] = _json_file(args.offers)
    sites = None if args.embed_sites is None else [check_site(s) for s in args.embed_sites]

    async def work(node: Node) -> tuple[dict[str, Any], int, list[str]]:
        actor = await local.by_handle(node.store, config.handle)
        async with node.store.write() as db:
            await place.save_details(db, config.handle, details)
            if sites is not None:  # a setting of the team, not on the actor: nobody is told
                await embed_sites.replace(db, sites)
            if args.map is not None:
                await place_settings.put(db, place_settings.MAP, args.map)
        told = await place.announce_change(node, actor) if details else 0
        allowed = await embed_sites.every(node.store.reads)
        return await place.details(node.store, config.handle), told, allowed

    saved, told, allowed = run(config, work)
    print("Informations du lieu enregistrées :")
    print(json.dumps(saved, ensure_ascii=False, indent=2))
    if details:
        print(f"Mise à jour envoyée aux abonnés ({told} serveur{'s' if told > 1 else ''}).")
    if args.map is not None:
        shown = "affichée, fonds de carte OpenStreetMap" if args.map == "oui" else "non affichée"
        print(f"Carte du réseau (/network) : {shown}")
    if sites is not None:
        print("Widgets (/embed) intégrables par : "
              + (", ".join(allowed) if allowed else "tous les sites"))  # fmt: skip


def _icon(config: NodeConfig, given: str) -> dict[str, str]:
    if given.startswith(("https://", "http://")):
        return {"url": given}
    name, media_type = media.save(config.data_dir, Path(given))
    return {"url": f"{config.base_url}/media/{name}", "mediaType": media_type}


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidActivity(
            f"cannot read {path}: {exc}",
            fr=f"Impossible de lire {path} : {exc}. Le fichier doit contenir du JSON.",
            en=f"Cannot read {path}: {exc}. The file must hold JSON.",
        ) from exc


def cmd_resident(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    if args.resident_command == "list":

        async def listing(node: Node) -> list[Any]:
            return await residents_table.listing(node.store.reads)

        rows = run(config, listing)
        if not rows:
            print("Aucun résident ni demande en attente.")
        labels = {"pending": "en attente de validation", "accepted": "validé"}
        for row in rows:
            print(f"{labels.get(row['state'], row['state'])}\t{row['actor']}")
        return
    verb = args.resident_command
    if not (args.handle or args.actor):
        raise InvalidActivity(
            f"resident {verb} needs --handle or --actor",
            fr="Indiquez le membre : --handle (membre de ce nœud) ou --actor (adresse).",
            en="Say which member: --handle (member of this node) or --actor (URL).",
        )

    async def work(node: Node) -> str:
        place = await local.by_handle(node.store, config.handle)
        member_id = args.actor or (await local.by_handle(node.store, args.handle)).id
        async with node.store.write() as db:
            if verb == "reject":
                await residents.refuse(db, node, place, member_id, args.reason)
            else:
                await residents.accept(db, node, place, member_id)
        return str(member_id)

    member_id = run(config, work)
    print(
        f"Demande refusée : {member_id}" if verb == "reject" else f"Résident validé : {member_id}"
    )


def cmd_profile(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    values: dict[str, Any] = {}
    if args.skill:
        values["skill"] = args.skill
    if args.availability:
        values["availability"] = args.availability
    if args.project:
        values["projects"] = args.project
    visibility: dict[str, str] = {}
    for item in args.visibility:
        field, _, level = item.partition("=")
        visibility[field.strip()] = level.strip()

    async def work(node: Node) -> dict[str, Any]:
        member = await local.by_handle(node.store, args.handle)
        async with node.store.write() as db:
            for field, value in values.items():
                await residents.set_field(
                    db, member.handle, field, value, visibility.get(field, "private")
                )
            for field, level in visibility.items():
                if field not in values:
                    await residents.set_visibility(db, member.handle, field, level)
            await residents.publish_profile(db, node, member)
        return await residents.public_profile(node.store, member)

    public = run(config, work)
    print("Profil enregistré. Partie publique :")
    print(json.dumps(public, ensure_ascii=False, indent=2))


def cmd_publish(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)
    body = _json_file(args.file)

    async def work(node: Node) -> Outgoing:
        actor = await local.by_handle(node.store, args.actor or config.handle)
        return await publish_outgoing(node, actor, body)

    out = run(config, work)
    print(reach_report(out.activity["type"], len(out.inboxes), len(out.local)))
    obj = out.activity.get("object")
    print(obj["id"] if isinstance(obj, dict) else out.activity["id"])


def reach_report(kind: str, inboxes: int, local_accounts: int) -> str:
    """What a publish did, said plainly: a team must not believe a post reached followers
    when it was queued for nobody."""
    if inboxes == 0 and local_accounts == 0:
        return (
            f"Publié ({kind}), mais envoyé à personne : aucun abonné ni destinataire pour "
            "l'instant. Il reste lisible à son adresse :"
        )
    parts = []
    if inboxes:
        parts.append(f"{inboxes} boîte{'s' if inboxes > 1 else ''} de réception d'autres serveurs")
    if local_accounts:
        parts.append(f"{local_accounts} compte{'s' if local_accounts > 1 else ''} de ce nœud")
    return f"Publié ({kind}) ; en file d'envoi vers {' et '.join(parts)} :"


def cmd_project(args: argparse.Namespace, run: Runner) -> None:
    config = NodeConfig.load(args.data)

    async def listing(node: Node) -> list[interests.TeamView]:
        return await interests.for_team(node)

    views = run(config, listing)
    found: list[dict[str, Any]] = [
        {"project": v.id, "title": v.title, "carrier": v.carrier, "interested": v.interested,
         "introduced": [{"actor": p.id, "name": p.name} for p in v.opted_in]}
        for v in views
    ]  # fmt: skip
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        print("Aucun projet publié pour l'instant.")
    for item in found:
        names = ", ".join(p["name"] for p in item["introduced"]) or "personne"
        print(f"{item['project']}\t{item['title']}\t{item['interested']} intéressé·e(s)"
              f"\tprésenté·e(s) : {names}")  # fmt: skip


COMMANDS: dict[str, Command] = {
    "place": cmd_place,
    "resident": cmd_resident,
    "profile": cmd_profile,
    "project": cmd_project,
    "publish": cmd_publish,
}

"""The demo's steps, in the order a network of places lives them.

Each step speaks to the nodes only as a place's team, a member or a peer would: the
`interlieux` commands, the C2S outbox, the door. What each step prints is what a person
watching should notice; what it waits for is what makes that line true.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from federation_tests.network import AS_JSON, LocalPlace, free_port, wait_for
from node.activity import id_of, type_of
from vocab import skills

from . import door, places
from .folder import DETAIL_LOG, FAILURES, DemoError, failed, failing_as
from .places import PLACES, PlaceSpec, spec_of
from .telling import interlieux_command, say, seconds, shown, step


class DemoPlace(LocalPlace):
    """A LocalPlace whose `interlieux serve` runs in its own session.

    Ctrl-C in the terminal then reaches the demo only, and the demo stops each node once with
    `LocalPlace.stop`: a node that got the terminal's SIGINT and then the demo's would take the
    second one as "force quit" and skip its clean shutdown.
    """

    own_session = True

    @property
    def host(self) -> str:
        return self.base_url.removeprefix("http://")

    def acct(self, handle: str | None = None) -> str:
        return f"@{handle or self.handle}@{self.host}"

    def publish(self, document: dict[str, Any], name: str) -> tuple[str, str]:
        """`interlieux publish FILE`, as a team without a client does: (object id, report)."""
        path = self.data.parent / f"{self.handle}-{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2))
        printed = self.cli("publish", "--data", str(self.data), str(path)).stdout.strip()
        *report, object_id = printed.splitlines()
        return object_id, " ".join(report).removesuffix(" :")


def display_name(place: DemoPlace, member: str | None) -> str:
    """« PopCafé » for the place itself, « Camille Lefebvre (PopCafé) » for one of its members."""
    if member is None:
        return place.name
    name = next(m.name for m in spec_of(place.handle).members if m.handle == member)
    return f"{name} ({place.name})"


def by_handle(network: list[DemoPlace], handle: str) -> DemoPlace:
    return next(p for p in network if p.handle == handle)


def skill_label(value: str) -> str:
    found = skills.get(value)
    return found.label("fr").lower() if found else value


def _retry_note(data: Path) -> str:
    return f"lisez les journaux {shown(data)}/*.log, puis relancez make demo."


# --- ① and ② ------------------------------------------------------------------------------------
def port_is_free(port: int) -> bool:
    """Whether a server could listen there now (SO_REUSEADDR, like uvicorn: TIME_WAIT is fine)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _make_place(place: DemoPlace, spec: PlaceSpec) -> None:
    """What a place's team types: `init`, `member add`, `place`, and the tokens used later."""
    place.init()
    for member in spec.members:
        place.add_member(member.handle, member.name, "--summary", member.summary)
    offers = place.data.parent / f"{place.handle}-offres.json"
    offers.write_text(json.dumps(spec.offers, ensure_ascii=False, indent=2))
    place.cli(
        "place", "--data", str(place.data), "--street", spec.street,
        "--postal-code", spec.postal_code, "--city", spec.city, "--country", "FR",
        "--opening-hours", spec.opening_hours, "--website", spec.website,
        "--offers", str(offers),
    )  # fmt: skip
    place.token()
    for place_handle, member_handle, _target in places.MEMBER_FOLLOWS:
        if place_handle == place.handle:
            place.token(member_handle)


def create_places(data: Path, network: list[DemoPlace]) -> None:
    step(1, "Création de trois lieux avec la commande interlieux (init, member add, place)…")
    for spec in PLACES:
        port = spec.port
        if not port_is_free(port):
            port = free_port()
            say(f"   (le port {spec.port} est déjà pris : {spec.name} prendra le port {port})")
        network.append(DemoPlace(data, spec.handle, spec.name, port))
    # One thread per place: each command is its own process, so the three go side by side.
    with ThreadPoolExecutor(len(network)) as pool:
        made = [pool.submit(_make_place, place, spec_of(place.handle)) for place in network]
    for place, future in zip(network, made, strict=True):
        spec = spec_of(place.handle)
        with failing_as(
            data,
            f"La création du lieu {place.name} a échoué : lisez {shown(data / DETAIL_LOG)}, "
            "puis relancez make demo.",
        ):
            future.result()
        members = ", ".join(f"{m.name} (@{m.handle})" for m in spec.members)
        offers = ", ".join(o["name"] for o in spec.offers)
        say(f"   • {place.name} — {spec.description}")
        say(f"     {spec.street}, {spec.postal_code} {spec.city} · {offers}")
        say(f"     membres : {members}")


def _failed_start_message(place: DemoPlace) -> str:
    try:
        log = place.log_path.read_text(errors="replace")
    except OSError:
        log = ""
    if "address already in use" in log.lower() or "errno 98" in log.lower():
        return (
            f"Le port {place.port} est déjà pris, {place.name} n'a pas pu démarrer : arrêtez le "
            "programme qui l'utilise (une autre démo ?), puis relancez make demo."
        )
    return (
        f"Le lieu {place.name} n'a pas démarré sur le port {place.port} : lisez "
        f"{shown(place.log_path)}, puis relancez make demo."
    )


def _start_place(place: DemoPlace) -> str:
    """Start the node, check that it is ours that answers, and find its actor by WebFinger."""
    place.start(timeout=60)  # three nodes import at once on a small machine
    actor = httpx.get(place.actor_id(), headers={"accept": AS_JSON}, timeout=5)
    if actor.json().get("preferredUsername") != place.handle:
        raise RuntimeError(f"another server answers on {place.base_url}")
    jrd = httpx.get(
        f"{place.base_url}/.well-known/webfinger",
        params={"resource": f"acct:{place.handle}@{place.host}"},
        timeout=5,
    ).json()
    return str(next(link["href"] for link in jrd["links"] if link["rel"] == "self"))


def start_places(data: Path, network: list[DemoPlace]) -> None:
    step(2, "Démarrage des nœuds : un processus « interlieux serve » par lieu…")
    with ThreadPoolExecutor(len(network)) as pool:
        started = [pool.submit(_start_place, place) for place in network]
    for place, future in zip(network, started, strict=True):
        try:
            found = future.result()
        except FAILURES as exc:
            raise failed(data, _failed_start_message(place), exc) from exc
        say(f"   • {place.name}")
        say(f"     adresse     : {place.base_url}")
        say(f"     identifiant : {place.acct()}  (trouvé par WebFinger)")
        say(f"     acteur      : {found}")


# --- ③ ------------------------------------------------------------------------------------------
def become_peers(data: Path, network: list[DemoPlace]) -> None:
    step(3, "Les lieux deviennent pairs (peer add : badges honorés, 5,00 € par passage)…")
    follows: list[tuple[DemoPlace, str | None, DemoPlace]] = [
        (a, None, b) for a in network for b in network if a is not b
    ]
    follows += [
        (by_handle(network, p), m, by_handle(network, t)) for p, m, t in places.MEMBER_FOLLOWS
    ]
    accounts = {p.actor_id(): p.acct() for p in network}
    for place in network:
        for person in spec_of(place.handle).members:
            accounts[place.actor_id(person.handle)] = place.acct(person.handle)

    def all_accepted() -> bool:
        following = {(f.handle, m): set(f.following(m)) for f, m, _ in follows}
        followers = {t.handle: set(t.followers()) for _, _, t in follows}
        return all(
            t.actor_id() in following[f.handle, m] and f.actor_id(m) in followers[t.handle]
            for f, m, t in follows
        )

    started = time.monotonic()
    with failing_as(data, f"Les abonnements n'ont pas abouti : {_retry_note(data)}"):

        def peer(follower: DemoPlace, target: DemoPlace) -> None:
            follower.cli("peer", "add", "--data", str(follower.data), "--actor",
                         target.actor_id(), "--visit-rate", places.VISIT_RATE)  # fmt: skip

        # Each place's team works on its own node: they do it side by side.
        with ThreadPoolExecutor(len(network)) as pool:
            pending = [pool.submit(peer, f, t) for f, m, t in follows if m is None]
            for follower, member, target in follows:
                if member is None:
                    say(f"   • {follower.name} honore les badges de {target.name} et le suit")
                else:
                    follower.post_outbox({"type": "Follow", "object": target.actor_id()}, member)
                    say(f"   • {display_name(follower, member)} suit {target.name} (fédivers)")
            for future in pending:
                future.result()
        wait_for(all_accepted, timeout=30, what="every Accept")
        took = seconds(time.monotonic() - started)
        say(f"   Toutes les acceptations (Accept) sont arrivées en {took}.")
        for place in network:
            followers = ", ".join(accounts.get(a, a) for a in place.followers())
            say(f"   • abonnés de {place.name} : {followers}")


# --- ④ ------------------------------------------------------------------------------------------
def _arrived(place: DemoPlace, member: str | None, object_id: str) -> bool:
    return any(id_of(a.get("object")) == object_id for a in place.inbox(member))


def publish_the_commons(data: Path, network: list[DemoPlace]) -> dict[str, str]:
    """An event, a need, a pledge, each to Public only; each seen at every follower."""
    step(4, "Chaque lieu publie : un événement, un besoin, un engagement de co-financement…")
    fablab = by_handle(network, "fablab-lilas")
    posts = [
        (fablab, places.open_day(spec_of(fablab.handle)), "événement", "evenement"),
        (by_handle(network, "popcafe"), places.volunteers_need(), "besoin", "besoin"),
        (by_handle(network, "coroutine"), places.laser_pledge(fablab.actor_id()),
         "engagement", "engagement"),
    ]  # fmt: skip
    published: dict[str, str] = {}
    with failing_as(
        data, f"Une publication n'est pas arrivée chez ses abonnés : {_retry_note(data)}"
    ):
        for author, document, label, file_name in posts:
            started = time.monotonic()
            object_id, report = author.publish(document, file_name)
            published[label] = object_id
            say(f"   • {author.name} publie un {label} : « {document.get('name')} »")
            say(f"     $ {interlieux_command()} publish --data {shown(author.data)} "
                f"{shown(author.data.parent / f'{author.handle}-{file_name}.json')}")  # fmt: skip
            say(f"     {report}")
            readers: list[tuple[DemoPlace, str | None]] = [
                (p, None) for p in network if p is not author
            ]
            readers += [
                (by_handle(network, p), m)
                for p, m, t in places.MEMBER_FOLLOWS
                if t == author.handle
            ]
            for place, member in readers:
                wait_for(partial(_arrived, place, member, object_id), timeout=20,
                         what=f"the {label} at {place.acct(member)}")  # fmt: skip
                took = seconds(time.monotonic() - started)
                who = f"{display_name(place, member)} ({place.acct(member)})"
                say(f"     ✓ reçu par {who} en {took}")
    return published


# --- ⑤ ------------------------------------------------------------------------------------------
def validate_residents(data: Path, network: list[DemoPlace]) -> None:
    step(5, "La résidentothèque : chaque lieu valide ses résident·es et leurs compétences…")
    with failing_as(data, f"La validation des résident·es a échoué : {_retry_note(data)}"):
        for place in network:
            for member in spec_of(place.handle).members:
                if not member.skills:
                    continue
                skills = [arg for s in member.skills for arg in ("--skill", s)]
                place.cli("profile", "--data", str(place.data), "--handle", member.handle,
                          *skills, "--visibility", "skill=public")  # fmt: skip
                place.cli("resident", "accept", "--data", str(place.data), "--handle",
                          member.handle)  # fmt: skip
                labels = ", ".join(skill_label(s) for s in member.skills)
                say(f"   • {display_name(place, member.handle)} : résident·e validé·e ({labels})")
            residents = httpx.get(f"{place.base_url}/residents", headers={"accept": AS_JSON},
                                  timeout=5).json()  # fmt: skip
            say(f"     {place.base_url}/residents : {residents['totalItems']} résident·e(s)")


WHO_CAN_DO_WHAT = """
PREFIX as: <https://www.w3.org/ns/activitystreams#>
PREFIX tl: <https://w3id.org/interlieux/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?nom ?competence ?lieu WHERE {
  GRAPH ?graphe { ?p a as:Person ; as:name ?nom ; tl:skill ?s ; tl:residentOf ?l }
  ?l as:name ?lieu .
  ?s skos:prefLabel ?competence FILTER (lang(?competence) = "fr")
} ORDER BY ?lieu ?nom ?competence"""


def ask_the_network(data: Path, network: list[DemoPlace]) -> None:
    """One node answers for the network: the residents of the places it follows are in its
    knowledge graph (read when the follow was accepted, and again at each new resident)."""
    asked = network[0]
    expected = sum(len(m.skills) for p in network for m in spec_of(p.handle).members)
    say(f"   Une question au réseau, posée au seul nœud de {asked.name} (/sparql) : "
        "qui sait faire quoi, et où ?")  # fmt: skip
    with failing_as(data, f"Le graphe de connaissances n'a pas répondu : {_retry_note(data)}"):
        rows = wait_for(
            lambda: (found := asked.sparql(WHO_CAN_DO_WHAT)) and len(found) >= expected and found,
            timeout=30, what="every place's residents in the asked node's graph",
        )  # fmt: skip
    for row in rows:
        say(f"   • {row['nom']['value']} — {row['competence']['value']} — {row['lieu']['value']}")
    say(f"     {asked.base_url}/sparql · requêtes d'exemple : examples/queries/")


def _visits(place: DemoPlace, owner: str | None) -> list[dict[str, Any]]:
    return [a for a in place.inbox(owner) if type_of(a.get("object")) == "tl:Visit"]


# --- ⑥ and ⑦ ------------------------------------------------------------------------------------
def tap_a_badge(data: Path, network: list[DemoPlace]) -> str:
    """camille's badge at the Fablab's door; the visit reaches her home place and her."""
    home_handle, member = places.VISITOR
    home, visited = by_handle(network, home_handle), by_handle(network, places.VISITED)
    step(6, f"{display_name(home, member)} passe son badge à l'entrée de {visited.name}…")
    with failing_as(data, f"Le passage du badge a échoué : {_retry_note(data)}"):
        ndef = data / f"{member}.ndef"
        issued = home.cli(
            "badge", "issue", "--data", str(home.data), "--member", member,
            "--card-uid", places.CARD_UID.hex(), "--out", str(ndef),
        ).stdout  # fmt: skip
        grant_text = issued.strip().splitlines()[-1]
        say(f"   • {home.name} délivre le Badge Inter-Lieux de {display_name(home, member)} :")
        say(f"     {grant_text[:60]}…")
        say(f"     {shown(ndef)} : {ndef.stat().st_size} octets à écrire sur sa carte NFC")
        result = door.tap(
            visited, grant_text, places.CARD_UID, ndef.read_bytes(), data / "porte-fablab"
        )
        say(f"   • à la porte ({result.path}) : {result.said}")
        if not result.accepted:
            raise AssertionError(f"the door refused: {result.said}")

    step(7, f"Le passage arrive chez {home.name} et chez {display_name(home, member)}…")
    with failing_as(data, f"Le passage n'est pas arrivé au lieu d'origine : {_retry_note(data)}"):
        for owner in (None, member):
            visit = wait_for(
                partial(_visits, home, owner), timeout=20,
                what=f"the visit in {home.acct(owner)}'s inbox",
            )  # fmt: skip
            say(f"   ✓ boîte de réception de {display_name(home, owner)} : passage à "
                f"{visited.name} ({visit[-1]['object'].get('startTime', '')})")  # fmt: skip
    return grant_text


# --- ⑧ ------------------------------------------------------------------------------------------
def _balances(place: DemoPlace) -> dict[str, str]:
    out = place.cli("ledger", "--data", str(place.data), "--json").stdout
    return {b["peer"]: b["balance"] for b in json.loads(out)["balances"]}


def claim_and_show_ledgers(data: Path, network: list[DemoPlace]) -> None:
    home, visited = by_handle(network, places.VISITOR[0]), by_handle(network, places.VISITED)
    step(8, f"{visited.name} réclame ses passages à {home.name} ; les deux comptes concordent…")
    period = datetime.now(UTC).strftime("%Y-%m")
    with failing_as(data, f"La réclamation n'a pas abouti : {_retry_note(data)}"):
        sent = visited.cli("claims", "send", "--data", str(visited.data), "--period", period)
        command = f"{interlieux_command()} claims send --data {shown(visited.data)}"
        say(f"   $ {command} --period {period}")
        for line in sent.stdout.strip().splitlines():
            say(f"     {line}")
        wait_for(
            lambda: _balances(home).get(visited.actor_id()) == "-" + places.VISIT_RATE
            and _balances(visited).get(home.actor_id()) == places.VISIT_RATE,
            timeout=30, what="both ledgers booked",
        )  # fmt: skip
        for place in (visited, home):
            say(f"   $ {interlieux_command()} ledger --data {shown(place.data)}")
            for line in place.cli("ledger", "--data", str(place.data)).stdout.strip().splitlines():
                say(f"     {line}")


# --- ⑨ ------------------------------------------------------------------------------------------
def _cells(row: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]


def _invitation(place: DemoPlace, handle: str, name: str, role: str) -> str:
    out = place.cli("member", "invite", "--data", str(place.data), "--handle", handle,
                    "--name", name, "--role", role)  # fmt: skip
    return str(out.stdout.strip().splitlines()[-1])


def open_the_team_dashboard(data: Path, network: list[DemoPlace]) -> str:
    """The Fablab's door team signs in with the link the team gave them and opens the
    dashboard, which shows the day's visitor; then a link for whoever runs the demo."""
    visited = by_handle(network, places.VISITED)
    step(9, f"L'accueil de {visited.name} se connecte et ouvre le tableau de bord de l'équipe…")
    with failing_as(data, f"Le tableau de bord n'a pas répondu : {_retry_note(data)}"), \
            httpx.Client(base_url=visited.base_url, timeout=10) as browser:  # fmt: skip
        link = _invitation(visited, "accueil", "L'accueil du Fablab", "door")
        say(f"   $ {interlieux_command()} member invite --data {shown(visited.data)} "
            "--handle accueil --role door")  # fmt: skip
        say(f"     {link}")
        page = browser.get(link, headers={"accept": "text/html"})
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token, page.text
        password = secrets.token_urlsafe(12)
        form = {"csrf": token.group(1), "password": password, "confirmation": password}
        signed = browser.post(link, data=form, follow_redirects=True)
        assert signed.status_code == 200, signed.text
        board = browser.get("/equipe", headers={"accept": "text/html"})
        assert board.status_code == 200, board.text
        rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", board.text, re.S)]
        rows = [r for r in rows if len(r) == 5]
        say(f"   {visited.base_url}/equipe — visiteurs du jour :")
        for at, who, home, door_name, entry in rows:
            say(f"   ✓ {at}  {who} ({home}), {door_name} : {entry}")
        if not rows:
            raise AssertionError("no visitor on the dashboard")
    return _invitation(visited, "equipe", "L'équipe du Fablab", "admin")


# --- ⑩ ------------------------------------------------------------------------------------------
def _all_delivered(place: DemoPlace) -> bool:
    return not place.query("SELECT 1 FROM deliveries WHERE state != 'delivered' LIMIT 1")


def show_deliveries_and_where_to_look(
    data: Path, network: list[DemoPlace], published: dict[str, str], team_link: str
) -> None:
    step(10, "Plus rien en attente d'envoi ? (interlieux deliveries) Et où regarder…")
    command = interlieux_command()
    with failing_as(
        data,
        f"La commande interlieux deliveries a échoué : lisez {shown(data / DETAIL_LOG)}, "
        "puis relancez make demo.",
    ):
        for place in network:
            # The receiving inbox may answer a moment before the sender writes down "delivered".
            # If it still is after a while, the command below shows it, which is the point.
            with suppress(AssertionError):
                wait_for(partial(_all_delivered, place), timeout=10, what="deliveries")
            out = place.cli("deliveries", "--data", str(place.data)).stdout.strip()
            say(f"   $ {command} deliveries --data {shown(place.data)}")
            for line in out.splitlines():
                say(f"     {line}")
    fablab = by_handle(network, "fablab-lilas")
    popcafe = by_handle(network, "popcafe")
    say()
    say("   À ouvrir dans un navigateur ou un agenda :")
    say(f"   • la page du PopCafé                 : {popcafe.base_url}/")
    say(f"   • l'agenda du réseau                 : {popcafe.base_url}/network/agenda")
    say(f"   • l'agenda du Fablab (iCalendar)     : {fablab.base_url}/agenda.ics")
    say(f"   • son fil d'actualité (Atom)         : {fablab.base_url}/agenda.atom")
    say(f"   • la résidentothèque du PopCafé      : {popcafe.base_url}/residents")
    say(f"   • les données ouvertes (Turtle)      : {popcafe.base_url}/data.ttl")
    say(f"   • le vocabulaire tl: (page)          : {popcafe.base_url}/ns")
    say(f"   • l'événement publié                 : {published['événement']}")
    say(f"   • le tableau de bord de l'équipe     : {team_link}")
    say(
        "     (lien d'invitation du compte « equipe » du Fablab, rôle admin : il sert une fois, "
        "pour choisir un mot de passe)"
    )
    say("   Avec curl, en ActivityPub :")
    say(f"   curl -s -H 'Accept: {AS_JSON}' '{fablab.actor_id()}'")
    resource = f"acct:{fablab.handle}@{fablab.host}"
    say(f"   curl -s '{fablab.base_url}/.well-known/webfinger?resource={resource}'")
    say(f"   Journaux des nœuds : {shown(data)}/*.log")


def wait_until_stopped(network: list[DemoPlace]) -> None:
    """Until a signal arrives (raised as Interrupted); a node that dies on its own is an error."""
    while True:
        for place in network:
            if place.process is None or place.process.poll() is not None:
                raise DemoError(
                    f"Le lieu {place.name} s'est arrêté tout seul : lisez "
                    f"{shown(place.log_path)}, puis relancez make demo."
                )
        time.sleep(0.5)


def stop_places(network: list[DemoPlace]) -> None:
    if not network:
        return
    say("Arrêt des lieux…")
    for place in network:
        running = place.process is not None and place.process.poll() is None
        place.stop()
        if running:
            say(f"   • {place.name} arrêté")

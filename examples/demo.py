"""`make demo`: three tiers-lieux on this machine, following each other and sharing an announcement.

Each place is a real node, created with the same `interlieux` commands a place's team types and
served by its own `interlieux serve` process on a loopback port (through `LocalPlace`). The story
is told in French on the terminal, one numbered step after the other; then the network keeps
running until Ctrl-C (or SIGTERM), which stops every node cleanly.

    python -m examples.demo               # from the repository root; `make demo` does this
    python -m examples.demo --once        # steps ①–⑤, then stop (INTERLIEUX_DEMO_ONCE=1 too)
    python -m examples.demo --data DIR    # another folder than ./demo-data (wiped at start)

Exit codes: 0 when the demo ran (and was stopped on request), 1 with a one-line French message
when something failed, 130 when it was interrupted before the network was up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from federation_tests.network import AS_JSON, LocalPlace, free_port, note, wait_for

DEFAULT_DATA = Path("demo-data")
MARKER_FILE = ".interlieux-demo"  # only a folder holding this one is ever wiped
PID_FILE = "demo.pid"  # so that a second demo does not wipe a running one's folder
DETAIL_LOG = "demo.log"  # the technical details behind a one-line error
RUNNING = "Le réseau tourne. Ctrl-C pour tout arrêter."
STEPS = "①②③④⑤⑥"


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    summary: str


@dataclass(frozen=True)
class PlaceSpec:
    handle: str
    name: str
    description: str
    port: int
    members: tuple[Member, ...]


PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec(
        "popcafe", "PopCafé", "café de quartier et services numériques, à Lille", 8401,
        (Member("camille", "Camille Lefebvre", "Médiatrice numérique au PopCafé"),
         Member("karim", "Karim Benali", "Bénévole, ateliers « mon premier smartphone »")),
    ),
    PlaceSpec(
        "coroutine", "La Coroutine", "coworking coopératif", 8402,
        (Member("lea", "Léa Dubois", "Graphiste indépendante, coworkeuse"),),
    ),
    PlaceSpec(
        "fablab-lilas", "Fablab des Lilas", "atelier de fabrication numérique", 8403,
        (Member("hugo", "Hugo Moreau", "Fabmanager"),
         Member("ines", "Inès Garnier", "Animatrice des ateliers jeunesse")),
    ),
)  # fmt: skip

# Who follows whom besides the places themselves: a member of one place follows another place.
MEMBER_FOLLOWS: tuple[tuple[str, str, str], ...] = (("popcafe", "camille", "fablab-lilas"),)
ANNOUNCER = "fablab-lilas"
ANNOUNCEMENT = (
    "Portes ouvertes au Fablab des Lilas samedi de 14 h à 18 h : initiation à la découpe laser "
    "et à l'impression 3D, réparation de petit électroménager. Gratuit pour les membres du "
    "Badge Inter-Lieux, venez avec vos idées !"
)


class DemoError(Exception):
    """A failure, told as one French line that says what to do next."""


class Interrupted(BaseException):  # like KeyboardInterrupt: not caught as an Exception
    """Ctrl-C, SIGTERM or a closed terminal."""


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


def spec_of(handle: str) -> PlaceSpec:
    return next(s for s in PLACES if s.handle == handle)


def display_name(place: DemoPlace, member: str | None) -> str:
    """« PopCafé » for the place itself, « Camille Lefebvre (PopCafé) » for one of its members."""
    if member is None:
        return place.name
    name = next(m.name for m in spec_of(place.handle).members if m.handle == member)
    return f"{name} ({place.name})"


# --- telling the story -------------------------------------------------------------------------
def say(line: str = "") -> None:
    print(line, flush=True)


def step(number: int, title: str) -> None:
    say()
    say(f"{STEPS[number - 1]} {title}")


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def shown(path: Path) -> str:
    """A path as the person typed it or, when absolute, relative to here if it is below."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def interlieux_command() -> str:
    """How to type `interlieux` here: the venv's script when the demo runs from a venv."""
    script = Path(sys.executable).parent / "interlieux"
    if not script.exists():
        return "interlieux"
    relative = os.path.relpath(script)
    return relative if not relative.startswith("..") else str(script)


# --- the data folder ---------------------------------------------------------------------------
def _running_demo(pid_file: Path) -> int | None:
    """The pid of another demo still using this folder, if there is one."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"examples.demo" not in cmdline.read_bytes():
        return None  # the pid was reused by something else
    return pid


def prepare_folder(data: Path) -> None:
    if data.exists():
        if not data.is_dir():
            raise DemoError(
                f"{shown(data)} est un fichier, pas un dossier : choisissez un autre dossier "
                "avec --data."
            )
        other = _running_demo(data / PID_FILE)
        if other is not None:
            raise DemoError(
                f"Une autre démo tourne déjà dans {shown(data)} (processus {other}) : arrêtez-la "
                "avec Ctrl-C dans son terminal, ou lancez celle-ci avec --data AUTRE_DOSSIER."
            )
        if any(data.iterdir()) and not (data / MARKER_FILE).exists():
            raise DemoError(
                f"{shown(data)} n'est pas vide et n'a pas été créé par la démo : rien n'a été "
                "effacé. Choisissez un dossier vide ou nouveau avec --data."
            )
        shutil.rmtree(data)
    data.mkdir(parents=True)
    (data / MARKER_FILE).write_text(
        "Dossier de `make demo` : il est effacé et recréé à chaque lancement.\n"
    )
    (data / PID_FILE).write_text(f"{os.getpid()}\n")


FAILURES = (
    AssertionError, RuntimeError, OSError, httpx.HTTPError, subprocess.SubprocessError,
    KeyError, ValueError, StopIteration,
)  # fmt: skip


def _failed(data: Path, message: str, exc: BaseException) -> DemoError:
    """`message` as a DemoError, with the technical details written to the folder's demo.log."""
    try:
        with (data / DETAIL_LOG).open("a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
    return DemoError(message)


@contextmanager
def failing_as(data: Path, message: str) -> Iterator[None]:
    """Turn a technical failure inside the block into `message`."""
    try:
        yield
    except FAILURES as exc:
        raise _failed(data, message, exc) from exc


# --- the steps ---------------------------------------------------------------------------------
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
    """What a place's team types: `init`, `member add`, and the bearer tokens used in ③."""
    place.init()
    for member in spec.members:
        place.add_member(member.handle, member.name, "--summary", member.summary)
    place.token()
    for place_handle, member_handle, _target in MEMBER_FOLLOWS:
        if place_handle == place.handle:
            place.token(member_handle)


def create_places(data: Path, places: list[DemoPlace]) -> None:
    step(1, "Création de trois lieux avec la commande interlieux (init, member add, token)…")
    for spec in PLACES:
        port = spec.port
        if not port_is_free(port):
            port = free_port()
            say(f"   (le port {spec.port} est déjà pris : {spec.name} prendra le port {port})")
        places.append(DemoPlace(data, spec.handle, spec.name, port))
    # One thread per place: each command is its own process, so the three go side by side.
    with ThreadPoolExecutor(len(places)) as pool:
        made = [pool.submit(_make_place, place, spec_of(place.handle)) for place in places]
    for place, future in zip(places, made, strict=True):
        spec = spec_of(place.handle)
        with failing_as(
            data,
            f"La création du lieu {place.name} a échoué : lisez {shown(data / DETAIL_LOG)}, "
            "puis relancez make demo.",
        ):
            future.result()
        members = ", ".join(f"{m.name} (@{m.handle})" for m in spec.members)
        say(f"   • {place.name} — {spec.description}")
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


def start_places(data: Path, places: list[DemoPlace]) -> None:
    step(2, "Démarrage des nœuds : un processus « interlieux serve » par lieu…")
    with ThreadPoolExecutor(len(places)) as pool:
        started = [pool.submit(_start_place, place) for place in places]
    for place, future in zip(places, started, strict=True):
        try:
            found = future.result()
        except FAILURES as exc:
            raise _failed(data, _failed_start_message(place), exc) from exc
        say(f"   • {place.name}")
        say(f"     adresse     : {place.base_url}")
        say(f"     identifiant : {place.acct()}  (trouvé par WebFinger)")
        say(f"     acteur      : {found}")


def follow_each_other(data: Path, places: list[DemoPlace]) -> None:
    step(3, "Les lieux s'abonnent les uns aux autres, et une membre s'abonne à un autre lieu…")
    by_handle = {p.handle: p for p in places}
    follows: list[tuple[DemoPlace, str | None, DemoPlace]] = [
        (a, None, b) for a in places for b in places if a is not b
    ]
    follows += [(by_handle[p], m, by_handle[t]) for p, m, t in MEMBER_FOLLOWS]
    accounts = {p.actor_id(): p.acct() for p in places}
    for place in places:
        for person in spec_of(place.handle).members:
            accounts[place.actor_id(person.handle)] = place.acct(person.handle)

    def all_accepted() -> bool:
        """Every follower got its Accept, and every place lists its followers."""
        following = {(f.handle, m): set(f.following(m)) for f, m, _ in follows}
        followers = {t.handle: set(t.followers()) for _, _, t in follows}
        return all(
            t.actor_id() in following[f.handle, m] and f.actor_id(m) in followers[t.handle]
            for f, m, t in follows
        )

    started = time.monotonic()
    with failing_as(
        data,
        f"Les abonnements n'ont pas abouti : lisez les journaux {shown(data)}/*.log, "
        "puis relancez make demo.",
    ):
        for follower, member, target in follows:
            follower.post_outbox({"type": "Follow", "object": target.actor_id()}, member)
            say(f"   • {display_name(follower, member)} suit {target.name}")
        wait_for(all_accepted, timeout=30, what="every Accept")
        took = time.monotonic() - started
        say(f"   Toutes les acceptations (Accept) sont arrivées en {seconds(took)}.")
        say("   Collections des abonnés (followers) :")
        for place in places:
            followers = ", ".join(accounts.get(a, a) for a in place.followers())
            say(f"   • {place.name} : {followers}")


def publish_announcement(data: Path, places: list[DemoPlace]) -> str:
    """Post the note; show it arriving in every follower's inbox. Returns the note's URL."""
    announcer = next(p for p in places if p.handle == ANNOUNCER)
    step(4, f"{announcer.name} publie une annonce publique pour ses abonnés…")
    say(f"   « {ANNOUNCEMENT} »")
    by_handle = {p.handle: p for p in places}
    recipients: list[tuple[DemoPlace, str | None]] = [
        (p, None) for p in places if p is not announcer
    ]
    recipients += [(by_handle[p], m) for p, m, t in MEMBER_FOLLOWS if t == ANNOUNCER]

    with failing_as(
        data,
        f"L'annonce n'est pas arrivée chez tout le monde : lisez les journaux "
        f"{shown(data)}/*.log, puis relancez make demo.",
    ):
        started = time.monotonic()
        created = announcer.post_outbox(note(announcer, ANNOUNCEMENT))
        arrived: dict[int, float] = {}
        deadline = started + 20
        while len(arrived) < len(recipients) and time.monotonic() < deadline:
            for index, (place, member) in enumerate(recipients):
                if index in arrived:
                    continue
                received = [a for a in place.inbox(member) if a.get("id") == created["id"]]
                if received:
                    if received[0]["object"]["content"] != ANNOUNCEMENT:
                        raise AssertionError(f"changed on the way: {received[0]!r}")
                    arrived[index] = time.monotonic() - started
            time.sleep(0.05)
        for index, (place, member) in enumerate(recipients):
            if index not in arrived:
                raise AssertionError(f"the note never reached {place.acct(member)}")
            say(
                f"   ✓ reçue dans la boîte de réception de {display_name(place, member)} "
                f"({place.acct(member)}) en {seconds(arrived[index])}"
            )
    return str(created["object"]["id"])


def _all_delivered(place: DemoPlace) -> bool:
    return not place.query("SELECT 1 FROM deliveries WHERE state != 'delivered' LIMIT 1")


def show_deliveries_and_how_to_look(data: Path, places: list[DemoPlace], note_url: str) -> None:
    step(5, "Plus rien en attente d'envoi ? (interlieux deliveries)")
    command = interlieux_command()
    with failing_as(
        data,
        f"La commande interlieux deliveries a échoué : lisez {shown(data / DETAIL_LOG)}, "
        "puis relancez make demo.",
    ):
        for place in places:
            # The receiving inbox may answer a moment before the sender writes down "delivered".
            # If it still is after a while, the command below shows it, which is the point.
            with suppress(AssertionError):
                wait_for(
                    partial(_all_delivered, place),
                    timeout=10,
                    what=f"{place.handle}'s deliveries",
                )
            out = place.cli("deliveries", "--data", str(place.data)).stdout.strip()
            say(f"   $ {command} deliveries --data {shown(place.data)}")
            for line in out.splitlines():
                say(f"     {line}")

        announcer = next(p for p in places if p.handle == ANNOUNCER)
        followers = httpx.get(
            f"{announcer.actor_id()}/followers", headers={"accept": AS_JSON}, timeout=5
        ).json()
        followers_page = str(followers.get("first", f"{announcer.actor_id()}/followers"))

    accept = f"-H 'Accept: {AS_JSON}'"
    say()
    say("   Pour regarder vous-même, dans un autre terminal :")
    say(f"   # {announcer.name}, trouvé par son identifiant (WebFinger)")
    say(
        f"   curl -s '{announcer.base_url}/.well-known/webfinger"
        f"?resource=acct:{announcer.handle}@{announcer.host}'"
    )
    say("   # son acteur ActivityPub (nom, boîtes, clé publique)")
    say(f"   curl -s {accept} '{announcer.actor_id()}'")
    say("   # ses abonnés (première page de la collection followers)")
    say(f"   curl -s {accept} '{followers_page}'")
    say("   # l'annonce publiée")
    say(f"   curl -s {accept} '{note_url}'")
    say(f"   Journaux des nœuds : {shown(data)}/*.log")


def wait_until_stopped(places: Sequence[DemoPlace]) -> None:
    """Until a signal arrives (raised as Interrupted); a node that dies on its own is an error."""
    while True:
        for place in places:
            if place.process is None or place.process.poll() is not None:
                raise DemoError(
                    f"Le lieu {place.name} s'est arrêté tout seul : lisez "
                    f"{shown(place.log_path)}, puis relancez make demo."
                )
        time.sleep(0.5)


def stop_places(places: Sequence[DemoPlace]) -> None:
    if not places:
        return
    say("Arrêt des lieux…")
    for place in places:
        running = place.process is not None and place.process.poll() is None
        place.stop()
        if running:
            say(f"   • {place.name} arrêté")


# --- the command -------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m examples.demo",
        description="Démo Interlieux : trois tiers-lieux qui se suivent sur cette machine.",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="étapes 1 à 5 puis arrêt, sans attendre Ctrl-C (ou INTERLIEUX_DEMO_ONCE=1)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="dossier de la démo, effacé au lancement (par défaut : ./demo-data)",
    )
    return parser


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    once = args.once or os.environ.get("INTERLIEUX_DEMO_ONCE", "") not in ("", "0")
    data: Path = args.data
    places: list[DemoPlace] = []
    stop_signals = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    previous: dict[signal.Signals, Any] = {s: signal.signal(s, _on_signal) for s in stop_signals}
    network_up = False
    owns_folder = False
    failure = ""
    code = 0
    try:
        say("Interlieux — démonstration : trois tiers-lieux qui se suivent, sur cette machine")
        say(f"Dossier de la démo : {shown(data)}/ (effacé à chaque lancement)")
        prepare_folder(data)
        owns_folder = True
        create_places(data, places)
        start_places(data, places)
        follow_each_other(data, places)
        note_url = publish_announcement(data, places)
        show_deliveries_and_how_to_look(data, places, note_url)
        network_up = True
        say()
        if once:
            say("Mode --once : la démo s'arrête sans attendre.")
        else:
            say(RUNNING)
            wait_until_stopped(places)
    except Interrupted as exc:
        say()
        say("Ctrl-C reçu." if str(exc) == "SIGINT" else f"Signal d'arrêt reçu ({exc}).")
        code = 0 if network_up else 130
    except DemoError as exc:
        failure = str(exc)
        code = 1
    finally:
        for s in stop_signals:  # a second Ctrl-C must not cut the clean stop short
            signal.signal(s, signal.SIG_IGN)
        try:
            stop_places(places)
            if places:
                say(f"Tout est arrêté. Les données restent dans {shown(data)}/ jusqu'au prochain "
                    "lancement.")  # fmt: skip
            if owns_folder:
                (data / PID_FILE).unlink(missing_ok=True)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
    if failure:  # last, so that it is what the person sees
        print(f"✗ {failure}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The pages in a real browser: Debian's Chromium driven by Playwright, against real nodes.

`places` starts a small network once for all the browser tests (PopCafé in Lille with its
details, an event to come, a need; La Fabrik with residents and their skills; each follows the
other). `phone` is a fresh page on a phone-sized screen, in French; `accessible` fails a test
on any serious or critical axe-core violation; `screenshot` keeps what a person would see in
`build/screenshots/`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from federation_tests.network import MEMBER_NAMES, LocalPlace, Network, Places, event, wait_for

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
# What the probe of these machines found Chromium needs here: no sandbox as root, and no
# background connections (the closed network refuses them, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def soon(days: int, hour: int = 14) -> str:
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return moment.isoformat()


@pytest.fixture(scope="session")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Places]:
    network = Network(tmp_path_factory.mktemp("web"))
    try:
        created = network({"popcafe": [], "fabrik": ["alice", "bob"]})
        popcafe, fabrik = created["popcafe"], created["fabrik"]
        popcafe.cli(
            "place", "--data", str(popcafe.data), "--street", "14 rue des Tisserands",
            "--postal-code", "59000", "--city", "Lille",
            "--latitude", "50.6292", "--longitude", "3.0573",
            "--opening-hours", "Mo-Fr 09:00-18:00; Sa 10:00-13:00",
            "--email", "bonjour@popcafe.example",
        )  # fmt: skip
        fabrik.cli(
            "place", "--data", str(fabrik.data), "--street", "2 rue de l'Usine",
            "--postal-code", "59100", "--city", "Roubaix",
            "--latitude", "50.6942", "--longitude", "3.1746",
        )  # fmt: skip
        for handle, skill in (("alice", "sk:soudure"), ("bob", "sk:impression-3d")):
            fabrik.cli(
                "profile", "--data", str(fabrik.data), "--handle", handle,
                "--skill", skill, "--visibility", "skill=public",
            )  # fmt: skip
            fabrik.cli("resident", "accept", "--data", str(fabrik.data), "--handle", handle)
        popcafe.follow(fabrik.actor_id())
        fabrik.follow(popcafe.actor_id())
        workshop = event(popcafe, name="Atelier « mon premier smartphone »",
                         startTime=soon(3), endTime=soon(3, 17))  # fmt: skip
        popcafe.post_outbox(workshop)
        need = {"type": "Need", "name": "Bénévoles pour l'accueil", "to": [PUBLIC],
                "needKind": "volunteers", "quantity": 2, "skill": ["sk:accueil"],
                "summary": "Deux personnes le samedi matin", "due": soon(30)}  # fmt: skip
        popcafe.post_outbox(need)
        fabrik.post_outbox(
            event(fabrik, name="Initiation à la soudure", startTime=soon(5), endTime=soon(5, 18))
        )
        wait_for(
            lambda: len(popcafe.sparql("SELECT ?e WHERE { ?e a as:Event }")) >= 2,
            what="fabrik's event in popcafe's graph",
        )
        # The agenda's pages: two more events the same day, of two categories, one with places.
        repair = event(popcafe, name="Repair café", category="REPAIR", maximumAttendeeCapacity=8,
                       content="<p>Apportez vos objets en panne : on les répare ensemble.</p>",
                       startTime=soon(4, 10), endTime=soon(4, 12))  # fmt: skip
        popcafe.post_outbox(repair)
        games = event(popcafe, name="Soirée jeux", category="GAMES",
                      startTime=soon(4, 18), endTime=soon(4, 21))  # fmt: skip
        popcafe.post_outbox(games)
        # The résidentothèque and the needs pages: two residents of PopCafé with public skills
        # (Zoé's availability is private), and La Fabrik's need, which PopCafé receives.
        residents = (
            ("chloe", "sk:mediation-numerique", "public"),
            ("zoe", "sk:menuiserie", "private"),
        )
        for handle, skill, seen in residents:
            popcafe.add_member(handle, MEMBER_NAMES[handle])
            popcafe.cli(
                "profile", "--data", str(popcafe.data), "--handle", handle, "--skill", skill,
                "--availability", f"le mercredi ({seen})",
                "--visibility", "skill=public", "--visibility", f"availability={seen}",
            )  # fmt: skip
            popcafe.cli("resident", "accept", "--data", str(popcafe.data), "--handle", handle)
        fabrik.post_outbox(
            {"type": "Need", "name": "Soudure d'un vélo cargo", "to": [PUBLIC],
             "needKind": "skills", "quantity": 1, "skill": ["sk:soudure"], "due": soon(20)}
        )  # fmt: skip
        needs = "PREFIX tl: <https://w3id.org/interlieux/ns#> SELECT ?n WHERE { ?n a tl:Need }"
        wait_for(lambda: len(popcafe.sparql(needs)) >= 2, what="fabrik's need in popcafe's graph")
        yield created
    finally:
        network.stop()


@pytest.fixture(scope="session")
def popcafe(places: Places) -> LocalPlace:
    return places["popcafe"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Chromium is missing: `make test` installs it (tests/web/setup.sh)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page, in French, in a context of its own (no cookie carried over)."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True)
    page = context.new_page()
    yield page
    context.close()


PASSWORD = "le vélo cargo de la place"  # what the test members choose at their invitation


def choose_password(page: Page, place: LocalPlace, link: str) -> None:
    """Open the team's invitation `link` and answer it with a password: signed in, on /moi."""
    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill(PASSWORD)
    page.get_by_label("Le même, une seconde fois").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer et me connecter").click()
    page.wait_for_url(f"{place.base_url}/moi")


def sign_up(page: Page, place: LocalPlace, handle: str, *invite: str) -> None:
    """The team invites `handle` (the CLI, with `invite`'s options: --name, --role…) and the
    member answers the link with a password in `page`."""
    said = place.cli("member", "invite", "--data", str(place.data), "--handle", handle,
                     *invite).stdout  # fmt: skip
    choose_password(page, place, said.strip().splitlines()[-1])


TeamBrowser = Callable[[LocalPlace, str, str], Page]


@pytest.fixture
def team_browser(browser: Browser) -> Iterator[TeamBrowser]:
    """A phone signed in as a new account of a place holding `roles`, each in a browser context
    of its own, so that several accounts are signed in at once."""
    contexts = []

    def signed_in(place: LocalPlace, handle: str, roles: str) -> Page:
        context = browser.new_context(viewport=PHONE, locale="fr-FR", has_touch=True)
        contexts.append(context)
        page = context.new_page()
        sign_up(page, place, handle, "--name", handle.capitalize(), "--role", roles)
        return page

    yield signed_in
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation of the page as it stands."""
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n.get("target")) for n in v.get("nodes", [])[:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert bad == [], "\n".join(bad)

"""A network's decision and a step's co-financing from the teams' pages, across two real nodes,
in Chromium on a phone. PopCafé hosts the network « Réseau BIL » and admits La Fabrik as its
founding second member; La Fabrik's team proposes a change of rule from /equipe/decisions;
both teams vote pour from their pages (La Fabrik changes its vote once); after the close the
decision's page at PopCafé shows each place's vote and the recount says valid. La Fabrik's
team publishes a step and a 1:1 matching rule capped at 500 €; PopCafé's team pledges 600 €
from its page and La Fabrik's 200 €: the step's page shows 500 € matched, and the
observatory the same. Every page is checked by axe and kept as a screenshot.

The nodes are started once for the module (two places of their own: the session's network is
left as it is)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

from federation_tests.network import LocalPlace, Network, Places, wait_for
from node.config import NodeConfig

from .conftest import TeamBrowser, accessible, screenshot

CLOSE_IN = 75  # seconds between the proposal and its close: two teams vote in a browser


@pytest.fixture(scope="module")
def bil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Places]:
    network = Network(tmp_path_factory.mktemp("governance"))
    try:
        created = network({"popcafe": [], "fabrik": []})
        popcafe, fabrik = created["popcafe"], created["fabrik"]
        popcafe.cli("network", "create", "--data", str(popcafe.data), "--handle", "bil",
                    "--name", "Réseau BIL")  # fmt: skip
        fabrik.cli("network", "join", "--data", str(fabrik.data), "--network",
                   popcafe.actor_id("bil"))  # fmt: skip
        popcafe.cli("network", "admit", "--data", str(popcafe.data), "--network", "bil",
                    "--place", fabrik.actor_id())  # fmt: skip
        wait_for(
            lambda: fabrik.query("SELECT 1 FROM networks WHERE place_state = 'member'"),
            what="La Fabrik told it is a member of the network",
        )
        yield created
    finally:
        network.stop()


def local_time(place: LocalPlace, seconds: float) -> str:
    zone = ZoneInfo(NodeConfig.load(place.data).timezone)
    return (datetime.now(zone) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


def vote(page: Page, place: LocalPlace, choice: str, reason: str) -> None:
    page.goto(f"{place.base_url}/equipe/decisions")
    card = page.locator("article.decision-vote").first
    card.get_by_label(choice, exact=True).check()
    card.get_by_label("Raison").fill(reason)
    card.get_by_role("button").click()
    page.wait_for_url(f"{place.base_url}/equipe/decisions?fait=vote")
    assert "Vote signé et pris par le réseau" in page.get_by_role("status").inner_text()


def test_a_decision_voted_from_the_teams_pages_and_recounted(
    bil: Places, team_browser: TeamBrowser
) -> None:
    popcafe, fabrik = bil["popcafe"], bil["fabrik"]
    at_fabrik = team_browser(fabrik, "hugo", "team")
    at_popcafe = team_browser(popcafe, "camille", "team")

    at_fabrik.goto(f"{fabrik.base_url}/equipe/decisions")
    at_fabrik.get_by_label("Type").select_option(label="Changement de règle")
    at_fabrik.get_by_label("Titre").fill("Tarif de passage à 6 €")
    at_fabrik.get_by_label("Texte").fill("Le coût d'un passage a augmenté.")
    at_fabrik.get_by_label("Règle changée").select_option("visitRate")
    at_fabrik.get_by_label("Nouvelle valeur").fill("6.00")
    at_fabrik.get_by_label("Clôture").fill(local_time(fabrik, CLOSE_IN))
    at_fabrik.get_by_role("button", name="Envoyer la proposition").click()
    at_fabrik.wait_for_url(f"{fabrik.base_url}/equipe/decisions?fait=propose")
    wait_for(lambda: fabrik.query("SELECT 1 FROM decisions"), what="the proposal at La Fabrik")

    vote(at_fabrik, fabrik, "Contre", "Pas encore")
    vote(at_fabrik, fabrik, "Pour", "D'accord après discussion")  # replaces the first
    assert "D'accord après discussion" in at_fabrik.locator(".current-vote").inner_text()
    accessible(at_fabrik)
    screenshot(at_fabrik, "team-decisions")
    vote(at_popcafe, popcafe, "Pour", "Nos coûts aussi")

    decision = str(popcafe.query("SELECT id FROM decisions")[0][0])
    at_popcafe.goto(decision)
    assert "2 lieu(x) a (ont) voté." in at_popcafe.locator("main").inner_text()
    wait_for(lambda: fabrik.query("SELECT 1 FROM decisions WHERE state = 'closed'"),
             timeout=CLOSE_IN + 30, what="the decision closed and announced")  # fmt: skip

    visitor = at_popcafe  # the public pages, as anyone reads them
    visitor.goto(popcafe.actor_id("bil"))
    main = visitor.locator("main").inner_text()
    assert "Lieux membres (2)" in main and "Tarif de passage à 6 €" in main
    accessible(visitor)
    screenshot(visitor, "network-group")
    visitor.get_by_role("link", name="Tarif de passage à 6 €").click()
    main = visitor.locator("main").inner_text()
    assert "Adoptée" in main and "D'accord après discussion" in main and "Pas encore" not in main
    assert "Nos coûts aussi" in main
    accessible(visitor)
    screenshot(visitor, "decision")
    visitor.get_by_role("link", name="Vérifier le décompte").click()
    assert "Valide : le décompte publié" in visitor.get_by_role("status").inner_text()
    accessible(visitor)
    screenshot(visitor, "decision-verification")
    # La Fabrik's team sees the result, recounted by its own node from the copy it holds.
    at_fabrik.goto(f"{fabrik.base_url}/equipe/decisions")
    past = at_fabrik.locator(
        "section", has=at_fabrik.get_by_role("heading", name="Décisions passées")
    )
    assert "Adoptée · Recompté ici : valide" in past.inner_text()
    # The rule adopted reached La Fabrik's node too.
    wait_for(lambda: '"6.00"' in str(fabrik.query("SELECT rules FROM networks")[0][0]),
             what="the new visit rate at La Fabrik")  # fmt: skip


def test_a_step_pledged_and_matched_from_the_teams_pages(
    bil: Places, team_browser: TeamBrowser
) -> None:
    popcafe, fabrik = bil["popcafe"], bil["fabrik"]
    at_fabrik = team_browser(fabrik, "ines", "team")
    at_popcafe = team_browser(popcafe, "jules", "team")

    at_fabrik.goto(f"{fabrik.base_url}/equipe/etapes")
    at_fabrik.get_by_label("Nom de l'étape").fill("Serveur mutualisé")
    at_fabrik.get_by_label("Lignes de budget").fill("Serveur = 1200,00\nFormation = 800,00")
    at_fabrik.get_by_role("button", name="Publier l'étape").click()
    at_fabrik.wait_for_url(f"{fabrik.base_url}/equipe/etapes?fait=etape")
    step = str(fabrik.query("SELECT id FROM steps")[0][0])
    at_fabrik.get_by_label("Serveur mutualisé").check()
    at_fabrik.get_by_label("Plafond par lieu (facultatif)").fill("500")
    at_fabrik.get_by_role("button", name="Signer et publier la règle").click()
    at_fabrik.wait_for_url(f"{fabrik.base_url}/equipe/etapes?fait=regle")
    at_fabrik.get_by_label("Adresse de l'étape").fill(step)
    at_fabrik.get_by_label("Montant").fill("200,00")
    at_fabrik.get_by_role("button", name="Signer et envoyer l'engagement").click()
    at_fabrik.wait_for_url(f"{fabrik.base_url}/equipe/etapes?fait=engagement")
    accessible(at_fabrik)
    screenshot(at_fabrik, "team-steps")

    at_popcafe.goto(f"{popcafe.base_url}/equipe/etapes")
    at_popcafe.get_by_label("Adresse de l'étape").fill(step)
    at_popcafe.get_by_label("Montant").fill("600,00")
    at_popcafe.get_by_role("button", name="Signer et envoyer l'engagement").click()
    at_popcafe.wait_for_url(f"{popcafe.base_url}/equipe/etapes?fait=engagement")
    wait_for(lambda: len(fabrik.query("SELECT 1 FROM step_pledges")) == 2,
             what="PopCafé's pledge at the step's home")  # fmt: skip

    at_fabrik.goto(step)
    main = at_fabrik.locator("main").inner_text()
    assert "800,00 EUR promis et 500,00 EUR abondés" in main
    assert at_fabrik.locator("svg.progress").count() == 1
    accessible(at_fabrik)
    screenshot(at_fabrik, "step")
    at_fabrik.get_by_role("link", name="L'observatoire des financements").click()
    main = at_fabrik.locator("main").inner_text()
    assert "Pop Café" in main or popcafe.name in main
    assert at_fabrik.locator("svg.chart").count() == 2
    accessible(at_fabrik)
    screenshot(at_fabrik, "observatory")


def test_a_place_leaves_the_network_from_its_team_page(
    bil: Places, team_browser: TeamBrowser
) -> None:
    """Last of the module: La Fabrik is no member afterwards."""
    popcafe, fabrik = bil["popcafe"], bil["fabrik"]
    group = popcafe.actor_id("bil")
    at_popcafe = team_browser(popcafe, "lea", "team")
    at_popcafe.goto(f"{popcafe.base_url}/equipe/decisions")
    networks = at_popcafe.locator(
        "section", has=at_popcafe.get_by_role("heading", name="Réseaux du lieu")
    )
    assert "Ce lieu héberge le réseau : il ne peut pas le quitter." in networks.inner_text()
    assert networks.get_by_role("button").count() == 0
    # Each is the other's peer through the network, at its rate.
    at_popcafe.goto(f"{popcafe.base_url}/equipe/pairs")
    assert "Tarif du réseau" in at_popcafe.locator("main").inner_text()

    at_fabrik = team_browser(fabrik, "noe", "team")
    at_fabrik.goto(f"{fabrik.base_url}/equipe/decisions")
    leave = at_fabrik.get_by_role("button", name="Quitter le réseau")
    leave.click()  # the box is not ticked: the browser asks for it, nothing is sent
    assert at_fabrik.url == f"{fabrik.base_url}/equipe/decisions"
    assert fabrik.query("SELECT place_state FROM networks")[0][0] == "member"
    accessible(at_fabrik)
    screenshot(at_fabrik, "team-decisions-leave")
    at_fabrik.get_by_label("Oui, le lieu quitte ce réseau", exact=False).check()
    leave.click()
    at_fabrik.wait_for_url(f"{fabrik.base_url}/equipe/decisions?fait=quitte")
    assert "Le lieu a quitté le réseau" in at_fabrik.get_by_role("status").inner_text()
    assert "Ce lieu n'est membre d'aucun réseau" in at_fabrik.locator("main").inner_text()
    members = "SELECT members FROM networks WHERE id = ?"
    wait_for(lambda: fabrik.actor_id() not in str(popcafe.query(members, (group,))),
             what="La Fabrik removed")  # fmt: skip
    peer = "SELECT 1 FROM peers WHERE actor_id = ?"
    wait_for(lambda: not popcafe.query(peer, (fabrik.actor_id(),)), what="La Fabrik no peer")

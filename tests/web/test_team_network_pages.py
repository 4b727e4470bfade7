"""The team's network pages across two real nodes, in Chromium on a phone: La Fabrik (home of
Bob) and PopCafé (where Bob drops in) take each other as peers from /equipe/pairs; Bob's badge
is issued at home from the team's members page and checked in at PopCafé's desk (`interlieux
checkin`, no card reader); PopCafé's team claims the month from /equipe/reclamations; La
Fabrik's node checks the claim and accepts it (claims are answered by the home node's checks,
not by hand: its team sees the verdict on its claims page); both ledger pages show the
balance; La Fabrik's team declares the payment the netting proposes, PopCafé's team confirms
it, and both ledgers are settled. On the way: the doors, deliveries and work pages."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page

from federation_tests.badges import CARD, checkin
from federation_tests.network import LocalPlace, Places, wait_for
from node.web.team.peers import peer_key

from .conftest import TeamBrowser, accessible, screenshot
from .test_team_pages import issue_badge as issue_badge_from_members_page

RATE = "5,00"


def issue_badge(team: Page, home: LocalPlace, member: str) -> str:
    """The home place's team issues `member` a badge for their card, from the member's page
    (/equipe/membres, the team-place journey's step); the text of its QR code (BIL1:)."""
    return issue_badge_from_members_page(team, home.base_url, member, card_uid=CARD)


def add_peer(page: Page, place: LocalPlace, other: LocalPlace) -> None:
    page.goto(f"{place.base_url}/equipe/pairs")
    page.get_by_label("Adresse de l'acteur du lieu").fill(other.actor_id())
    page.get_by_label("Prix convenu par passage").fill(RATE)
    page.get_by_label("Devise").fill("EUR")
    page.get_by_role("button", name="Enregistrer le pair").click()
    page.wait_for_url(f"{place.base_url}/equipe/pairs?fait=ajoute")
    assert "Pair enregistré" in page.get_by_role("status").inner_text()
    assert other.name in page.locator("main").get_by_role("heading", level=2).all_inner_texts()


def settled_between(a: LocalPlace, b: LocalPlace) -> bool:
    rows = a.query("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE account = ?",
                   (f"peer:{b.actor_id()}",))  # fmt: skip
    return int(rows[0][0]) == 0


def test_a_visit_is_claimed_accepted_and_settled_from_the_teams_pages(
    places: Places, team_browser: TeamBrowser
) -> None:
    home, visited = places["fabrik"], places["popcafe"]
    assert settled_between(visited, home), "this test starts from settled books"
    at_home = team_browser(home, "hugo", "team")
    at_visited = team_browser(visited, "camille", "admin")

    # The two teams agree on a price per visit and say so on their peers pages.
    add_peer(at_visited, visited, home)
    accessible(at_visited)
    screenshot(at_visited, "team-peers")
    add_peer(at_home, home, visited)

    # Bob's badge, issued at home from the browser, checked in at PopCafé's desk.
    grant = issue_badge(at_home, home, "bob")
    code, decision = checkin(visited, grant, CARD, door="accueil")
    assert code == 0, decision
    visit = str(decision["visit"])
    wait_for(lambda: home.query("SELECT 1 FROM visits WHERE id = ?", (visit,)),
             what="the visit reported to La Fabrik")  # fmt: skip

    # The desk's tap on PopCafé's doors page.
    at_visited.goto(f"{visited.base_url}/equipe/portes")
    assert "accueil" in at_visited.locator("table").inner_text()
    accessible(at_visited)
    screenshot(at_visited, "team-doors")

    # PopCafé claims this month now (the node would do it itself next month).
    month = datetime.now(UTC).strftime("%Y-%m")
    wait_for(lambda: visited.query(
        "SELECT 1 FROM deliveries d JOIN activities a ON a.id = d.activity_id"
        " WHERE a.object_id = ? AND d.state = 'delivered'", (visit,)),
        what="the visit's report delivered")  # fmt: skip
    at_visited.goto(f"{visited.base_url}/equipe/reclamations")
    at_visited.get_by_label("Mois des passages").fill(month)
    at_visited.get_by_role("button", name="Envoyer les réclamations").click()
    at_visited.wait_for_url(f"{visited.base_url}/equipe/reclamations?*")
    assert "1 réclamation(s) envoyée(s)." in at_visited.get_by_role("status").inner_text()

    # La Fabrik's node checks the claim as it arrives and accepts the line.
    wait_for(lambda: home.query("SELECT 1 FROM claim_lines WHERE visit_id = ? AND"
                                " state = 'accepted'", (visit,)),
             what="the claim accepted at La Fabrik")  # fmt: skip
    at_home.goto(f"{home.base_url}/equipe/reclamations")
    received = at_home.locator(
        "section", has=at_home.get_by_role("heading", name="Réclamations reçues")
    )
    assert "PopCafé" in received.inner_text() and "acceptée" in received.inner_text()
    received.get_by_text("Voir les lignes").first.click()
    assert visit in received.inner_text()
    accessible(at_home)
    screenshot(at_home, "team-claims")

    # PopCafé hears the answer: its claim accepted, La Fabrik owes it a visit.
    wait_for(lambda: visited.query("SELECT 1 FROM claim_lines WHERE visit_id = ? AND"
                                   " state = 'accepted'", (visit,)),
             what="the answer at PopCafé")  # fmt: skip
    at_visited.goto(f"{visited.base_url}/equipe/reclamations")
    sent = at_visited.locator(
        "section", has=at_visited.get_by_role("heading", name="Réclamations envoyées")
    )
    assert "acceptée" in sent.inner_text()
    at_visited.goto(f"{visited.base_url}/equipe/pairs/{peer_key(home.actor_id())}")
    assert at_visited.locator(".balance").inner_text() == "5,00 EUR"
    assert "vous doit" in at_visited.locator("main").inner_text()
    with at_visited.expect_download() as download:
        at_visited.get_by_role("link", name="Télécharger les écritures (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("date;transaction;nature") and "5,00" in rows[-1]
    accessible(at_visited)
    screenshot(at_visited, "team-peer-ledger")
    at_home.goto(f"{home.base_url}/equipe/pairs/{peer_key(visited.actor_id())}")
    assert at_home.locator(".balance").inner_text() == "-5,00 EUR"
    assert "vous lui devez" in at_home.locator("main").inner_text()

    # La Fabrik pays what the netting proposes; PopCafé confirms the money arrived.
    at_home.goto(f"{home.base_url}/equipe/reglements")
    at_home.get_by_role("link", name="Préparer la déclaration").click()
    assert at_home.get_by_label("Montant").input_value() == "5.00"
    at_home.get_by_label("Référence du virement").fill("VIR-FABRIK-001")
    at_home.get_by_role("button", name="Déclarer le paiement").click()
    at_home.wait_for_url(f"{home.base_url}/equipe/reglements?fait=declare")
    wait_for(lambda: visited.query("SELECT 1 FROM settlements WHERE state = 'to_confirm'"),
             what="the declaration at PopCafé")  # fmt: skip
    at_visited.goto(f"{visited.base_url}/equipe/reglements")
    assert "VIR-FABRIK-001" in at_visited.locator("main").inner_text()
    accessible(at_visited)
    screenshot(at_visited, "team-settlements")
    at_visited.get_by_role("button", name="Confirmer : l'argent est arrivé").click()
    at_visited.wait_for_url(f"{visited.base_url}/equipe/reglements?fait=confirme")
    wait_for(lambda: settled_between(home, visited) and settled_between(visited, home),
             what="both books settled")  # fmt: skip
    at_home.goto(f"{home.base_url}/equipe/pairs/{peer_key(visited.actor_id())}")
    assert "soldé" in at_home.locator("main").inner_text()

    # The administrator's pages: what is sent and refused, and the long work.
    at_visited.goto(f"{visited.base_url}/equipe/envois")
    assert at_visited.get_by_role("heading", name="Refus de la boîte de réception").is_visible()
    accessible(at_visited)
    screenshot(at_visited, "team-deliveries")
    at_visited.goto(f"{visited.base_url}/equipe/travaux")
    assert at_visited.get_by_role("heading", name="Graphe de connaissances").is_visible()
    pause = at_visited.get_by_role("button", name="Mettre en pause la mise à jour")
    pause.click()  # the script that updates the figures in place is there, and can be stopped
    assert pause.get_attribute("aria-pressed") == "true"
    accessible(at_visited)
    screenshot(at_visited, "team-work")

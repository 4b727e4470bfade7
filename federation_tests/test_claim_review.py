"""A claim answered by hand between real nodes (issue 14): the home place validates the claims
it receives by hand; the visited place claims a visit of its member; the line waits at the home
place (nothing booked on either side) until the home team confirms it on its claims page; then
the visited place's ledger shows the accepted line and both books balance."""

from __future__ import annotations

import contextlib
import re

import httpx

from .badges import issue
from .ledger_network import booked, checkin, lines, send_claims, settled
from .network import Pair, wait_for

PASSWORD = "une phrase assez longue"


def team_browser(place_url: str, invite_link: str) -> httpx.Client:
    """A team member's browser: the invitation link followed, a password chosen."""
    headers = {"accept": "text/html", "origin": place_url}
    browser = httpx.Client(base_url=place_url, headers=headers, timeout=30)
    form = {"csrf": csrf_of(browser.get(invite_link)), "password": PASSWORD,
            "confirmation": PASSWORD}  # fmt: skip
    answer = browser.post(invite_link, data=form)
    assert answer.status_code == 303, answer.text
    return browser


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_the_home_team_confirms_a_claim_from_its_page_and_both_books_balance(
    home_and_visited: Pair,
) -> None:
    home, visited = home_and_visited
    out = home.cli("claims", "rules", "--data", str(home.data), "--manual", "oui").stdout
    assert "validées à la main par l'équipe" in out

    visit = checkin(home, visited, issue(home))
    assert "1 passage(s), 5.00 EUR" in send_claims(visited)
    wait_for(lambda: lines(home, "received").get(visit), what="the claim at the home place")
    assert lines(home, "received")[visit] == ("pending", None)
    assert lines(visited, "sent")[visit] == ("pending", None)
    assert booked(home, visited) == "0.00" and booked(visited, home) == "0.00"

    link = home.cli("member", "invite", "--data", str(home.data), "--handle", "tess",
                    "--name", "Tess", "--role", "team").stdout  # fmt: skip
    with contextlib.closing(team_browser(home.base_url, link.strip().splitlines()[-1])) as browser:
        page = browser.get("/equipe/reclamations")
        assert "Réclamation de PopCafé" in page.text and "Alice Martin" in page.text
        (claim_id,) = re.findall(r'name="claim" value="([^"]+)"', page.text)
        ticked = {"csrf": csrf_of(page), "claim": claim_id, "decision": "confirm", "visit-1": visit}
        answer = browser.post("/equipe/reclamations/decider", data=ticked)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/equipe/reclamations?confirmes=1&contestes=0&deja=0"

        settled(home, visited, "5.00", cli=True)
        assert lines(visited, "sent")[visit] == ("accepted", None)
        assert lines(home, "received")[visit] == ("accepted", None)
        listing = visited.cli("claims", "list", "--data", str(visited.data)).stdout
        assert "acceptée" in listing and claim_id in listing
        for place in (home, visited):
            total = place.query("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries")[0][0]
            assert total == 0  # every transaction balances

        # The form sent again decides nothing: the books stay where they are.
        again = browser.post("/equipe/reclamations/decider", data={
            "csrf": csrf_of(browser.get("/equipe/reclamations")), "claim": claim_id,
            "decision": "confirm_all"}, follow_redirects=True)  # fmt: skip
        assert "Ces passages avaient déjà été décidés." in again.text
        settled(home, visited, "5.00", cli=True)

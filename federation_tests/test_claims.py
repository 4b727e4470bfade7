"""Claims between real nodes: the visited place claims its visits, the home place checks and
answers, and both ledgers agree (issue 6, acceptance)."""

from __future__ import annotations

import json

from node.access import grant as grants

from .badges import CARD, issue
from .ledger_network import balance, checkin, forge_visit, lines, send_claims, settled
from .network import Pair, wait_for


def test_two_visits_claimed_make_both_ledgers_agree_on_ten_euros(
    home_and_visited: Pair,
) -> None:
    home, visited = home_and_visited
    grant = issue(home)
    visits = {checkin(home, visited, grant) for _ in range(2)}

    out = send_claims(visited)
    assert "Réclamation envoyée" in out and "2 passage(s), 10.00 EUR" in out
    settled(home, visited, "10.00", cli=True)
    assert balance(home, visited) == "-10.00"
    assert balance(visited, home) == "10.00"
    assert {v: s for v, (s, _) in lines(home, "received").items()} == dict.fromkeys(
        visits, "accepted"
    )

    # The same period again: nothing new to claim, nothing moves.
    assert "Rien de nouveau" in send_claims(visited)
    settled(home, visited, "10.00")
    listing = visited.cli("claims", "list", "--data", str(visited.data)).stdout
    assert "acceptée" in listing and home.actor_id() in listing


def test_a_visit_never_reported_and_a_rate_not_agreed_are_refused_with_reasons(
    home_and_visited: Pair,
) -> None:
    home, visited = home_and_visited
    grant = issue(home)
    grant_id = grants.read(grants.from_text(grant))[0].grant_id
    real = checkin(home, visited, grant)
    forged = forge_visit(visited, home, grant_id)
    send_claims(visited)
    wait_for(lambda: lines(visited, "sent")[forged][0] == "rejected", what="the refusal")
    assert lines(visited, "sent")[forged] == ("rejected", "unknown_visit")
    assert lines(visited, "sent")[real] == ("accepted", None)
    settled(home, visited, "15.00")

    # B now claims at 6.00, which A never agreed to.
    visited.cli("peer", "add", "--data", str(visited.data), "--actor", home.actor_id(),
                "--visit-rate", "6.00")  # fmt: skip
    try:
        costly = checkin(home, visited, grant)
        send_claims(visited)
        wait_for(lambda: lines(visited, "sent")[costly][0] == "rejected", what="the refusal")
        assert lines(visited, "sent")[costly] == ("rejected", "rate_not_agreed")
    finally:
        visited.cli("peer", "add", "--data", str(visited.data), "--actor", home.actor_id(),
                    "--visit-rate", "5.00")  # fmt: skip
    settled(home, visited, "15.00")
    listing = visited.cli("claims", "list", "--data", str(visited.data)).stdout
    assert "tarif non convenu" in listing and "passage inconnu" in listing
    english = visited.cli("--lang", "en", "claims", "list", "--data", str(visited.data)).stdout
    assert "rate not agreed" in english
    table = home.cli("ledger", "--data", str(home.data)).stdout
    assert "-15.00 EUR" in table and "vous lui devez" in table


def test_credit_sold_by_the_home_place_and_spent_at_a_peer_is_claimed_and_debited(
    home_and_visited: Pair,
) -> None:
    home, visited = home_and_visited
    data = str(home.data)
    out = home.cli("credit", "sell", "--data", data, "--account", "metropole", "--member",
                   "alice", "--amount", "20.00", "--overdraft", "5.00").stdout  # fmt: skip
    assert "20.00 disponibles" in out
    grant = issue(home, "alice", CARD, "--credit-account", "metropole")
    assert grants.read(grants.from_text(grant))[0].credit_account == "metropole"
    visit = checkin(home, visited, grant)
    send_claims(visited)
    settled(home, visited, "20.00")
    assert lines(home, "received")[visit] == ("accepted", None)

    statement = json.loads(home.cli("credit", "statement", "--data", data, "--account",
                                    "metropole", "--json").stdout)  # fmt: skip
    assert [(u["kind"], u["amount"], u["place"], u["visit"], u["remaining"])
            for u in statement["uses"]] == [
        ("credit_sale", "20.00", None, None, "20.00"),
        ("claim", "-5.00", visited.actor_id(), visit, "15.00"),
    ]  # fmt: skip
    text = home.cli("credit", "statement", "--data", data, "--account", "metropole").stdout
    assert f"passage à {visited.actor_id()}" in text and "reste 15.00" in text
    # The visit was paid by the credit, not by the home place's own budget.
    expense = home.query("SELECT COUNT(*) FROM ledger_entries WHERE reference = ?"
                         " AND account = 'expense:visits'", (visit,))[0][0]  # fmt: skip
    assert expense == 0
    missing = home.cli("credit", "statement", "--data", data, "--account", "inconnu",
                       check=False)  # fmt: skip
    assert missing.returncode == 2 and "credit sell" in missing.stderr


def test_the_door_refuses_a_credit_grant_once_the_account_is_spent(
    home_and_visited: Pair,
) -> None:
    """The seller announces balances to its peers; their doors refuse past the overdraft."""
    home, visited = home_and_visited
    data = str(home.data)
    home.cli("credit", "sell", "--data", data, "--account", "tiers-lieux-mel", "--member",
             "alice", "--amount", "10.00")  # fmt: skip
    known = "SELECT remaining_cents FROM peer_credit WHERE account = ?"
    wait_for(lambda: visited.query(known, ("tiers-lieux-mel",)), what="the balance at the peer")
    grant = issue(home, "alice", CARD, "--credit-account", "tiers-lieux-mel")
    checkin(home, visited, grant)
    checkin(home, visited, grant)  # 10.00 of credit, two visits at 5.00: both accepted
    send_claims(visited)
    wait_for(lambda: visited.query("SELECT remaining_cents FROM peer_credit WHERE account = ?"
                                   " AND remaining_cents = 0", ("tiers-lieux-mel",)),
             what="the spent balance announced to the peer")  # fmt: skip
    result = visited.cli("checkin", "--data", str(visited.data), "--grant", grant,
                         "--card-uid", CARD, check=False)  # fmt: skip
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "no_credit"

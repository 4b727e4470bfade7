"""Claims received answered by hand (issue 14): with the rule on, the lines that pass the checks
wait for the team while those that fail are refused at once; the team confirms (the same books
as the automatic path, once) or disputes with a reason the claimant receives. The place under
test is the home place; a stand-in peer reports visits and claims them (`claiming`)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from node.cli import main as cli
from node.ledger import claim
from tests.node.conftest import InProcessNode, StandIn
from tests.node.ledger.claiming import (
    answers,
    badge,
    entries,
    lines_of,
    period,
    report,
    send_claim,
)
from tests.node.web.session import run
from tests.node.web.team.peering import add_peer, peer_place


def failing(*args: str) -> tuple[int, str]:
    """An `interlieux` command expected to fail: (exit code, what it said on stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli(list(args))
    return code, err.getvalue()


def count_answers(place: InProcessNode, kind: str, claim_id: str) -> int:
    """Answers of `kind` about the claim the place has emitted (its outbox, not the wire)."""
    rows = place.query("SELECT document FROM activities WHERE type = ?", (kind,))
    return sum(1 for (doc,) in rows if json.loads(doc).get("tl:claim") == claim_id)


def test_lines_wait_for_the_team_and_a_confirmed_line_books_what_the_node_would_have(
    place: InProcessNode, stand_in: StandIn
) -> None:
    data = str(place.config.data_dir)
    peer = peer_place(stand_in)
    add_peer(place, peer)
    month = period()

    # The rule off (the default): the node accepts the line on arrival.
    first = report(place, peer, badge(place, "04A10000000001")[1])
    auto = send_claim(place, peer, [first])["object"]["id"]
    assert lines_of(place, auto) == {first.visit: ("accepted", None)}
    booked_auto = entries(place, f"claim:{auto}")
    assert booked_auto == [
        ("claim", f"Réclamation {month}", "expense:visits", 500, "EUR", first.visit),
        ("claim", f"Réclamation {month}", f"peer:{peer.actor}", -500, "EUR", auto),
    ]

    out = run("claims", "rules", "--data", data, "--manual", "oui")
    assert "Réclamations reçues : validées à la main par l'équipe." in out
    assert "redémarrez" not in out  # read when a claim arrives: no restart

    held = report(place, peer, badge(place, "04A10000000002")[1])
    forged = claim.Line(f"{peer.actor}/visits/jamais-signale", held.visited_at, held.grant,
                        held.visitor, held.amount_cents)  # fmt: skip
    manual = send_claim(place, peer, [held, forged])["object"]["id"]
    assert lines_of(place, manual) == {held.visit: ("pending", None),
                                       forged.visit: ("rejected", "unknown_visit")}  # fmt: skip
    # The failing line is refused at once; the held one is said nothing of yet.
    refusal = peer.stand_in.wait_received(
        lambda body: body.get("type") == "Reject" and body.get("tl:claim") == manual
    )
    assert [ln["tl:visit"] for ln in refusal["tl:lines"]] == [forged.visit]
    assert count_answers(place, "Accept", manual) == 0
    assert entries(place, f"claim:{manual}") == []
    assert place.query("SELECT answered_at FROM claims WHERE id = ?", (manual,)) == [(None,)]
    listing = run("claims", "list", "--data", data)
    assert "1 passage(s) à valider par l'équipe" in listing

    out = run("claims", "confirm", "--data", data, "--claim", manual)
    assert "1 passage(s) confirmé(s), 0 contesté(s) ; 0 encore à valider" in out
    assert lines_of(place, manual)[held.visit] == ("accepted", None)
    # The same entries the automatic path books, for this visit and this claim.
    assert entries(place, f"claim:{manual}") == [
        ("claim", f"Réclamation {month}", "expense:visits", 500, "EUR", held.visit),
        ("claim", f"Réclamation {month}", f"peer:{peer.actor}", -500, "EUR", manual),
    ]
    accept = peer.stand_in.wait_received(
        lambda body: body.get("type") == "Accept" and body.get("tl:claim") == manual
    )
    assert accept["tl:lines"] == [held.visit] and accept["tl:total"] == "5.00"
    assert accept["object"]["object"]["id"] == manual
    assert place.query("SELECT answered_at IS NOT NULL FROM claims WHERE id = ?",
                       (manual,)) == [(1,)]  # fmt: skip

    # The same confirmation again (a form sent twice): nothing moves, nothing is sent.
    again = run("claims", "confirm", "--data", data, "--claim", manual, "--visit", held.visit)
    assert "0 passage(s) confirmé(s)" in again
    assert len(entries(place, f"claim:{manual}")) == 2
    assert count_answers(place, "Accept", manual) == 1
    balance = place.query("SELECT SUM(amount_cents) FROM ledger_entries WHERE account = ?",
                          (f"peer:{peer.actor}",))  # fmt: skip
    assert balance == [(-1000,)]
    assert place.query("SELECT SUM(amount_cents) FROM ledger_entries") == [(0,)]


def test_a_peer_of_its_own_rule_a_dispute_with_its_reason_and_a_visit_paid_once(
    place: InProcessNode, stand_in: StandIn
) -> None:
    data = str(place.config.data_dir)
    peer = peer_place(stand_in)
    add_peer(place, peer)
    out = run("claims", "rules", "--data", data, "--manual", "oui", "--peer", peer.actor)
    assert "répondues par les vérifications du nœud" in out  # the place's rule
    assert f"de {peer.actor} : validées à la main par l'équipe." in out
    code, said = failing("claims", "rules", "--data", data, "--manual", "oui", "--peer",
                         "https://ailleurs.example/actors/x")  # fmt: skip
    assert code == 2 and "n'est pas un lieu pair" in said

    kept, doubtful = (report(place, peer, badge(place, card)[1])
                      for card in ("04B10000000001", "04B10000000002"))  # fmt: skip
    first = send_claim(place, peer, [kept, doubtful])["object"]["id"]
    # The same visit claimed again under another id before the first was decided: held too.
    second = send_claim(place, peer, [kept])["object"]["id"]
    assert lines_of(place, second) == {kept.visit: ("pending", None)}

    code, said = failing("claims", "dispute", "--data", data, "--claim", first, "--visit",
                         doubtful.visit, "--reason", "   ")  # fmt: skip
    assert code == 2 and "Dites pourquoi vous contestez" in said
    out = run("claims", "dispute", "--data", data, "--claim", first, "--visit", doubtful.visit,
              "--reason", "Alice était en congé ce jour-là")  # fmt: skip
    assert "0 passage(s) confirmé(s), 1 contesté(s) ; 1 encore à valider" in out
    assert lines_of(place, first)[doubtful.visit] == ("rejected", "disputed")
    dispute = peer.stand_in.wait_received(
        lambda body: body.get("type") == "Reject" and body.get("tl:claim") == first
    )
    assert dispute["tl:lines"] == [{
        "tl:visit": doubtful.visit, "tl:reason": "disputed",
        "summary": "contesté par l'équipe du lieu d'origine",
        "content": "Alice était en congé ce jour-là",
    }]  # fmt: skip
    listing = run("claims", "list", "--data", data)
    assert "contesté par l'équipe du lieu d'origine : « Alice était en congé ce jour-là »" in (
        listing
    )

    run("claims", "confirm", "--data", data, "--claim", first)
    out = run("claims", "confirm", "--data", data, "--claim", second)
    assert "1 refusé(s) (déjà payé(s) dans une autre réclamation)" in out
    assert lines_of(place, second) == {kept.visit: ("rejected", "already_claimed")}
    assert entries(place, f"claim:{second}") == []
    refusal = peer.stand_in.wait_received(
        lambda body: body.get("type") == "Reject" and body.get("tl:claim") == second
    )
    assert [ln["tl:reason"] for ln in refusal["tl:lines"]] == ["already_claimed"]
    assert answers(peer, second, "Accept") == [] and count_answers(place, "Accept", second) == 0
    balance = place.query("SELECT SUM(amount_cents) FROM ledger_entries WHERE account = ?",
                          (f"peer:{peer.actor}",))  # fmt: skip
    assert balance == [(-500,)]

    # The peer follows the place's rule again: answered on arrival.
    out = run("claims", "rules", "--data", data, "--manual", "lieu", "--peer", peer.actor)
    assert peer.actor not in out
    later = report(place, peer, badge(place, "04B10000000003")[1])
    third = send_claim(place, peer, [later])["object"]["id"]
    assert lines_of(place, third) == {later.visit: ("accepted", None)}


@pytest.mark.parametrize(("args", "expected"), [
    (("--manual", "lieu"), "Pour le lieu, répondez oui ou non."),
    (("--peer", "https://x.example/a"), "--peer s'emploie avec --manual oui, non ou lieu."),
])  # fmt: skip
def test_the_rule_is_said_in_words_a_team_reads(
    place: InProcessNode, args: tuple[str, str], expected: str
) -> None:
    code, said = failing("claims", "rules", "--data", str(place.config.data_dir), *args)
    assert code == 2
    assert expected in said

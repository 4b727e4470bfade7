"""A network's rules (pure): the values each takes, as the network keeps them, and what a
member node reads of what a Group announces."""

from __future__ import annotations

import pytest

from node.access.peering import Network
from node.errors import ConfigError
from node.governance import rules
from node.ledger.credit import network_overdraft


@pytest.mark.parametrize(
    ("name", "value", "kept"),
    [
        ("visitRate", "6", "6.00"),
        ("visitRate", " 6,5 ", "6.50"),
        ("overdraft", "0", "0.00"),
        ("admission", "consent", "consent"),
    ],
)
def test_a_rule_is_kept_as_every_node_reads_it(name: str, value: str, kept: str) -> None:
    assert rules.checked(name, value) == kept


@pytest.mark.parametrize(
    ("name", "value", "french"),
    [
        ("couleur", "bleu", "règle inconnue ; les règles sont visitRate, overdraft, admission"),
        ("visitRate", "6.001", "visitRate est un montant"),
        ("overdraft", "-1", "ne peut pas être négatif"),
        ("admission", "unanimity", "consent ou majority"),
    ],
)
def test_a_value_a_rule_cannot_take_is_refused_in_french(
    name: str, value: str, french: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        rules.checked(name, value)
    assert french in exc.value.message("fr")
    assert exc.value.message("en").startswith("Proposal")


def test_what_a_member_node_reads_of_the_announced_rules() -> None:
    assert rules.visit_terms(rules.DEFAULT_RULES) == ("5.00", "EUR")
    assert rules.visit_terms({"visitRate": "7", "currency": "chf"}) == ("7.00", "CHF")
    assert rules.visit_terms({"overdraft": "1"}) is None  # not said: no terms
    assert rules.overdraft({"overdraft": "12.5"}) == (1250, "EUR")
    assert rules.overdraft({"overdraft": "beaucoup"}) is None
    assert rules.admission_mode({"admission": "consent"}) == "consent"
    assert rules.admission_mode({"admission": "tirage au sort"}) == "majority"
    assert rules.admission_mode({}) == "majority"


def test_a_new_account_opens_on_the_smallest_overdraft_of_the_places_networks() -> None:
    a = Network("https://a.example/actors/bil", (), {"overdraft": "10.00"})
    b = Network("https://b.example/actors/sud", (), {"overdraft": "5.00"})
    c = Network("https://c.example/actors/ch", (), {"overdraft": "1.00", "currency": "CHF"})
    assert network_overdraft([a, b, c], "EUR") == ("https://b.example/actors/sud", 500)
    assert network_overdraft([a, c], "CHF") == ("https://c.example/actors/ch", 100)
    assert network_overdraft([], "EUR") is None
    same = Network("https://0.example/actors/zero", (), {"overdraft": "5"})
    assert network_overdraft([b, same], "EUR") == ("https://0.example/actors/zero", 500)

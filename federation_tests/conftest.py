"""The places the federation tests run against, started once per module.

`network` builds any set of places (see `Network`); the fixtures below are the shapes that
several modules share. Each is module-scoped: its places start before the module's first test
and stop after its last, also when something failed on the way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .network import Network, Pair, Places

VISIT_RATE = "5.00"  # euros a visit, agreed between home and visited places


@pytest.fixture(scope="module")
def network(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Network]:
    """Call it with the places a module needs; they are all stopped at the module's end."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    places = Network(tmp_path_factory.mktemp(module))
    try:
        yield places
    finally:
        places.stop()


@pytest.fixture(scope="module")
def home_and_visited(network: Network) -> Pair:
    """Home place coroutine (member alice) and visited place popcafe, peers at 5.00 EUR a
    visit: the compensation tests' pair. Their member taps the same badge at the same door
    many times a minute, so the home place pays every visit (`claims rules --visit-spacing
    0`); `test_claim_rules` has a pair with the default rules."""
    places = network(
        {"coroutine": ["alice"], "popcafe": []},
        peers=[("coroutine", "popcafe")],
        visit_rate=VISIT_RATE,
    )
    home = places["coroutine"]
    home.cli("claims", "rules", "--data", str(home.data), "--visit-spacing", "0")
    home.stop()  # `serve` reads node.json when it starts
    home.start()
    return home, places["popcafe"]


@pytest.fixture(scope="module")
def peers_and_stranger(network: Network) -> Places:
    """coroutine (member alice) and popcafe, peers without a rate; inconnu (member zoe), a place
    neither of them knows: the badge's and the door's three places."""
    return network(
        {"coroutine": ["alice"], "popcafe": [], "inconnu": ["zoe"]},
        peers=[("coroutine", "popcafe")],
    )


@pytest.fixture(scope="module")
def strangers(network: Network) -> Pair:
    """coroutine, and popcafe with its member alice, who know nothing of each other yet: a
    receiving place and a sender for the tests that sign by hand."""
    places = network({"coroutine": [], "popcafe": ["alice"]})
    return places["coroutine"], places["popcafe"]

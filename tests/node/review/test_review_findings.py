"""Review of issue 14: tests that fail today."""

from __future__ import annotations

from tests.node.conftest import InProcessNode
from tests.node.people.test_passkeys import (
    Authenticator, add_from_me, passkey_sign_in, post, sign_in_page,
)
from tests.node.people.test_signin import HTML, form_token, invite, join
from node.web.gate import local_path


def test_a_tab_does_not_make_next_another_site() -> None:
    # A browser's URL parser drops tabs and newlines: "/\t/evil.example" is "//evil.example".
    for sneaky in ("/\t/evil.example", "/\t\\evil.example"):
        assert local_path(sneaky) == "/moi", repr(sneaky)


def test_a_passkey_sign_in_does_not_send_to_another_site(place: InProcessNode) -> None:
    join(place)
    phone = Authenticator()
    add_from_me(place, phone)
    token = sign_in_page(place)
    options = post(place, "/connexion/cle/options", {"csrf": token}).json()
    answer = {"csrf": token, "credential": phone.get(options), "next": "/\t/evil.example"}
    done = post(place, "/connexion/cle", answer)
    assert done.status_code == 200
    assert done.json()["to"] == "/moi"  # passkeys.js does location.assign(to)


def test_a_reset_link_ends_the_passkeys_of_a_lost_phone(place: InProcessNode) -> None:
    join(place)
    lost = Authenticator()
    add_from_me(place, lost)
    place.client.cookies.clear()
    path = invite(place, "alice")  # the team's reset link after the phone was stolen
    token = form_token(place.client.get(path, headers=HTML))
    reset = place.client.post(path, data={"csrf": token, "password": "une autre phrase longue",
                                  "confirmation": "une autre phrase longue"},
                      headers={"origin": "http://127.0.0.1:9"}, follow_redirects=False)
    assert reset.status_code == 303, reset.text
    assert passkey_sign_in(place, lost).status_code != 200


def test_erasure_leaves_no_handle_in_the_books_when_the_team_sold_credit(
    place: InProcessNode,
) -> None:
    from tests.node.web.session import sign_in_as

    sign_in_as(place, "alice")
    place.client.cookies.clear()
    team = sign_in_as(place, "tina", "team")
    # The team's form, account name left empty: it defaults to the member's handle.
    sold = place.client.post("/equipe/membres/alice/credit",
                             data={"csrf": team, "amount": "20"}, follow_redirects=False)
    assert sold.status_code == 303, sold.text
    place.client.cookies.clear()
    csrf = sign_in_as(place, "alice")
    erased = place.client.post("/moi/donnees/effacer", data={"csrf": csrf, "handle": "alice"},
                               follow_redirects=False)
    assert erased.status_code == 303
    left = place.query("SELECT memo FROM ledger_transactions WHERE memo LIKE '%alice%'")
    left += place.query("SELECT account FROM ledger_entries WHERE account LIKE '%alice%'")
    left += place.query("SELECT name FROM credit_accounts WHERE name LIKE '%alice%'")
    assert left == [], left


def test_an_issuer_is_a_prefix_of_the_metadata_url_on_its_own_origin() -> None:
    import pytest

    from node.errors import InterlieuxError
    from node.people import indieauth

    document = {"issuer": "https://a.example", "authorization_endpoint": "https://evil.example/auth"}
    for metadata_url in ("https://a.example.evil.example/m", "https://a.example@evil.example/m"):
        with pytest.raises(InterlieuxError):
            indieauth.server_from(document, metadata_url, "https://a.example/actors/alice")


def test_a_link_the_team_made_does_not_open_an_account_later_made_admin(
    place: InProcessNode,
) -> None:
    import re

    from tests.node.web.session import PASSWORD, sign_in_as

    sign_in_as(place, "bob", "team")  # a colleague with a password
    place.client.cookies.clear()
    csrf = sign_in_as(place, "tom", "team")  # tom holds team, not admin
    made = place.client.post("/equipe/membres/bob/lien", data={"csrf": csrf})
    assert made.status_code == 200  # allowed: bob is no admin (yet)
    link = re.search(r'readonly value="([^"]+/invitation/[^"]+)"', made.text)
    assert link
    place.client.cookies.clear()
    admin = sign_in_as(place, "ada", "admin")
    promoted = place.client.post("/equipe/membres/bob/roles", follow_redirects=False,
                                 data={"csrf": admin, "role_admin": "on", "role_team": "on"})
    assert promoted.status_code == 303
    place.client.cookies.clear()
    path = link.group(1).removeprefix(place.config.base_url)
    token = form_token(place.client.get(path, headers=HTML))
    taken = place.client.post(path, data={"csrf": token, "password": PASSWORD + "!",
                                          "confirmation": PASSWORD + "!"},
                              follow_redirects=False)
    # tom now holds bob's admin account: the link should have died with the promotion.
    assert taken.status_code != 303

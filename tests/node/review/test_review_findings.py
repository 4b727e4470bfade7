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

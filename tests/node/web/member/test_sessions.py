"""My sessions on `/moi`: Alice, signed in on her computer, her phone and a shared computer,
sees the three (device, signed in, last seen), closes the phone's, then all but this one."""

from __future__ import annotations

import html

import httpx

from node.people import sessions
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, PASSWORD, form_token, sign_in_as

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " \
    "Chrome/130.0.0.0 Mobile Safari/537.36"  # fmt: skip
SHARED = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"


def signed_in_elsewhere(place: InProcessNode, user_agent: str) -> httpx.Cookies:
    """Alice's password typed on another browser: that browser's cookies (the client's jar is
    left empty)."""
    place.client.cookies.clear()
    form = form_token(place.client.get("/connexion", headers=HTML))
    answer = place.client.post(
        "/connexion", data={"csrf": form, "username": "alice", "password": PASSWORD},
        headers={"user-agent": user_agent}, follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    cookies = httpx.Cookies(place.client.cookies)
    place.client.cookies.clear()
    return cookies


def opens_my_page(place: InProcessNode, cookies: httpx.Cookies) -> bool:
    place.client.cookies = httpx.Cookies(cookies)
    return place.client.get("/moi", headers=HTML, follow_redirects=False).status_code == 200


def open_ids(place: InProcessNode) -> list[int]:
    rows = place.query("SELECT id FROM sessions WHERE handle = 'alice' AND closed_at IS NULL")
    return sorted(r[0] for r in rows)


def test_the_device_is_named_from_the_user_agent() -> None:
    assert sessions.device(PHONE) == "Chrome · Android"
    assert sessions.device(SHARED) == "Firefox · Windows"
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0"
    assert sessions.device(edge) == "Edge · Windows"
    assert sessions.device("curl/8.5.0") == ""


def test_closing_sessions_needs_to_be_signed_in(place: InProcessNode) -> None:
    for path in ("/moi/sessions/fermer", "/moi/sessions/1/fermer"):
        answer = place.client.post(path, data={}, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/connexion?next=")


def test_alice_sees_her_sessions_and_closes_the_phone_then_the_others(
    place: InProcessNode,
) -> None:
    sign_in_as(place, "alice")
    mine = httpx.Cookies(place.client.cookies)
    phone = signed_in_elsewhere(place, PHONE)
    shared = signed_in_elsewhere(place, SHARED)
    # Bob's session, which Alice's forms cannot close.
    sign_in_as(place, "bob")
    bob = httpx.Cookies(place.client.cookies)
    [bob_session] = [r[0] for r in place.query("SELECT id FROM sessions WHERE handle = 'bob'")]

    place.client.cookies = httpx.Cookies(mine)
    page = place.client.get("/moi", headers=HTML)
    text = html.unescape(page.text)
    assert "Mes sessions" in text
    assert "Chrome · Android" in text and "Firefox · Windows" in text
    assert text.count("(cet appareil)") == 1 and "Fermer mes autres sessions" in text
    assert len(open_ids(place)) == 3
    csrf = form_token(page)

    # Without its token, or from another site: refused, nothing closed.
    for data, headers in (({}, {}), ({"csrf": csrf}, {"origin": "https://ailleurs.example"})):
        for path in ("/moi/sessions/fermer", f"/moi/sessions/{open_ids(place)[1]}/fermer"):
            answer = place.client.post(path, data=data, headers=headers, follow_redirects=False)
            assert answer.status_code == 403
    assert len(open_ids(place)) == 3

    # The phone's session: closed; its cookie opens nothing any more.
    [(phone_session,)] = place.query(
        "SELECT id FROM sessions WHERE user_agent = ? AND closed_at IS NULL", (PHONE,)
    )
    closed = place.client.post(f"/moi/sessions/{phone_session}/fermer", data={"csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert closed.status_code == 303
    assert closed.headers["location"] == "/moi?sessions=une#sessions"
    assert "Session fermée." in html.unescape(place.client.get("/moi?sessions=une").text)
    assert phone_session not in open_ids(place) and len(open_ids(place)) == 2
    assert not opens_my_page(place, phone)

    # Bob's session is not hers to close: nothing changes.
    place.client.cookies = httpx.Cookies(mine)
    other = place.client.post(f"/moi/sessions/{bob_session}/fermer", data={"csrf": csrf},
                              follow_redirects=False)  # fmt: skip
    assert other.headers["location"] == "/moi?sessions=aucune#sessions"
    nonsense = place.client.post("/moi/sessions/inconnu/fermer", data={"csrf": csrf},
                                 follow_redirects=False)  # fmt: skip
    assert nonsense.headers["location"] == "/moi?sessions=aucune#sessions"
    assert opens_my_page(place, bob)

    # All but this browser: the shared computer is signed out, she is not.
    place.client.cookies = httpx.Cookies(mine)
    others = place.client.post("/moi/sessions/fermer", data={"csrf": csrf},
                               follow_redirects=False)  # fmt: skip
    assert others.headers["location"] == "/moi?sessions=autres#sessions"
    assert len(open_ids(place)) == 1
    assert not opens_my_page(place, shared)
    assert opens_my_page(place, mine)
    text = html.unescape(place.client.get("/moi?sessions=autres", headers=HTML).text)
    assert "Vos autres sessions sont fermées." in text and "Aucune autre session ouverte." in text
    assert opens_my_page(place, bob)

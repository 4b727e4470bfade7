"""The sign-in pages in-process, as a browser uses them: an invitation link, choosing a
password, signing in and out, the cookie's flags, CSRF, throttling and the roles' gate."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.limits import Limits
from node.people import csrf, sessions
from node.web.gate import local_path, requires
from node.web.signin import handle_of
from tests.node.conftest import InProcessNode

PASSWORD = "une phrase assez longue"
HTML = {"accept": "text/html"}
TRIES = Limits().signin_per_account.burst


def session_cookie(place: InProcessNode) -> str:
    return sessions.cookie_name(place.config.base_url)


def form_cookie(place: InProcessNode) -> str:
    return csrf.form_cookie(place.config.base_url)


def run(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(list(args)) == 0
    return out.getvalue()


def invite(place: InProcessNode, handle: str = "alice", *more: str) -> str:
    """The link `interlieux member invite` prints, as a path."""
    out = run("member", "invite", "--data", str(place.config.data_dir), "--handle", handle, *more)
    link = out.strip().splitlines()[-1]
    assert link.startswith(f"{place.config.base_url}/invitation/")
    return link.removeprefix(place.config.base_url)


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def join(place: InProcessNode, handle: str = "alice", *more: str) -> httpx.Response:
    """Open the link, choose the password: the answer, with the session cookie set."""
    path = invite(place, handle, *more)
    page = place.client.get(path, headers=HTML)
    data = {"csrf": form_token(page), "password": PASSWORD, "confirmation": PASSWORD}
    return place.client.post(path, data=data, follow_redirects=False)


def sign_in(place: InProcessNode, username: str, password: str, **extra: str) -> httpx.Response:
    page = place.client.get("/connexion", headers=HTML)
    data = {"csrf": form_token(page), "username": username, "password": password, **extra}
    return place.client.post("/connexion", data=data, follow_redirects=False)


def set_cookie(answer: httpx.Response, name: str) -> str:
    found = [h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, answer.headers.get_list("set-cookie")
    return found[0]


def test_an_invited_member_chooses_a_password_and_lands_on_their_page(
    place: InProcessNode,
) -> None:
    path = invite(place, "alice", "--role", "team")
    page = place.client.get(path, headers=HTML)
    assert page.status_code == 200 and "Choisissez votre mot de passe" in page.text
    assert "@alice@127.0.0.1:9" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    flags = set_cookie(page, form_cookie(place)).lower()
    assert "path=/invitation/" in flags and "httponly" in flags
    short = place.client.post(path, data={"csrf": form_token(page), "password": "court",
                                          "confirmation": "court"})  # fmt: skip
    assert short.status_code == 400 and "12 caractères au moins" in short.text
    page = place.client.get(path, headers=HTML)
    data = {"csrf": form_token(page), "password": PASSWORD, "confirmation": PASSWORD}
    answer = place.client.post(path, data=data, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/moi"
    cookie = set_cookie(answer, session_cookie(place)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # an http:// base URL (development): no Secure
    assert f"max-age={180 * 86400}" in cookie
    me = place.client.get("/moi", headers=HTML)
    assert me.status_code == 200
    assert "Connecté·e en tant que <strong>@alice@127.0.0.1:9</strong>" in me.text
    assert "équipe" in me.text and "accueil à la porte" in me.text
    assert "Se déconnecter" in me.text and "Se connecter<" not in me.text
    assert me.headers["cache-control"] == "private, no-cache"
    # The link served once.
    again = place.client.get(path, headers=HTML)
    assert again.status_code == 410 and "Demandez-en un nouveau" in again.text


def test_the_session_cookie_is_secure_with_the_host_prefix_on_an_https_node(
    tmp_path: Path,
) -> None:
    data = tmp_path / "pop"
    base = "https://popcafe.example"
    run("init", "--data", str(data), "--base-url", base, "--name", "Pop", "--handle", "pop")
    run("member", "add", "--data", str(data), "--handle", "alice", "--name", "Alice")
    with TestClient(create_app(NodeConfig.load(data), workers=False), base_url=base) as client:
        place = InProcessNode(NodeConfig.load(data), client)
        answer = join(place)
        cookie = set_cookie(answer, "__Host-session").lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert "domain=" not in cookie
        assert "@alice@popcafe.example" in client.get("/moi", headers=HTML).text


def test_sign_in_and_out(place: InProcessNode) -> None:
    join(place)
    place.client.cookies.clear()
    assert place.client.get("/moi", follow_redirects=False).headers["location"] == (
        "/connexion?next=%2Fmoi"
    )
    answer = sign_in(place, "@alice@127.0.0.1:9", PASSWORD, next="/agenda")
    assert answer.status_code == 303 and answer.headers["location"] == "/agenda"
    assert "@alice" in place.client.get("/", headers=HTML).text
    # Signing out needs the session's token.
    refused = place.client.post("/deconnexion", data={})
    assert refused.status_code == 403 and "rechargez la page" in refused.text
    token = form_token(place.client.get("/moi", headers=HTML))
    out = place.client.post("/deconnexion", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert f'{session_cookie(place)}=""' in set_cookie(out, session_cookie(place))
    assert place.client.get("/moi", follow_redirects=False).status_code == 303


def test_a_closed_session_opens_nothing_even_with_its_old_cookie(place: InProcessNode) -> None:
    join(place)
    stolen = place.client.cookies[session_cookie(place)]
    token = form_token(place.client.get("/moi", headers=HTML))
    place.client.post("/deconnexion", data={"csrf": token})
    place.client.cookies.set(session_cookie(place), stolen)
    assert place.client.get("/moi", follow_redirects=False).status_code == 303


def test_every_form_without_its_csrf_token_is_refused(place: InProcessNode) -> None:
    path = invite(place)
    place.client.get(path, headers=HTML)  # the cookie is set, the form's field missing
    answer = place.client.post(path, data={"password": PASSWORD, "confirmation": PASSWORD})
    assert answer.status_code == 403 and "Ce formulaire a expiré" in answer.text
    page = place.client.get(path, headers=HTML)
    wrong = place.client.post(path, data={"csrf": "x" + form_token(page), "password": PASSWORD,
                                          "confirmation": PASSWORD})  # fmt: skip
    assert wrong.status_code == 403
    place.client.get("/connexion", headers=HTML)
    answer = place.client.post("/connexion", data={"username": "alice", "password": PASSWORD})
    assert answer.status_code == 403
    # Another site's form, even with the right token pair.
    page = place.client.get(path, headers=HTML)
    answer = place.client.post(
        path, data={"csrf": form_token(page), "password": PASSWORD, "confirmation": PASSWORD},
        headers={"origin": "https://evil.example"},
    )  # fmt: skip
    assert answer.status_code == 403
    assert place.client.get(path, headers=HTML).status_code == 200  # the link still serves


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(
    place: InProcessNode,
) -> None:
    join(place)
    place.client.cookies.clear()
    answers = [sign_in(place, name, "pas le bon mot de passe") for name in ("alice", "zorglub")]
    assert [a.status_code for a in answers] == [400, 400]
    bodies = [re.sub(r'name="(csrf|username)" value="[^"]*"', "", a.text) for a in answers]
    bodies = [re.sub(r'id="username"[^>]*>', "", b) for b in bodies]
    assert bodies[0] == bodies[1]
    assert "Identifiant ou mot de passe incorrect" in bodies[0]
    assert session_cookie(place) not in place.client.cookies


def test_sign_in_is_throttled_after_repeated_failures(place: InProcessNode) -> None:
    join(place)
    place.client.cookies.clear()
    for name in ("alice", "zorglub"):
        for _ in range(TRIES):
            assert sign_in(place, name, "pas le bon mot de passe").status_code == 400
        refused = sign_in(place, name, PASSWORD if name == "alice" else "x")
        assert refused.status_code == 429, name
        assert int(refused.headers["retry-after"]) > 0
        assert "essais de connexion : réessayez dans" in refused.text
    assert session_cookie(place) not in place.client.cookies


def test_the_roles_gate_a_page(place: InProcessNode) -> None:
    async def ledger(request: Request) -> Response:
        return PlainTextResponse("the ledger")

    app: Starlette = place.client.app  # type: ignore[assignment]
    app.router.routes.append(Route("/test/ledger", requires("team")(ledger)))
    anonymous = place.client.get("/test/ledger?peer=a", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?next=%2Ftest%2Fledger%3Fpeer%3Da"
    join(place, "alice", "--role", "door")
    door = place.client.get("/test/ledger", headers=HTML)
    assert door.status_code == 403 and "Cette page est réservée" in door.text
    run("member", "roles", "--data", str(place.config.data_dir), "--handle", "alice",
        "--set", "admin")  # fmt: skip
    assert place.client.get("/test/ledger").text == "the ledger"  # at once, same session


def test_anonymous_pages_stay_cacheable_and_offer_to_sign_in(place: InProcessNode) -> None:
    page = place.client.get("/agenda", headers=HTML)
    assert page.headers["cache-control"].startswith("public")
    assert 'href="/connexion?next=/agenda"' in page.text


@pytest.mark.parametrize(
    ("asked", "went"),
    [("/agenda?x=1", "/agenda?x=1"), ("//evil.example", "/moi"), ("https://evil.example", "/moi"),
     ("/\\evil.example", "/moi"), (None, "/moi")],
)  # fmt: skip
def test_after_sign_in_only_a_path_of_this_site(asked: str | None, went: str) -> None:
    assert local_path(asked) == went


def test_a_member_types_their_handle_as_they_know_it() -> None:
    for typed in ("alice", "@alice", "Alice", "@alice@pop.example ", "alice@POP.example"):
        assert handle_of(typed, "pop.example") == "alice", typed
    assert handle_of("@alice@other.example", "pop.example") is None


@pytest.fixture
def english(place: InProcessNode) -> Iterator[InProcessNode]:
    place.client.headers["accept-language"] = "en"
    yield place
    del place.client.headers["accept-language"]


def test_the_pages_speak_english_when_asked(english: InProcessNode) -> None:
    path = invite(english)
    assert "Choose your password" in english.client.get(path, headers=HTML).text
    assert "Username" in english.client.get("/connexion", headers=HTML).text


def test_the_team_invites_and_sets_roles_from_the_command_line(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    said = run("member", "invite", "--data", data, "--handle", "dora", "--name", "Dora",
               "--role", "door")  # fmt: skip
    assert "Membre créé : @dora@127.0.0.1:9" in said and "usage unique" in said
    assert run("member", "roles", "--data", data, "--handle", "dora").strip() == (
        "@dora@127.0.0.1:9 : door, member"
    )
    assert "admin, team, door, member" in run(
        "member", "roles", "--data", data, "--handle", "dora", "--set", "admin"
    )
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli(["member", "invite", "--data", data, "--handle", "coroutine"]) == 2
        assert cli(["member", "roles", "--data", data, "--handle", "dora", "--set", "boss"]) == 2
    assert "Aucun membre « coroutine »" in err.getvalue()
    assert "Rôle inconnu : boss" in err.getvalue()


def test_a_tab_does_not_make_next_another_site() -> None:
    # A browser's URL parser drops tabs and newlines: "/\t/evil.example" is "//evil.example".
    for sneaky in ("/\t/evil.example", "/\t\\evil.example", "/\n/evil.example",
                   "/moi\x7f", "/\x00/evil.example", "/a\\b"):  # fmt: skip
        assert local_path(sneaky) == "/moi", repr(sneaky)
    assert local_path("/equipe/membres?tri=nom#haut") == "/equipe/membres?tri=nom#haut"

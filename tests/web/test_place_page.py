"""The place's page in Chromium, on a phone: French, accessible, the same id still JSON for the
fediverse, and the follow box taking a visitor to their own server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import Page

from federation_tests.network import LocalPlace

from .conftest import accessible, screenshot


def test_the_actor_url_in_a_browser_is_the_places_page_in_french(
    phone: Page, popcafe: LocalPlace
) -> None:
    phone.goto(popcafe.actor_id())
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.locator("h1").inner_text() == "PopCafé"
    main = phone.locator("main").inner_text()
    assert "14 rue des Tisserands" in main and "59000 Lille" in main
    assert "lun.–ven. 09:00–18:00" in main
    assert "Atelier « mon premier smartphone »" in main  # the next event
    assert "Bénévoles pour l'accueil" in main  # the open need
    assert phone.get_by_role("link", name="Voir sur la carte").get_attribute("href", timeout=1000)
    accessible(phone)
    screenshot(phone, "place")


def test_the_same_url_is_still_json_for_the_fediverse(popcafe: LocalPlace) -> None:
    mastodon = "application/activity+json, application/ld+json, text/html;q=0.1"
    answer = httpx.get(popcafe.actor_id(), headers={"accept": mastodon})
    assert answer.headers["content-type"].startswith(("application/activity+json",
                                                      "application/ld+json"))  # fmt: skip
    assert answer.json()["id"] == popcafe.actor_id()
    assert "Accept" in answer.headers["vary"]
    page = httpx.get(popcafe.actor_id(), headers={"accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "Accept" in page.headers["vary"]


def test_the_page_speaks_english_when_asked(phone: Page, popcafe: LocalPlace) -> None:
    phone.goto(f"{popcafe.base_url}/")
    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert "Next events" in phone.locator("main").inner_text()
    phone.goto(f"{popcafe.base_url}/")  # the choice is kept
    assert phone.locator("html").get_attribute("lang") == "en"


class FediverseServer:
    """A visitor's home server: WebFinger with a subscribe template, and the page it opens."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                outer.asked.append(self.path)
                if url.path == "/.well-known/webfinger":
                    template = f"{outer.base}/authorize_interaction?uri={{uri}}"
                    link = {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}
                    body: Any = {"subject": parse_qs(url.query)["resource"][0], "links": [link]}
                    self._send(json.dumps(body).encode(), "application/jrd+json")
                else:
                    self._send(b"<!doctype html><title>Suivre ?</title><h1>Suivre ?</h1>",
                               "text/html")  # fmt: skip

            def _send(self, body: bytes, media: str) -> None:
                self.send_response(200)
                self.send_header("content-type", media)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_follow_box_opens_the_visitors_server_with_the_place(
    phone: Page, popcafe: LocalPlace
) -> None:
    home = FediverseServer()
    phone.goto(f"{popcafe.base_url}/")
    host = home.base.removeprefix("http://")
    phone.get_by_label("Votre adresse sur le fédivers").fill(f"@camille@{host}")
    phone.get_by_role("button", name="Suivre").click()
    phone.wait_for_url(f"{home.base}/authorize_interaction*")
    query = parse_qs(urlsplit(phone.url).query)
    assert query["uri"] == [popcafe.actor_id()]
    home.server.shutdown()
    home.server.server_close()


def test_a_wrong_address_says_what_to_write(phone: Page, popcafe: LocalPlace) -> None:
    phone.goto(f"{popcafe.base_url}/")
    phone.get_by_label("Votre adresse sur le fédivers").fill("camille")
    phone.get_by_role("button", name="Suivre").click()
    assert "Écrivez votre adresse complète" in phone.get_by_role("alert").inner_text()
    accessible(phone)

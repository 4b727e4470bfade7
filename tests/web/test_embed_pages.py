"""The widgets in Chromium, as a site that shows them would: the agenda's snippet copied from
/embed, pasted in a page on another origin, rendered there with the place's next event and
fitted to its content; and refused there once the place lists only other sites."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from federation_tests.network import LocalPlace

from .conftest import PHONE, accessible, screenshot

EVENT = "Atelier « mon premier smartphone »"  # PopCafé's next event (tests/web/conftest.py)


class HostSite:
    """Another site, on its own loopback port (so its own origin), serving one page."""

    def __init__(self) -> None:
        self.page = b""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(outer.page)))
                self.end_headers()
                self.wfile.write(outer.page)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def show(self, snippet: str) -> None:
        self.page = (
            '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Le blog du quartier'
            "</title><body style='margin:0;padding:1rem'><h1>Le blog du quartier</h1>"
            f"<p>Ce qui se passe au PopCafé :</p>{snippet}<p>Fin de la page.</p></body></html>"
        ).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture
def clipboard(browser: Browser) -> Iterator[BrowserContext]:
    """A phone in French whose pages may write and read the clipboard."""
    context = browser.new_context(
        viewport=PHONE, locale="fr-FR", has_touch=True,
        permissions=["clipboard-read", "clipboard-write"],
    )  # fmt: skip
    yield context
    context.close()


def copied_agenda_snippet(page: Page, popcafe: LocalPlace) -> str:
    page.goto(f"{popcafe.base_url}/embed")
    agenda = page.get_by_role("region", name="Agenda du lieu")
    agenda.get_by_role("button", name="Copier").first.click()
    # The copy is asynchronous (the clipboard API): wait for the button's word.
    expect(agenda.get_by_role("status").first).to_have_text("Copié")
    text = page.evaluate("navigator.clipboard.readText()")
    assert isinstance(text, str)
    return text


def test_the_copied_agenda_snippet_shows_the_next_event_on_another_site(
    clipboard: BrowserContext, popcafe: LocalPlace, host: HostSite
) -> None:
    page = clipboard.new_page()
    snippet = copied_agenda_snippet(page, popcafe)
    assert snippet.startswith(f'<iframe src="{popcafe.base_url}/embed/agenda"')
    assert host.origin != popcafe.base_url
    host.show(snippet)
    page.goto(f"{host.origin}/")
    frame_element = page.locator("iframe[data-interlieux]")
    frame = frame_element.content_frame
    assert EVENT in frame.locator("main").inner_text()
    # interlieux.js fits the frame to what the widget says its height is: no scroll bar, no gap.
    page.wait_for_function(
        "document.querySelector('iframe[data-interlieux]').style.height !== '400px'"
    )
    inner = frame.locator("html").evaluate("e => e.getBoundingClientRect().height")
    outer = frame_element.evaluate("e => e.getBoundingClientRect().height")
    assert abs(inner - outer) <= 1, (inner, outer)
    assert frame_element.evaluate("e => e.getBoundingClientRect().width") == pytest.approx(
        page.locator("body").evaluate("e => e.clientWidth") - 32, abs=1
    )  # as wide as the host page's column (its body has 1rem of padding each side)


def test_the_web_component_makes_the_frame_and_only_its_widget_resizes_it(
    phone: Page, popcafe: LocalPlace, host: HostSite
) -> None:
    phone.goto(f"{popcafe.base_url}/embed")
    needs = phone.get_by_role("region", name="Besoins")
    snippet = needs.get_by_label("Extrait avec composant web").input_value()
    assert f'<interlieux-needs src="{popcafe.base_url}/embed/needs"' in snippet
    host.show(snippet)
    phone.goto(f"{host.origin}/")
    frame_element = phone.locator("interlieux-needs iframe[data-interlieux]")
    assert "Bénévoles pour l'accueil" in frame_element.content_frame.locator("main").inner_text()
    phone.wait_for_function(
        "document.querySelector('iframe[data-interlieux]').style.height !== '400px'"
    )
    fitted = frame_element.evaluate("e => e.style.height")
    # A message of the same shape from anyone else (here the host page itself) is ignored.
    phone.evaluate("window.postMessage({type: 'interlieux:height', height: 3000}, '*')")
    phone.evaluate("new Promise(done => setTimeout(done, 200))")  # let the message be handled
    assert frame_element.evaluate("e => e.style.height") == fitted


def test_a_site_the_place_does_not_list_cannot_frame_the_widget(
    clipboard: BrowserContext, phone: Page, popcafe: LocalPlace, host: HostSite
) -> None:
    host.show(copied_agenda_snippet(clipboard.new_page(), popcafe))
    # Another browser (`phone`): the first one may keep the widget for a minute (max-age).
    page = phone
    popcafe.cli("place", "--data", str(popcafe.data), "--embed-sites", "https://ailleurs.example")
    try:
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as report:
            page.goto(f"{host.origin}/")
        assert "https://ailleurs.example" in report.value.text  # Chromium names the policy
        frame = page.locator("iframe[data-interlieux]").content_frame
        assert EVENT not in frame.locator("body").inner_text()
        height = page.locator("iframe[data-interlieux]").evaluate("e => e.style.height")
        assert height == "400px"  # the widget never ran to tell its height
    finally:
        popcafe.cli("place", "--data", str(popcafe.data), "--embed-sites")  # any site again


def test_the_embed_page_and_a_widget_are_accessible(phone: Page, popcafe: LocalPlace) -> None:
    phone.goto(f"{popcafe.base_url}/embed")
    assert phone.locator("h1").inner_text() == "Intégrer sur votre site"
    accessible(phone)
    screenshot(phone, "embed")
    phone.goto(f"{popcafe.base_url}/embed/needs")
    assert "Bénévoles pour l'accueil" in phone.locator("main").inner_text()
    accessible(phone)

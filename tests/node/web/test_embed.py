"""The widgets and their framing, and the pages' cache headers, in-process: who may frame a
widget (any site, or the sites the team lists), every other page framed by the place only, and
a repeat answered 304 until what the page shows changes."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime

import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse

from node.cli import main as cli
from node.errors import ConfigError
from node.web import headers
from tests.node.agenda.test_events import event, post
from tests.node.conftest import InProcessNode

HTML = {"accept": "text/html"}


def embed_sites(place: InProcessNode, *sites: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(["place", "--data", str(place.config.data_dir), "--embed-sites", *sites])
    assert code == 0
    return out.getvalue()


def test_a_widget_may_be_framed_by_any_site_and_other_pages_by_the_place_only(
    place: InProcessNode,
) -> None:
    for path in ("/embed/agenda", "/embed/agenda?scope=network", "/embed/residents",
                 "/embed/needs"):  # fmt: skip
        answer = place.client.get(path, headers=HTML)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"] == "frame-ancestors *", path
    for path in ("/", "/embed", place.actor_id()):
        answer = place.client.get(path, headers=HTML)
        assert answer.headers["content-security-policy"] == "frame-ancestors 'self'", path


def test_the_sites_a_place_lists_are_the_only_ones_besides_itself(place: InProcessNode) -> None:
    said = embed_sites(place, "https://B.example/", "https://a.example:8443")
    assert "https://a.example:8443, https://b.example" in said
    answer = place.client.get("/embed/needs", headers=HTML)
    assert answer.headers["content-security-policy"] == (
        "frame-ancestors 'self' https://a.example:8443 https://b.example"
    )
    assert "https://b.example" in place.client.get("/embed", headers=HTML).text
    assert "tous les sites" in embed_sites(place)  # no site given: any site again
    answer = place.client.get("/embed/needs", headers=HTML)
    assert answer.headers["content-security-policy"] == "frame-ancestors *"


@pytest.mark.parametrize(
    "given", ["*", "https://a.example/page", "a.example", "https://a.example; script-src *",
              "javascript:alert(1)", "https://'self'"],
)  # fmt: skip
def test_a_site_that_is_not_an_origin_is_refused(given: str) -> None:
    with pytest.raises(ConfigError):
        headers.check_site(given)


def test_the_agenda_widget_shows_the_next_event_and_links_out(place: InProcessNode) -> None:
    created = post(place, event(name="Café réparation", startTime="2030-03-14T18:00:00+01:00"))
    assert created.status_code == 201
    html = place.client.get("/embed/agenda", headers=HTML).text
    assert "Café réparation" in html and "jeudi 14 mars 2030 à 18 h 00" in html
    assert '<base target="_blank">' in html  # links open the place's site in a new tab
    assert 'class="site"' not in html  # no site header or navigation in a frame
    assert "/static/embed.js" in html
    network = place.client.get("/embed/agenda?scope=network", headers=HTML).text
    assert "Café réparation" in network and "La Coroutine" in network


def test_the_embed_page_gives_both_snippets_of_each_widget(place: InProcessNode) -> None:
    html = place.client.get("/embed", headers=HTML).text
    base = place.config.base_url
    assert f"&lt;iframe src=&#34;{base}/embed/agenda&#34;" in html
    assert f"&lt;interlieux-needs src=&#34;{base}/embed/needs&#34;" in html
    assert f"{base}/static/interlieux.js" in html
    assert html.count(">Copier</button>") == 8  # two snippets for each of the four widgets


def test_a_repeat_is_answered_304_until_the_page_changes(place: InProcessNode) -> None:
    first = place.client.get("/embed/agenda", headers=HTML)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    again = place.client.get("/embed/agenda", headers={**HTML, "if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["content-security-policy"] == "frame-ancestors *"
    assert post(place, event(name="Nouvel atelier")).status_code == 201
    changed = place.client.get("/embed/agenda", headers={**HTML, "if-none-match": etag})
    assert changed.status_code == 200 and "Nouvel atelier" in changed.text
    assert changed.headers["etag"] != etag
    home = place.client.get("/", headers=HTML)
    assert place.client.get("/", headers={"if-none-match": home.headers["etag"]}).status_code == 304


def test_a_page_for_someone_signed_in_or_setting_a_cookie_is_not_shared(
    place: InProcessNode,
) -> None:
    switched = place.client.get("/?lang=en", headers=HTML)
    assert "set-cookie" in switched.headers
    assert switched.headers["cache-control"] == "private, no-cache"
    place.client.cookies.clear()
    token = place.token("alice")
    signed = place.client.get("/embed", headers={**HTML, "authorization": f"Bearer {token}"})
    assert signed.headers["cache-control"] == "private, no-cache"


def test_an_event_page_says_when_the_event_was_last_changed(place: InProcessNode) -> None:
    created = post(place, event(name="Café réparation")).json()["object"]
    answer = place.client.get(created["id"], headers=HTML)
    assert answer.status_code == 200 and "Café réparation" in answer.text
    published = datetime.fromisoformat(created["published"].replace("Z", "+00:00"))
    assert answer.headers["last-modified"] == headers.http_date(published)


def _request(method: str = "GET", **fields: str) -> Request:
    raw = [(k.encode(), v.encode()) for k, v in fields.items()]
    return Request({"type": "http", "method": method, "headers": raw, "path": "/"})


def test_a_page_with_a_date_says_it_and_a_missing_page_is_not_cached() -> None:
    moment = datetime(2030, 3, 14, 17, 0, tzinfo=UTC)
    page = headers.finish(_request(), HTMLResponse("<p>x</p>"), moment)
    assert page.headers["last-modified"] == "Thu, 14 Mar 2030 17:00:00 GMT"
    missing = headers.finish(_request(), HTMLResponse("<p>?</p>", status_code=404))
    assert "etag" not in missing.headers and "cache-control" not in missing.headers
    posted = headers.finish(_request("POST"), HTMLResponse("<p>x</p>"))
    assert "etag" not in posted.headers


def test_if_none_match_lists_and_weak_tags_match() -> None:
    assert headers.matches('"a", W/"b"', '"b"')
    assert headers.matches("*", '"b"')
    assert not headers.matches('"a"', '"b"')
    assert not headers.matches(None, '"b"')

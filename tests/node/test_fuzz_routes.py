"""Schemathesis-style request generation over the app's own routing table: every route, with
generated path parameters, query strings, headers and bodies (Hypothesis), in-process. No
request gets a 5xx: a malformed one gets a 4xx that says why. Derandomized, fixed budget.

The node runs without its workers, so nothing generated is delivered anywhere; a generated
signature never passes the checks before a key fetch (Date, Digest), so nothing is fetched.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig

from .conftest import InProcessNode, StandIn
from .test_fuzz_parsers import activities, activity_types, json_values, nested

BASE_URL = "http://127.0.0.1:9"
HANDLES = ["coroutine", "alice"]


@dataclass
class Served:
    client: TestClient
    routes: list[Route]
    tokens: dict[str, str]


def _token(data: Path, handle: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["token", "--data", str(data), "--actor", handle]) == 0
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("fuzz") / "coroutine"
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli(["init", "--data", str(data), "--base-url", BASE_URL, "--name", "La Coroutine",
                    "--handle", "coroutine"]) == 0  # fmt: skip
        assert cli(["member", "add", "--data", str(data), "--handle", "alice", "--name", "A"]) == 0
    tokens = {handle: _token(data, handle) for handle in HANDLES}
    app = create_app(NodeConfig.load(data), workers=False)
    routes = [r for r in app.routes if isinstance(r, Route)]
    with TestClient(app, base_url=BASE_URL) as client:
        yield Served(client, routes, tokens)


# Per route: some forty routes, each given its own examples, so that none is left out.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

odd_text = st.text(max_size=30)
numbers = st.sampled_from(
    ["1", "0", "-1", "2", "99999999999999999999", "9" * 5000, "²", "١", "1e3", " 1", "0x10", "",
     "1.5", "NaN", "%00", "\x00"]
)  # fmt: skip
# Known handles four times in five, so that handlers get past their 404.
odd_paths = st.sampled_from(["..", "a.b", "x" * 300]) | odd_text
path_values = st.integers(0, 4).flatmap(lambda n: st.sampled_from(HANDLES) if n else odd_paths)
query_keys = st.sampled_from(["page", "resource", "query", "format", "kind", "lang"]) | odd_text
query_values = numbers | odd_text | st.sampled_from(
    ["acct:alice@127.0.0.1:9", f"{BASE_URL}/actors/alice", "acct:@", "acct:", "SELECT * {?s ?p ?o}",
     "ASK {}", "json", "xml", "csv", "turtle"]
)  # fmt: skip
raw_queries = st.sampled_from(
    ["%", "%zz", "&&=&", "page=%ff%fe", "=", "page", "page=1&page=2", "a=%E9", "resource=%00"]
)
# What a client posts to its outbox or a form: a type the node knows, and anything else.
client_documents = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["Note", "Event", "Need", "Pledge", "Create", "Update", "Delete", "Follow", "Undo",
             "Like", "Announce", "Accept", "Reject", "Join", "Leave", "Offer", "Person"]
        ) | json_values,
    },
    optional={
        "object": st.sampled_from(
            [f"{BASE_URL}/actors/alice", f"{BASE_URL}/objects/x", "https://ailleurs.example/a"]
        ) | activities() | json_values,
        "to": st.just(["https://www.w3.org/ns/activitystreams#Public"]) | json_values,
        "content": st.text(max_size=30) | json_values,
        "name": st.text(max_size=30) | json_values,
        "startTime": st.sampled_from(["2026-12-24T18:00:00+01:00", "demain", ""]) | json_values,
        "endTime": st.sampled_from(["2026-12-24T20:00:00+01:00", "9999-99-99"]) | json_values,
        "actor": st.sampled_from([f"{BASE_URL}/actors/alice"]) | json_values,
        "join": st.text(max_size=30) | json_values,
        "reason": st.text(max_size=30) | json_values,
        "skill": json_values,
    },
)  # fmt: skip
bodies = st.one_of(
    st.none(),
    client_documents.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=100),
    json_values.map(lambda v: json.dumps(v).encode()),
    activities().map(lambda v: json.dumps(v).encode()),
    st.integers(33, 2000).map(lambda n: json.dumps(nested(n)).encode()),
    st.just(b"[" * 50_000),
)


@st.composite
def requests(draw: st.DrawFn, route: Route, tokens: dict[str, str]) -> dict[str, Any]:
    path = route.path
    for name in re.findall(r"{(\w+)(?::\w+)?}", path):
        value = quote(draw(path_values), safe="")
        path = re.sub(rf"{{{name}(?::\w+)?}}", value, path)
    if draw(st.booleans()):
        path += "?" + draw(
            st.lists(st.tuples(query_keys, query_values), max_size=3).map(urlencode) | raw_queries
        )
    methods = sorted(route.methods or {"GET"})
    method = draw(st.sampled_from([*methods * 4, "PUT", "DELETE"]))
    headers: dict[str, str] = {}
    for name, values in {
        "accept": st.sampled_from(
            ["application/activity+json", "application/ld+json", "text/html", "text/csv",
             "application/sparql-results+json", "*/*"]
        ) | odd_text,
        "accept-language": st.sampled_from(["en", "fr", ""]) | odd_text,
        "content-type": st.sampled_from(
            ["application/activity+json", "application/sparql-query",
             "application/x-www-form-urlencoded", "application/json"]
        ) | odd_text,
        "authorization": st.sampled_from(
            [f"Bearer {t}" for t in tokens.values()] * 3 + ["Bearer nope", "Bearer", "Basic x"]
        ) | odd_text,
        "signature": st.sampled_from(
            ['keyId="http://127.0.0.1:9/actors/alice#main-key",headers="(request-target) host '
             'date",signature="AA=="', 'keyId="x"']
        ) | odd_text,
        "signature-input": st.sampled_from(['sig1=("@method");keyid="k";created=1', "x"]),
        "date": st.sampled_from(["Tue, 01 Dec 2026 12:00:00 GMT", "yesterday"]),
    }.items():  # fmt: skip
        if draw(st.booleans()):
            headers[name] = draw(values)
    # Header values are bytes on the wire: any latin-1 text, as a client may send it.
    raw = {k: v.encode("latin-1", "replace") for k, v in headers.items()}
    raw = {k: v for k, v in raw.items() if b"\n" not in v and b"\r" not in v}
    body = draw(bodies) if method in ("POST", "PUT") else None
    return {"method": method, "url": path, "headers": raw, "content": body}


def _check(served: Served, request: dict[str, Any]) -> None:
    response = served.client.request(
        request["method"], request["url"], headers=request["headers"], content=request["content"]
    )
    assert response.status_code < 500, (request, response.status_code, response.text[:500])
    if response.status_code >= 400 and request["method"] != "HEAD":
        assert response.content, "a refusal says why"


def test_every_route_answers_anything_without_a_5xx(served: Served) -> None:
    for route in served.routes:

        @FUZZ
        @given(requests(route, served.tokens))
        def run(request: dict[str, Any]) -> None:
            _check(served, request)

        run()


@pytest.mark.parametrize(
    "url",
    [
        "/actors/alice/outbox?page=99999999999999999999",
        "/actors/alice/followers?page=" + "9" * 5000,
        "/actors/alice/following?page=²",
        "/actors/coroutine/peers?page=-1",
        "/agenda?page=%ff",
        "/residents?page=99999999999999999999",
        "/needs?page=1e3",
        "/.well-known/webfinger?resource=%E9%00",
        "/sparql?query=%",
        "/data/%00.csv",
    ],
)
def test_absurd_parameters_get_a_4xx_or_a_page(served: Served, url: str) -> None:
    _check(served, {"method": "GET", "url": url, "headers": {}, "content": None})


@pytest.mark.parametrize(
    "path",
    ["/inbox", "/actors/alice/inbox", "/actors/alice/outbox", "/access/taps",
     "/residents/alice/profile"],
)  # fmt: skip
def test_deep_nesting_is_a_400_everywhere(served: Served, path: str) -> None:
    token = served.tokens["alice" if "alice" in path else "coroutine"]
    response = served.client.post(
        path,
        content=b"[" * 30_000 + b"]" * 30_000,  # under every route's size limit
        headers={"authorization": f"Bearer {token}", "content-type": "application/activity+json"},
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "content_type", ["application/sparql-query", "application/x-www-form-urlencoded"]
)
def test_a_sparql_body_over_its_limit_is_a_413(served: Served, content_type: str) -> None:
    response = served.client.post(
        "/sparql", content=b"query=" + b"a" * 200_000, headers={"content-type": content_type}
    )
    assert response.status_code == 413, response.text


@pytest.mark.parametrize(
    "path",
    ["/actors/alice/outbox", "/residents/alice/profile", "/actors/coroutine/outbox",
     "/access/taps"],
)  # fmt: skip
def test_authorized_posts_take_any_document(served: Served, path: str) -> None:
    """Past the token: what the handlers behind it do with any document a client may send."""
    token = served.tokens["alice" if "alice" in path else "coroutine"]

    @settings(FUZZ, max_examples=100)
    @given(client_documents | activities() | json_values)
    def run(document: Any) -> None:
        _check(
            served,
            {
                "method": "POST",
                "url": path,
                "headers": {"authorization": f"Bearer {token}"},
                "content": json.dumps(document).encode(),
            },
        )

    run()


def test_signed_inbox_posts_of_any_shape_get_a_4xx_or_202(
    place: InProcessNode, stand_in: StandIn
) -> None:
    """Past the signature: a real sender (the stand-in, whose key the node fetches once) signs
    activities of any shape, its own or not; the inbox takes or refuses each, never a 5xx."""
    actor = stand_in.add_actor("/users/fuzz")
    key_id = f"{actor}#main-key"
    local = [place.actor_id(), place.actor_id("alice"), f"{place.config.base_url}/objects/x"]
    ours = st.sampled_from([actor, f"{stand_in.base_url}/notes/1", *local])
    serial = itertools.count()

    @st.composite
    def shapes(draw: st.DrawFn) -> dict[str, Any]:
        document = draw(activities())
        if draw(st.integers(0, 3)):  # a known type and the signer itself three times in four
            document["type"] = draw(activity_types)
        if draw(st.integers(0, 3)):
            document["actor"] = actor
        elif draw(st.booleans()):
            document["actor"] = draw(ours)
        document["id"] = f"{stand_in.base_url}/activities/{next(serial)}"  # each one new
        if draw(st.booleans()):
            document["object"] = draw(ours | activities() | client_documents)
        return document

    @settings(FUZZ, max_examples=60)
    @given(shapes())
    def run(activity: dict[str, Any]) -> None:
        answer = place.post_signed("/inbox", activity, stand_in.key, key_id)
        assert answer.status_code in (202, 400, 401, 403), (activity, answer.text)

    run()

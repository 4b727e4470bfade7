"""Property-based fuzzing (Hypothesis) of what a stranger's request is parsed with: the body
reader's JSON, activity validation, and both signature header parsers. Each takes anything and
either returns or raises the typed error that becomes a 4xx with a reason, never another
exception (which would be a 500). Derandomized with a fixed budget: the same examples each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.activity import authorize, check_incoming, id_of, recipients, type_of
from node.errors import ForbiddenError, InvalidActivity, SignatureError
from node.incoming import MAX_JSON_DEPTH, depth, parse_json
from node.signature import authenticate, cavage, check_host, rfc9421

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ORIGINS = ["https://coroutine.example", "https://popcafe.example", "http://127.0.0.1:9"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
urls = st.builds(
    lambda origin, path: f"{origin}/{path}", st.sampled_from(ORIGINS), st.text(max_size=12)
) | st.text(max_size=20)
references = urls | st.builds(lambda u, t: {"id": u, "type": t}, urls, st.text(max_size=8))
activity_types = st.sampled_from(
    ["Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Announce",
     "Offer", "Join", "Leave", "Add", "Flag"]
)  # fmt: skip


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any]:
    """Shapes close enough to an activity to pass some checks and fail others."""
    document: dict[str, Any] = {}
    if draw(st.booleans()):
        document["type"] = draw(activity_types | st.lists(activity_types, max_size=2) | json_values)
    if draw(st.booleans()):
        document["id"] = draw(urls | json_values)
    if draw(st.booleans()):
        document["actor"] = draw(references | json_values)
    if draw(st.booleans()):
        document["object"] = draw(
            references
            | st.builds(
                lambda i, a, t: {"id": i, "attributedTo": a, "type": t, "actor": a},
                urls,
                references | json_values,
                st.text(max_size=8),
            )
            | json_values
        )
    for field in ("to", "cc", "bto", "bcc", "audience"):
        if draw(st.booleans()):
            document[field] = draw(references | st.lists(references, max_size=3) | json_values)
    return document


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(levels):
        value = [value] if i % 2 else {"a": value}
    return value


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_body_is_json_or_a_400(body: bytes) -> None:
    try:
        value = parse_json(body)
    except InvalidActivity:
        return
    assert depth(value) <= MAX_JSON_DEPTH


@FUZZ
@given(st.integers(min_value=0, max_value=5000), st.sampled_from(["[", '{"a":', '[{"b":']))
def test_deep_nesting_is_a_400_at_any_depth(levels: int, opener: str) -> None:
    closer = {"[": "]", '{"a":': "}", '[{"b":': "}]"}[opener]
    body = (opener * levels + "0" + closer * levels).encode()
    try:
        parse_json(body)
    except InvalidActivity:
        assert levels * len(closer) > MAX_JSON_DEPTH
        return
    assert levels * len(closer) <= MAX_JSON_DEPTH


def test_a_document_nested_100000_deep_is_a_400_not_a_crash() -> None:
    for body in (b"[" * 100_000 + b"]" * 100_000, json.dumps(nested(200)).encode()):
        try:
            parse_json(body)
        except InvalidActivity as exc:
            assert "nested deeper" in exc.log
        else:
            raise AssertionError("a 100 000-deep document was taken")


@FUZZ
@given(activities() | json_values, urls)
def test_activity_validation_takes_anything(document: Any, signer: str) -> None:
    try:
        checked = check_incoming(document)
    except InvalidActivity:
        return
    type_of(checked), id_of(checked.get("object")), recipients(checked)
    with contextlib.suppress(ForbiddenError):
        authorize(checked, signer)


header_text = st.text(
    st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=120
) | st.sampled_from(
    ['keyId="a",signature="', 'keyId="https://x/#k",algorithm="rsa-sha256",headers="(request-'
     'target) host date",signature="AAAA"', "Signature keyId=a,signature=AA==", ",,,", '=""',
     'keyId="k",signature="@@",created=99999999999999999999999', 'keyId="k",signature="",'
     'expires=1e9', "keyId"]
)  # fmt: skip


@FUZZ
@given(header_text)
def test_cavage_signature_header(value: str) -> None:
    try:
        params = cavage.parse_signature_header(value)
    except SignatureError:
        return
    assert params.key_id is not None


fuzz_headers = st.fixed_dictionaries(
    {},
    optional={
        "signature": header_text,
        "authorization": header_text,
        "date": st.text(max_size=40) | st.just("Tue, 01 Dec 2026 12:00:00 GMT"),
        "digest": st.text(max_size=60) | st.just("SHA-256=" + "A" * 43 + "="),
        "host": st.sampled_from(["coroutine.example", "", "COROUTINE.EXAMPLE:443"]),
        "content-type": st.text(max_size=20),
    },
)


@FUZZ
@given(fuzz_headers, st.binary(max_size=40) | st.none())
def test_cavage_request_checks(headers: dict[str, str], body: bytes | None) -> None:
    with contextlib.suppress(SignatureError):
        cavage.check_request("POST", "/inbox", headers, body, NOW)


sf_text = st.text(
    st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=120
) | st.sampled_from(
    ['sig1=("@method" "@target-uri");created=1796126400;keyid="k"', 'sig1=("@method");keyid=1',
     'a=("@method" "@target-uri" "content-digest");created=1796126400;keyid="k";alg="ed25519"',
     'sig1=:AAAA:', 'sig1=:@@:', "sig1=(", 'sig1=("x";sf);created=1;keyid="k"', "sig1=1, sig2=2",
     'sig1=("@method" "@target-uri");created=99999999999999999999;keyid="k"']
)  # fmt: skip


@FUZZ
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "signature-input": sf_text,
            "signature": sf_text,
            "content-digest": sf_text,
            "host": st.sampled_from(["coroutine.example", "evil.example"]),
        },
    ),
    st.binary(max_size=40) | st.none(),
)
def test_rfc9421_request_checks(headers: dict[str, str], body: bytes | None) -> None:
    try:
        declared = rfc9421.check_request(headers, body, NOW)
    except SignatureError:
        return
    assert declared.key_id


@FUZZ
@given(
    st.fixed_dictionaries(
        {"host": st.sampled_from(["coroutine.example", "evil.example", "COROUTINE.example:443"])},
        optional={
            "signature-input": sf_text,
            "signature": sf_text | header_text,
            "date": st.text(max_size=40),
        },
    ),
    st.binary(max_size=20) | st.none(),
)
def test_authenticate_refuses_with_a_signature_error_only(
    headers: dict[str, str], body: bytes | None
) -> None:
    """Whatever the headers, the key lookup is reached only for our Host, and every refusal
    is a SignatureError (401)."""
    asked: list[str] = []

    async def lookup(key_id: str, refresh: bool) -> Any:
        asked.append(key_id)
        raise SignatureError(f"no key {key_id}")

    with contextlib.suppress(SignatureError):
        asyncio.run(
            authenticate("POST", "https://coroutine.example/inbox", headers, body, lookup, NOW)
        )
    if asked:
        assert headers["host"].lower().removesuffix(":443") == "coroutine.example"


@FUZZ
@given(st.text(max_size=40), st.sampled_from(["https://lieu.example", "http://[::1]:8401"]))
def test_host_check(host: str, base: str) -> None:
    try:
        check_host({"host": host}, base + "/inbox")
    except SignatureError:
        return
    assert host.strip().lower() in {
        "lieu.example", "lieu.example:443", "[::1]:8401"
    }  # fmt: skip

"""RFC 9421 HTTP Message Signatures: the RFC's own Ed25519 vector, and each rule the inbox
relies on (coverage, created, expires, Content-Digest, algorithm from the key)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from node.errors import SignatureError
from node.signature import PublicKey, authenticate, rfc9421
from node.signature.rfc9421 import (
    check_content_digest,
    content_digest,
    parse_signature_input,
    sign_request,
    verify_signature,
)

# RFC 9421, Appendix B.1.4: test-key-ed25519 (the JWK's `d` and `x`).
B14_SEED = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
B14_PUBLIC = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
# Appendix B.2: the test request, and B.2.6: its Ed25519 signature.
B2_URL = "http://example.com/foo?param=Value&Pet=dog"
B2_HEADERS = {
    "host": "example.com",
    "date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "content-type": "application/json",
    "content-digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNN"
    "yealdVLvRwEmTHWXvJwew==:",
    "content-length": "18",
}
B2_BODY = b'{"hello": "world"}'
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPp"
    "BKRCw==:"
)
B26_CREATED = datetime.fromtimestamp(1618884473, UTC)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(_b64url(B14_SEED))
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ACTOR = "https://coroutine.example/actors/coroutine"
RSA_ID = f"{ACTOR}#main-key"
ED_ID = f"{ACTOR}#ed25519-key"
INBOX = "https://tetris.example/actors/tetris/inbox"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
BODY = json.dumps({"type": "Follow", "actor": ACTOR}).encode()
KEYS: dict[str, PublicKey] = {RSA_ID: RSA_KEY.public_key(), ED_ID: ED_KEY.public_key()}


async def lookup(key_id: str, refresh: bool) -> tuple[str, PublicKey]:
    if key_id not in KEYS:
        raise SignatureError(f"unknown key {key_id}")
    return ACTOR, KEYS[key_id]


def _signed(key_id: str = RSA_ID, body: bytes | None = BODY, **kwargs: object) -> dict[str, str]:
    private = RSA_KEY if key_id == RSA_ID else ED_KEY
    return sign_request(
        "POST" if body is not None else "GET",
        INBOX,
        key_id,
        private,
        body=body,
        extra_headers={"content-type": "application/activity+json"},
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


async def _check(headers: dict[str, str], body: bytes | None = BODY, **kwargs: object) -> str:
    method = "POST" if body is not None else "GET"
    url = str(kwargs.pop("url", INBOX))
    now = kwargs.pop("now", NOW)
    key_id, owner = await authenticate(method, url, headers, body, lookup, now=now)  # type: ignore[arg-type]
    assert owner == ACTOR
    return key_id


# --- the RFC's vector ------------------------------------------------------------------------


def test_rfc_b26_ed25519_vector_is_reproduced_byte_for_byte() -> None:
    assert ED_KEY.public_key().public_bytes_raw() == _b64url(B14_PUBLIC)
    headers = sign_request(
        "POST",
        B2_URL,
        "test-key-ed25519",
        ED_KEY,
        extra_headers={k: v for k, v in B2_HEADERS.items() if k != "host"},
        now=B26_CREATED,
        components=("date", "@method", "@path", "@authority", "content-type", "content-length"),
        label="sig-b26",
        include_alg=False,
    )
    assert headers["signature-input"] == B26_INPUT
    assert headers["signature"] == B26_SIGNATURE


def test_rfc_b26_vector_verifies_but_is_refused_by_our_policy() -> None:
    headers = {**B2_HEADERS, "signature-input": B26_INPUT, "signature": B26_SIGNATURE}
    (declared,) = parse_signature_input(headers)
    assert declared.key_id == "test-key-ed25519" and declared.created == 1618884473
    verify_signature("POST", B2_URL, headers, declared, ED_KEY.public_key())
    # ...a byte changed in a covered field breaks it:
    with pytest.raises(SignatureError, match="does not verify"):
        verify_signature("POST", "http://example.com/bar", headers, declared, ED_KEY.public_key())
    # ...and our policy refuses it: @authority + @path leave out the scheme and the query.
    with pytest.raises(SignatureError, match="does not cover @target-uri"):
        rfc9421.check_policy(declared, B2_BODY, B26_CREATED)


def test_rfc_b2_content_digest_matches_its_body() -> None:
    check_content_digest(B2_HEADERS["content-digest"], B2_BODY)
    assert content_digest(B2_BODY, "sha-512") == B2_HEADERS["content-digest"]


# --- round trips -----------------------------------------------------------------------------


async def test_rsa_signed_post_is_accepted() -> None:
    headers = _signed()
    assert 'alg="rsa-v1_5-sha256"' in headers["signature-input"]
    assert '"@method" "@target-uri" "content-digest" "content-type"' in headers["signature-input"]
    assert await _check(headers) == RSA_ID


async def test_ed25519_signed_post_is_accepted() -> None:
    assert await _check(_signed(ED_ID)) == ED_ID


async def test_signed_get_is_accepted() -> None:
    assert await _check(_signed(body=None), body=None) == RSA_ID


async def test_several_signatures_the_one_that_covers_enough_is_used() -> None:
    weak = _signed(components=("@method", "@authority"), label="weak")
    strong = _signed()
    headers = {
        **strong,
        "signature-input": f"{weak['signature-input']}, {strong['signature-input']}",
        "signature": f"{weak['signature']}, {strong['signature']}",
    }
    assert await _check(headers) == RSA_ID


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"signature-input": 'sig1=("@method"'}, "malformed Signature-Input"),
        ({"signature": "sig1=not-bytes"}, "no signature bytes"),
        ({"signature-input": "sig1=()"}, "no keyid"),
        ({"content-digest": "sha-256=:AAAA:"}, "does not match the body"),
        ({"content-digest": "md5=:AAAA:"}, "neither sha-256 nor sha-512"),
        ({"content-digest": "sha-256=AAAA"}, "does not match the body"),
    ],
)
async def test_malformed_headers_are_refused_with_a_reason(
    change: dict[str, str], reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason):
        await _check({**_signed(), **change})


async def test_a_missing_header_is_refused() -> None:
    headers = _signed()
    del headers["signature"]
    with pytest.raises(SignatureError, match="both Signature-Input and Signature"):
        await _check(headers)
    headers = _signed()
    del headers["content-digest"]
    with pytest.raises(SignatureError, match="no Content-Digest"):
        await _check(headers)


@pytest.mark.parametrize(
    ("components", "missing"),
    [
        (("@method", "@authority", "@path", "content-digest"), "@target-uri"),
        (("@target-uri", "content-digest"), "@method"),
        (("@method", "@target-uri"), "content-digest"),
    ],
)
async def test_missing_components_are_refused(components: tuple[str, ...], missing: str) -> None:
    with pytest.raises(SignatureError, match=f"does not cover .*{missing}"):
        await _check(_signed(components=components))


async def test_created_is_required() -> None:
    headers = _signed()
    headers["signature-input"] = headers["signature-input"].replace(
        f";created={int(NOW.timestamp())}", ""
    )
    with pytest.raises(SignatureError, match="no created"):
        await _check(headers)


@pytest.mark.parametrize("offset", [timedelta(hours=-2), timedelta(hours=2)])
async def test_created_far_from_our_clock_is_refused(offset: timedelta) -> None:
    with pytest.raises(SignatureError, match="away from our clock"):
        await _check(_signed(), now=NOW + offset)
    # ...while a skew inside the hour is accepted (the same bound as Date for draft-cavage).
    await _check(_signed(), now=NOW + offset / 4)


async def test_expires_is_honoured() -> None:
    headers = _signed()
    expired = int((NOW - timedelta(minutes=1)).timestamp())
    headers["signature-input"] += f";expires={expired}"
    with pytest.raises(SignatureError, match="expired"):
        await _check(headers)


async def test_a_wrong_digest_with_a_valid_signature_is_refused() -> None:
    headers = _signed()
    with pytest.raises(SignatureError, match="does not match the body"):
        await _check(headers, body=BODY + b" ")


async def test_sha512_digest_is_accepted() -> None:
    headers = _signed()
    headers["content-digest"] = content_digest(BODY, "sha-512")
    # The signature covers the digest field: a changed field no longer verifies...
    with pytest.raises(SignatureError, match="does not verify"):
        await _check(headers)
    # ...but a sender that signs sha-512 is accepted.
    digest = "sha-512=:" + base64.b64encode(hashlib.sha512(BODY).digest()).decode() + ":"
    assert content_digest(BODY, "sha-512") == digest
    check_content_digest(digest, BODY)


async def test_another_url_does_not_verify() -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        await _check(_signed(), url="https://tetris.example/inbox")


async def test_alg_must_fit_the_key() -> None:
    headers = _signed()
    headers["signature-input"] = headers["signature-input"].replace(
        'alg="rsa-v1_5-sha256"', 'alg="ed25519"'
    )
    with pytest.raises(SignatureError, match="does not fit key"):
        await _check(headers)


async def test_unknown_alg_is_refused() -> None:
    headers = _signed()
    headers["signature-input"] = headers["signature-input"].replace(
        'alg="rsa-v1_5-sha256"', 'alg="hmac-sha256"'
    )
    with pytest.raises(SignatureError, match="not accepted"):
        await _check(headers)


async def test_errors_carry_a_french_message() -> None:
    with pytest.raises(SignatureError) as caught:
        await _check(_signed(components=("@method", "content-digest")))
    assert "ne couvre pas" in caught.value.fr


async def test_a_rotated_key_is_fetched_again() -> None:
    old = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    calls: list[bool] = []

    async def rotating(key_id: str, refresh: bool) -> tuple[str, PublicKey]:
        calls.append(refresh)
        return ACTOR, RSA_KEY.public_key() if refresh else old.public_key()

    key_id, _ = await authenticate("POST", INBOX, _signed(), BODY, rotating, now=NOW)
    assert key_id == RSA_ID and calls == [False, True]


async def test_cavage_is_still_taken_by_authenticate() -> None:
    from node.signature import sign_request as cavage_sign

    headers = cavage_sign("POST", INBOX, RSA_ID, RSA_KEY, body=BODY, now=NOW)
    assert await _check(headers) == RSA_ID


# --- the signature base written here, checked by the library ---------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://tetris.example/actors/tetris/inbox",
        "https://Tetris.example:443/inbox?page=2&x=%C3%A9",  # default port, a query
        "http://127.0.0.1:8081/inbox",  # another port: part of @authority
        "https://tetris.example",  # no path: "/"
    ],
)
@pytest.mark.parametrize("key_id", [RSA_ID, ED_ID])
def test_every_component_we_sign_is_what_the_library_verifies(url: str, key_id: str) -> None:
    """The base is ours (`signature_base`); `http_message_signatures` rebuilds it from the
    request on the way in, so any difference fails here."""
    components = ("@method", "@target-uri", "@authority", "@path", "@query", "content-digest",
                  "content-type", "date")  # fmt: skip
    headers = sign_request(
        "POST", url, key_id, RSA_KEY if key_id == RSA_ID else ED_KEY, body=BODY,
        extra_headers={"content-type": " application/activity+json ", "date": "x"},
        now=NOW, components=components,
    )  # fmt: skip
    declared = rfc9421.parse_signature_input(headers)[0]
    assert declared.components == components
    rfc9421.verify_signature("POST", url, headers, declared, KEYS[key_id])
    # …and a byte changed anywhere in what is covered does not verify.
    with pytest.raises(SignatureError, match="does not verify"):
        rfc9421.verify_signature("PUT", url, headers, declared, KEYS[key_id])


@pytest.mark.parametrize(
    ("key_id", "extra", "label", "reason"),
    [
        ("https://é.example/actor#key", {}, "sig1", "not printable ASCII"),
        (RSA_ID, {"content-type": "a\r\nx-injected: 1"}, "sig1", "control character"),
        (RSA_ID, {}, "Sig 1", "not a signature label"),
    ],
)
def test_what_cannot_be_signed_is_refused(
    key_id: str, extra: dict[str, str], label: str, reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason):
        sign_request("POST", INBOX, key_id, RSA_KEY, BODY, extra, NOW, label=label)


def test_a_component_that_is_not_there_cannot_be_signed() -> None:
    with pytest.raises(SignatureError, match="no component 'digest'"):
        sign_request("POST", INBOX, RSA_ID, RSA_KEY, BODY, None, NOW, components=("digest",))

"""HTTP signatures: the draft's own test vectors, and each rule the inbox relies on."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from node.errors import SignatureError
from node.signature.cavage import (
    check_digest,
    check_request,
    digest_header,
    parse_signature_header,
    sign_request,
    signing_string,
    verify_request,
)

# draft-cavage-http-signatures, Appendix C: the "Test" key pair and request.
TEST_PRIVATE = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
"""
TEST_HEADERS = {
    "host": "example.com",
    "date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "content-type": "application/json",
    "digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "content-length": "18",
}
TEST_BODY = b'{"hello": "world"}'
TEST_TARGET = "/foo?param=value&pet=dog"
TEST_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
BASIC_SIGNATURE = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3H"
    "Mbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
)
ALL_HEADERS_SIGNATURE = (
    "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52L"
    "aEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="
)


def draft_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(TEST_PRIVATE.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def lookup_for(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey, owner: str = "https://o/a"):  # type: ignore[no-untyped-def]
    calls: list[tuple[str, bool]] = []

    async def lookup(key_id: str, refresh: bool):  # type: ignore[no-untyped-def]
        calls.append((key_id, refresh))
        return owner, key

    return lookup, calls


def test_digest_of_the_draft_body() -> None:
    assert digest_header(TEST_BODY) == TEST_HEADERS["digest"]


def test_basic_vector_is_reproduced_byte_for_byte() -> None:
    text = signing_string(("(request-target)", "host", "date"), "POST", TEST_TARGET, TEST_HEADERS)
    assert text == (
        "(request-target): post /foo?param=value&pet=dog\n"
        "host: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT"
    )
    signature = draft_key().sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert base64.b64encode(signature).decode() == BASIC_SIGNATURE


@pytest.mark.parametrize(
    ("headers", "signature"),
    [
        ("(request-target) host date", BASIC_SIGNATURE),
        ("(request-target) host date content-type digest content-length", ALL_HEADERS_SIGNATURE),
    ],
)
async def test_draft_vectors_verify(headers: str, signature: str) -> None:
    request_headers = {
        **TEST_HEADERS,
        "signature": f'keyId="Test",algorithm="rsa-sha256",headers="{headers}",'
        f'signature="{signature}"',
    }
    lookup, _ = lookup_for(draft_key().public_key())
    if "digest" not in headers:
        # Our inbox requires the digest to be signed whenever there is a body.
        with pytest.raises(SignatureError, match="does not cover digest"):
            await verify_request("POST", TEST_TARGET, request_headers, TEST_BODY, lookup,
                                 now=TEST_NOW)  # fmt: skip
        body = None
    else:
        body = TEST_BODY
    key_id, owner = await verify_request(
        "POST", TEST_TARGET, request_headers, body, lookup, now=TEST_NOW
    )
    assert (key_id, owner) == ("Test", "https://o/a")


def signed(key: rsa.RSAPrivateKey, body: bytes | None = b"{}", **kw) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return sign_request(
        "POST", "https://place.example/inbox", "https://o/a#main-key", key, body=body,
        extra_headers={"content-type": "application/activity+json"}, **kw,
    )  # fmt: skip


async def test_round_trip_and_hs2019_label_uses_the_keys_algorithm() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = signed(key)
    headers["signature"] = headers["signature"].replace("rsa-sha256", "hs2019")
    lookup, _ = lookup_for(key.public_key())
    assert await verify_request("POST", "/inbox", headers, b"{}", lookup) == (
        "https://o/a#main-key",
        "https://o/a",
    )


async def test_an_unknown_algorithm_label_is_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = signed(key)
    headers["signature"] = headers["signature"].replace("rsa-sha256", "hmac-sha256")
    lookup, _ = lookup_for(key.public_key())
    with pytest.raises(SignatureError, match="not accepted"):
        await verify_request("POST", "/inbox", headers, b"{}", lookup)


async def test_failed_verification_refreshes_the_key_once() -> None:
    old = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = signed(new)
    calls: list[bool] = []

    async def lookup(key_id: str, refresh: bool):  # type: ignore[no-untyped-def]
        calls.append(refresh)
        return "https://o/a", (new if refresh else old).public_key()

    await verify_request("POST", "/inbox", headers, b"{}", lookup)
    assert calls == [False, True]


async def test_a_bad_signature_fails_after_one_refresh() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    lookup, calls = lookup_for(other.public_key())
    with pytest.raises(SignatureError, match="does not verify"):
        await verify_request("POST", "/inbox", signed(key), b"{}", lookup)
    assert [refresh for _, refresh in calls] == [False, True]


def test_ed25519_keys_verify_with_ed25519_whatever_the_label() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    headers = {"host": "p.example", "date": "Sun, 05 Jan 2014 21:31:40 GMT"}
    text = signing_string(("(request-target)", "host", "date"), "GET", "/a", headers)
    headers["signature"] = (
        'keyId="k",algorithm="hs2019",headers="(request-target) host date",'
        f'signature="{base64.b64encode(key.sign(text.encode())).decode()}"'
    )
    params, checked = check_request("GET", "/a", headers, None, TEST_NOW)
    from node.signature.cavage import verify_signature

    verify_signature(params, checked, key.public_key())


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h: h.pop("signature"), "not signed"),
        (lambda h: h.update(date="Sun, 05 Jan 2014 19:00:00 GMT"), "away from our clock"),
        (lambda h: h.update(digest="SHA-256=AAAA"), "Digest does not match"),
        (lambda h: h.pop("digest"), "no Digest"),
        (lambda h: h.update(signature=h["signature"].replace(" digest", "")), "does not cover"),
        (lambda h: h.update(signature='keyId="k",signature="%%%"'), "not base64"),
        (lambda h: h.update(signature='keyId="k"'), "no signature"),
    ],
)
def test_check_request_refusals(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    key = draft_key()
    headers = signed(key, now=TEST_NOW)
    mutate(headers)
    with pytest.raises(SignatureError, match=message):
        check_request("POST", "/inbox", headers, b"{}", TEST_NOW)


def test_the_date_window_is_one_hour_each_way() -> None:
    key = draft_key()
    for offset, ok in ((3500, True), (-3500, True), (3700, False), (-3700, False)):
        headers = signed(key, now=TEST_NOW + timedelta(seconds=offset))
        if ok:
            check_request("POST", "/inbox", headers, b"{}", TEST_NOW)
        else:
            with pytest.raises(SignatureError):
                check_request("POST", "/inbox", headers, b"{}", TEST_NOW)


def test_parse_accepts_authorization_form_and_unquoted_numbers() -> None:
    params = parse_signature_header(
        'Signature keyId="https://a/k",algorithm="hs2019",created=1402170695,'
        'headers="(request-target) (created) host",signature="AAAA"'
    )
    assert params.key_id == "https://a/k"
    assert params.created == 1402170695
    assert params.headers == ("(request-target)", "(created)", "host")


def test_digest_check_ignores_other_algorithms_listed_first() -> None:
    check_digest("SHA-512=xyz," + digest_header(b"abc"), b"abc")

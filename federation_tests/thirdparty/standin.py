"""A tiny, recording ActivityPub peer used to check and capture what bovine-herd sends.

It plays the part of one Interlieux place (``/actors/place``) with the smallest
behaviour a peer needs: it serves its actor document (with ``publicKey.id`` equal to the
keyId it signs with), answers WebFinger, accepts any POST to its inbox with 202 and
records every request (method, path, headers, body). It can also send signed requests
(draft-cavage, ``rsa-sha256``, ``Digest`` on POSTs) as a federating server would.

The checks (is a recorded request signed, with which algorithm, does its keyId resolve
to a ``publicKey`` with that id, does the RSA signature verify) are done afterwards
by ``verify_cavage_signature`` so that the request handlers stay trivial.

Runs in the pytest process: standard library plus ``cryptography`` (a project dependency).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SEC_CONTEXT = "https://w3id.org/security/v1"
ACTIVITY_JSON = "application/activity+json"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SignatureCheck:
    key_id: str
    algorithm: str
    signed_headers: list[str]
    key_owner: str
    public_key_id: str
    valid: bool


def parse_signature_header(value: str) -> dict[str, str]:
    """Parse ``k="v",k2="v2"`` (draft-cavage) tolerating spaces after commas."""
    params: dict[str, str] = {}
    for part in value.split(","):
        key, _, raw = part.strip().partition("=")
        params[key] = raw.strip('"')
    return params


class StandInPeer:
    """Serve ``http://127.0.0.1:{port}/actors/{name}`` from a background thread."""

    def __init__(self, port: int, name: str = "place") -> None:
        self.port = port
        self.name = name
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- identity
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actor_id(self) -> str:
        return f"{self.base_url}/actors/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.actor_id}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.actor_id}/inbox"

    def actor_document(self) -> dict[str, Any]:
        pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": [AS_CONTEXT, SEC_CONTEXT],
            "id": self.actor_id,
            "type": "Organization",
            "preferredUsername": self.name,
            "name": "Stand-in place",
            "inbox": self.inbox,
            "outbox": f"{self.actor_id}/outbox",
            "followers": f"{self.actor_id}/followers",
            "following": f"{self.actor_id}/following",
            "publicKey": {"id": self.key_id, "owner": self.actor_id, "publicKeyPem": pem.decode()},
        }

    # ---------------------------------------------------------------- server
    def start(self) -> StandInPeer:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

            def _record(self, body: bytes) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with peer._lock:
                    peer.requests.append(Recorded(self.command, self.path, headers, body))

            def _send_json(self, status: int, data: Any, ctype: str = ACTIVITY_JSON) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._record(b"")
                path = urlsplit(self.path).path
                if path == f"/actors/{peer.name}":
                    self._send_json(200, peer.actor_document())
                elif path == "/.well-known/webfinger":
                    self._send_json(
                        200,
                        {
                            "subject": f"acct:{peer.name}@127.0.0.1:{peer.port}",
                            "links": [
                                {"rel": "self", "type": ACTIVITY_JSON, "href": peer.actor_id}
                            ],
                        },
                        "application/jrd+json",
                    )
                else:
                    self._send_json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                self._record(body)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> StandInPeer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def received(
        self, method: str | None = None, activity_type: str | None = None
    ) -> list[Recorded]:
        with self._lock:
            found = list(self.requests)
        if method:
            found = [r for r in found if r.method == method]
        if activity_type:
            found = [r for r in found if r.body and r.json().get("type") == activity_type]
        return found

    # ---------------------------------------------------------------- client side
    def _sign(self, method: str, url: str, headers: dict[str, str], names: list[str]) -> str:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = []
        for name in names:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            else:
                lines.append(f"{name}: {headers[name]}")
        signature = self._key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        # No spaces after the commas: bovine's parser (bovine.crypto.signature.
        # Signature.from_signature_header) splits on "," and does not strip.
        return ",".join(
            [
                f'keyId="{self.key_id}"',
                'algorithm="rsa-sha256"',
                f'headers="{" ".join(names)}"',
                f'signature="{base64.b64encode(signature).decode()}"',
            ]
        )

    def signed_get(self, url: str) -> tuple[int, Any]:
        headers = {
            "host": urlsplit(url).netloc,
            "date": formatdate(usegmt=True),
            "accept": ACTIVITY_JSON,
        }
        headers["signature"] = self._sign(
            "GET", url, headers, ["(request-target)", "host", "date", "accept"]
        )
        return _http("GET", url, headers, None)

    def signed_post(self, url: str, activity: dict[str, Any]) -> tuple[int, Any]:
        body = json.dumps(activity).encode()
        headers = {
            "host": urlsplit(url).netloc,
            "date": formatdate(usegmt=True),
            "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "content-type": ACTIVITY_JSON,
        }
        headers["signature"] = self._sign(
            "POST", url, headers, ["(request-target)", "host", "date", "digest", "content-type"]
        )
        return _http("POST", url, headers, body)

    def new_id(self) -> str:
        return f"{self.actor_id}/activities/{uuid.uuid4()}"

    # ---------------------------------------------------------------- checks
    def verify_cavage_signature(self, request: Recorded) -> SignatureCheck:
        """Check a recorded request's draft-cavage signature against its sender's key.

        The key is fetched with a signed GET (bovine refuses unsigned ones) and must sit
        in the actor document's ``publicKey`` with ``id`` equal to the keyId.
        """
        params = parse_signature_header(request.headers["signature"])
        names = params["headers"].split(" ")
        lines = []
        for name in names:
            if name == "(request-target)":
                lines.append(f"(request-target): {request.method.lower()} {request.path}")
            else:
                lines.append(f"{name}: {request.headers[name]}")
        status, document = self.signed_get(params["keyId"])
        if status != 200:
            raise AssertionError(f"key {params['keyId']} not retrievable: {status} {document}")
        public_key = document["publicKey"]
        pem = public_key["publicKeyPem"].encode()
        key = serialization.load_pem_public_key(pem)
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                base64.b64decode(params["signature"]),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            valid = True
        except Exception:
            valid = False
        if request.method == "POST":
            expected = "sha-256=" + base64.b64encode(hashlib.sha256(request.body).digest()).decode()
            digest = request.headers.get("digest", "")
            valid = valid and digest[:8].lower() + digest[8:] == expected and "digest" in names
        return SignatureCheck(
            key_id=params["keyId"],
            algorithm=params.get("algorithm", ""),
            signed_headers=names,
            key_owner=public_key.get("owner", ""),
            public_key_id=public_key.get("id", ""),
            valid=valid,
        )


def _http(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")

"""The door daemon: a card is tapped -> decide offline -> signal -> report the tap to the node.

It keeps working when its node is unreachable: it decides from the trust bundle it last
fetched (kept on disk, so a restart does not lose it), and keeps each tap report as a file in
a queue folder until the node has it. Reports are sent in the order the taps happened, each
exactly once as far as the node is concerned (the node records a report id once).

Trust: at its first start the door enrols (`enrol`): it makes its own Ed25519 key (kept in
`door.key`, readable by its owner only), sends the public half to its node with its token, and
keeps the place key the node answers with (`enrolment.json`). From then on it takes only
bundles signed by that place key (a forged or altered one is refused and the last good one
kept), decides from none older than `max_bundle_age` (`stale_bundle`), and signs each tap
report with its own key, which the node checks.

Threads: pyscard's monitor calls `on_card` from its own thread; `run()` refreshes the bundle
and flushes the queue from the main thread. One lock keeps a flush and a new report apart.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access.decision import (
    MAX_BUNDLE_AGE,
    BundleError,
    Decision,
    TrustBundle,
    decide,
    unseal,
)
from node.access.door import sign_report
from node.access.tap import TapReport
from node.multibase import ed25519_from_multibase, ed25519_to_multibase

log = logging.getLogger("interlieux.door")

NO_BUNDLE_FR = "Lecteur pas encore prêt : il doit joindre son nœud une première fois."


@dataclass(frozen=True)
class DoorSettings:
    node_url: str
    token: str
    door: str
    state_dir: Path
    on_decision: str | None = None  # a command run after each decision (relay, LED, buzzer)
    refresh_seconds: float = 20.0  # revocations reach the door within this (plus delivery)
    flush_seconds: float = 3.0
    # No decision from a bundle older than this (`stale_bundle`; the place's own members may
    # still get in if its door policy says so): `interlieux reader --max-bundle-age` (hours).
    max_bundle_age: float = MAX_BUNDLE_AGE


class Door:
    def __init__(self, settings: DoorSettings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.http = http or httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
        self.queue_dir = settings.state_dir / "reports"
        self.rejected_dir = settings.state_dir / "rejected"
        self.bundle_path = settings.state_dir / "bundle.json"
        self.key_path = settings.state_dir / "door.key"
        self.enrolment_path = settings.state_dir / "enrolment.json"
        for folder in (settings.state_dir, self.queue_dir, self.rejected_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.key: ed25519.Ed25519PrivateKey | None = self._load_key()
        self.place_key: ed25519.Ed25519PublicKey | None = self._load_enrolment()
        self.bundle: TrustBundle | None = self._load_bundle()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # --- enrolment: the door's key, and the place key it trusts ---------------------------
    def _load_key(self) -> ed25519.Ed25519PrivateKey | None:
        try:
            key = serialization.load_pem_private_key(self.key_path.read_bytes(), None)
        except FileNotFoundError:
            return None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError(f"{self.key_path} is not an Ed25519 key")
        return key

    def _load_enrolment(self) -> ed25519.Ed25519PublicKey | None:
        try:
            data = json.loads(self.enrolment_path.read_text())
        except FileNotFoundError:
            return None
        if self.key is None or data.get("door") != self.settings.door:
            return None  # enrolled under another name, or the key is gone: enrol again
        return ed25519_from_multibase(str(data.get("key")))

    def enrol(self) -> bool:
        """Make the door's key if it has none, and register it with the node (once per
        token; the node answers the same for the same key). Keeps the place's key."""
        if self.place_key is not None:
            return True
        if self.key is None:
            key = ed25519.Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_atomically(self.key_path, pem, mode=0o600)
            self.key = key
        try:
            response = self.http.post(
                f"{self.settings.node_url}/access/doors",
                json={"door": self.settings.door,
                      "key": ed25519_to_multibase(self.key.public_key())},
                headers=self._auth(),
            )  # fmt: skip
            if response.status_code >= 400:
                log.error("inscription de la porte refusée : %s", _said(response))
                return False
            answer = response.json()
            place_key = ed25519_from_multibase(str(answer["key"]))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("node unreachable, door not enrolled yet: %s", exc)
            return False
        if place_key is None:
            log.error("inscription : clé du lieu illisible (%r)", answer.get("key"))
            return False
        record = {"door": self.settings.door, "place": answer.get("place"), "key": answer["key"],
                  "node": self.settings.node_url, "enrolled_at": time.time()}  # fmt: skip
        _write_atomically(self.enrolment_path, json.dumps(record).encode())
        self.place_key = place_key
        log.info("porte %s inscrite auprès de %s", self.settings.door, answer.get("place"))
        return True

    # --- the trust bundle ----------------------------------------------------------------
    def _load_bundle(self) -> TrustBundle | None:
        if self.place_key is None:
            return None
        try:
            return unseal(json.loads(self.bundle_path.read_text()), self.place_key)
        except FileNotFoundError:
            return None
        except BundleError as exc:
            log.error("PORTE %s : %s", self.settings.door, exc.message("fr"))
            return None
        except (ValueError, AttributeError) as exc:
            log.warning("cached bundle unreadable, waiting for the node: %r", exc)
            return None

    def refresh_bundle(self) -> bool:
        if not self.enrol() or self.place_key is None:
            return False
        try:
            response = self.http.get(
                f"{self.settings.node_url}/access/bundle", headers=self._auth()
            )
            response.raise_for_status()
            sealed = response.json()
            bundle = unseal(sealed, self.place_key)
        except BundleError as exc:
            # Never replace a good bundle by one the place did not sign: keep deciding from
            # the last good one (until it is too old).
            log.error("PORTE %s : %s", self.settings.door, exc.message("fr"))
            return False
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.info("node unreachable, deciding from the cached bundle: %s", exc)
            return False
        _write_atomically(self.bundle_path, json.dumps(sealed).encode())
        self.bundle = bundle
        return True

    # --- a tap -----------------------------------------------------------------------------
    def on_tap(self, uid: bytes | None, grant: bytes, now: float | None = None) -> Decision:
        """Decide, signal, queue the report, try to send it. Never raises for a bad card."""
        now = time.time() if now is None else now
        if self.bundle is None:
            decision = Decision(False, "no_bundle")
        else:
            decision = decide(grant, uid, self.bundle, now, self.settings.max_bundle_age)
        self.signal(decision)
        report = TapReport.of(decision, grant, uid, self.settings.door, now)
        if self.key is not None:
            report = sign_report(report, self.key)
        self._queue(report)
        self.flush()
        return decision

    def signal(self, decision: Decision) -> None:
        who = decision.grant.member if decision.grant else "?"
        if decision.accepted:
            log.info("PORTE %s : ACCEPTÉ %s", self.settings.door, who)
        else:
            message = decision.to_json()["message"]
            log.info("PORTE %s : REFUSÉ %s (%s) %s", self.settings.door, who, decision.reason,
                     message)  # fmt: skip
        if self.settings.on_decision:
            env = {
                **os.environ,
                "INTERLIEUX_DECISION": "accept" if decision.accepted else "refuse",
                "INTERLIEUX_REASON": decision.reason,
                "INTERLIEUX_MEMBER": who,
                "INTERLIEUX_DOOR": self.settings.door,
            }
            try:
                subprocess.run(shlex.split(self.settings.on_decision), env=env, timeout=10,
                               check=False)  # fmt: skip
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.warning("decision command failed: %r", exc)

    # --- the report queue ------------------------------------------------------------------
    def _queue(self, report: TapReport) -> None:
        # The name sorts in tap order; the file is complete on disk before it is visible.
        name = f"{time.time_ns():020d}-{report.report_id}.json"
        with self._lock:
            _write_atomically(self.queue_dir / name, json.dumps(report.to_json()).encode())

    def pending(self) -> list[Path]:
        return sorted(self.queue_dir.glob("*.json"))

    def flush(self) -> int:
        """Send queued reports in order; stop at the first that cannot be sent now."""
        sent = 0
        with self._lock:
            for path in self.pending():
                try:
                    response = self.http.post(
                        f"{self.settings.node_url}/access/taps",
                        content=self._signed(path.read_bytes()),
                        headers={**self._auth(), "content-type": "application/json"},
                    )
                except httpx.HTTPError:
                    break  # node unreachable: keep this one and all after it, in order
                if response.status_code in (200, 201):
                    path.unlink()
                    sent += 1
                elif 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    # The node will never take it: set it aside (kept, never lost) and go on.
                    log.error("node refused report %s: %s", path.name, response.text[:200])
                    path.rename(self.rejected_dir / path.name)
                else:
                    break
        return sent

    def _signed(self, body: bytes) -> bytes:
        """A report queued before the door had its key (before its enrolment, or by an older
        version of the reader) is signed when it leaves: the node takes no unsigned report."""
        if self.key is None:
            return body
        try:
            data = json.loads(body)
            if data.get("door_signature"):
                return body
            report = TapReport.from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError):
            return body  # the node says what is wrong with it; it is set aside, not lost
        return json.dumps(sign_report(report, self.key).to_json()).encode()

    def _auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.settings.token}"}

    # --- running ------------------------------------------------------------------------
    def run(self, watch: Callable[[Door], Callable[[], None]]) -> None:
        """Refresh and flush until `stop()`; `watch` starts the card watcher, returns its stop."""
        self.refresh_bundle()
        stop_watching = watch(self)
        log.info("porte %s prête (%s)", self.settings.door,
                 "badges vérifiables" if self.bundle else NO_BUNDLE_FR)  # fmt: skip
        next_refresh = time.monotonic() + self.settings.refresh_seconds
        try:
            while not self._stop.wait(self.settings.flush_seconds):
                if time.monotonic() >= next_refresh:
                    self.refresh_bundle()
                    next_refresh = time.monotonic() + self.settings.refresh_seconds
                self.flush()
        finally:
            stop_watching()

    def stop(self) -> None:
        self._stop.set()


def _said(response: httpx.Response) -> str:
    """The node's French words for a refusal, else the start of its answer."""
    try:
        return str(response.json().get("message") or response.json().get("error"))
    except (ValueError, AttributeError):
        return response.text[:200]


def _write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    # Created with its final mode: a key file is never readable by others, even a moment.
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.chmod(tmp, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)

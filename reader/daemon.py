"""The door daemon: a card is tapped -> decide offline -> signal -> report the tap to the node.

It keeps working when its node is unreachable: it decides from the trust bundle it last
fetched (kept on disk, so a restart does not lose it), and keeps each tap report as a file in
a queue folder until the node has it. Reports are sent in the order the taps happened, each
exactly once as far as the node is concerned (the node records a report id once).

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

from node.access.decision import Decision, TrustBundle, decide
from node.access.tap import TapReport

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


class Door:
    def __init__(self, settings: DoorSettings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.http = http or httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
        self.queue_dir = settings.state_dir / "reports"
        self.rejected_dir = settings.state_dir / "rejected"
        self.bundle_path = settings.state_dir / "bundle.json"
        for folder in (settings.state_dir, self.queue_dir, self.rejected_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.bundle: TrustBundle | None = self._load_bundle()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # --- the trust bundle ----------------------------------------------------------------
    def _load_bundle(self) -> TrustBundle | None:
        try:
            return TrustBundle.from_json(json.loads(self.bundle_path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError) as exc:
            log.warning("cached bundle unreadable, waiting for the node: %r", exc)
            return None

    def refresh_bundle(self) -> bool:
        try:
            response = self.http.get(
                f"{self.settings.node_url}/access/bundle", headers=self._auth()
            )
            response.raise_for_status()
            bundle = TrustBundle.from_json(response.json())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.info("node unreachable, deciding from the cached bundle: %s", exc)
            return False
        _write_atomically(self.bundle_path, bundle.dumps().encode())
        self.bundle = bundle
        return True

    # --- a tap -----------------------------------------------------------------------------
    def on_tap(self, uid: bytes | None, grant: bytes, now: float | None = None) -> Decision:
        """Decide, signal, queue the report, try to send it. Never raises for a bad card."""
        now = time.time() if now is None else now
        if self.bundle is None:
            decision = Decision(False, "no_bundle")
        else:
            decision = decide(grant, uid, self.bundle, now)
        self.signal(decision)
        self._queue(TapReport.of(decision, grant, uid, self.settings.door, now))
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
                        content=path.read_bytes(),
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


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)

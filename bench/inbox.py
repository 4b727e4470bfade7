"""Inbox throughput: signed `Create{Note}` POSTed to one node's shared inbox by K processes.

    python bench/inbox.py [--requests N] [--clients K] [--warmup W]

Two real nodes run as `interlieux serve` processes on loopback: the target, whose inbox is
measured, and the sender, whose member `alice` signs every activity, so that the target fetches
her real actor document and key over HTTP (once, during the warm-up, then from its cache).

Printed: accepted activities per second (a 202 means verified and durably stored), latency
percentiles, the time until the target's worker has applied them all, and, measured in the same
run on the same disk, the cost of the work no inbox can avoid per request: one RSA-2048 verify,
one SHA-256 of the body, one committed insert. The ratio of the measured throughput to the
floor that this cost allows on one core is the figure that counts.

Exits non-zero if any request was not answered 202, or if not every activity was applied.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import queue
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Barrier
from pathlib import Path

# `python bench/inbox.py` puts bench/ on the path, not the repository root; spawned clients
# run this file again, so they get the same path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

from federation_tests.network import PUBLIC, LocalPlace, wait_for  # noqa: E402
from node.signature import check_request, sign_request  # noqa: E402
from node.store import SCHEMA  # noqa: E402

AS_JSON = "application/activity+json"
SENDER_HANDLE = "alice"
# A note of ordinary length (about 450 characters of text, 0.9 kB of JSON in all).
TEXT = (
    "<p>Atelier réparation de vélos samedi 14 h au fablab : apportez vos chambres à air, "
    "on fournit les rustines, les démonte-pneus et le café. Les bénévoles de l'atelier "
    "montreront aussi comment régler les freins et changer un câble de dérailleur. "
    "Inscription libre, enfants bienvenus accompagnés. Pensez à venir avec votre vélo "
    "propre, c'est plus agréable pour tout le monde. À samedi ! #réparation #vélo</p>"
)
CLIENT_TIMEOUT = 30.0  # seconds, one request
RUN_TIMEOUT = 300.0  # seconds, the whole load, then the clients are stopped
APPLY_TIMEOUT = 120.0  # seconds, waiting for the worker after the load


@dataclass(frozen=True)
class Sender:
    """Everything a client process needs to build and sign its activities (picklable)."""

    base_url: str
    actor: str
    key_id: str
    private_pem: str
    inbox: str


@dataclass(frozen=True)
class ClientResult:
    index: int
    started: float  # time.perf_counter() (CLOCK_MONOTONIC: comparable across processes)
    finished: float
    latencies: list[float]  # seconds, one per request
    failures: list[str]  # one line per request not answered 202
    cpu: float  # seconds of CPU the client spent in its timed loop


def create_note(sender: Sender, tag: str) -> bytes:
    """One distinct Create{Note}, public, with ids on the sender's origin."""
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{sender.base_url}/activities/{tag}",
        "type": "Create",
        "actor": sender.actor,
        "published": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": [PUBLIC],
        "object": {
            "id": f"{sender.base_url}/objects/{tag}",
            "type": "Note",
            "attributedTo": sender.actor,
            "content": TEXT,
            "to": [PUBLIC],
        },
    }
    return json.dumps(activity).encode()


def signed_request(
    sender: Sender, key: rsa.RSAPrivateKey, tag: str
) -> tuple[bytes, dict[str, str]]:
    body = create_note(sender, tag)
    headers = sign_request(
        "POST", sender.inbox, sender.key_id, key, body=body,
        extra_headers={"content-type": AS_JSON},
    )  # fmt: skip
    return body, headers


def load_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def client(
    index: int, sender: Sender, tags: list[str], barrier: Barrier, results: mp.Queue[ClientResult]
) -> None:
    """One client process: sign everything, wait for the others, then POST one at a time."""
    key = load_key(sender.private_pem)
    # Pre-signed before the timed loop: a real sender signs each request, but that is the
    # sender's CPU, not the server's, and on a 2-core machine the clients share the cores with
    # the server, so signing in the loop would slow the server down for a cost it does not have.
    # The Date header stays valid for an hour (Mastodon's skew), far longer than a run.
    requests = [signed_request(sender, key, tag) for tag in tags]
    latencies: list[float] = []
    failures: list[str] = []
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:  # one keep-alive connection
        barrier.wait()
        cpu_start = time.process_time()
        started = time.perf_counter()
        for body, headers in requests:
            sent = time.perf_counter()
            try:
                response = http.post(sender.inbox, content=body, headers=headers)
                status, text = response.status_code, response.text
            except httpx.HTTPError as exc:
                status, text = 0, repr(exc)
            latencies.append(time.perf_counter() - sent)
            if status != 202:
                failures.append(f"{status} {text[:200]}")
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_start
    results.put(ClientResult(index, started, finished, latencies, failures, cpu))


# --- the unavoidable cost, measured in this process ------------------------------------------


def per_op(op: Callable[[int], object], budget: float, at_least: int) -> float:
    """Mean seconds per call of `op`, run for `budget` seconds and at least `at_least` times."""
    for i in range(min(at_least, 10)):  # untimed: first calls warm caches and create files
        op(-1 - i)
    count = 0
    start = time.perf_counter()
    while count < at_least or time.perf_counter() - start < budget:
        op(count)
        count += 1
    return (time.perf_counter() - start) / count


@dataclass(frozen=True)
class Baseline:
    verify: float  # seconds per op
    sha256: float
    insert: float

    @property
    def total(self) -> float:
        return self.verify + self.sha256 + self.insert


def measure_baseline(sender: Sender, key: rsa.RSAPrivateKey, database: Path) -> Baseline:
    body, headers = signed_request(sender, key, f"baseline-{uuid.uuid4()}")
    # The exact text and signature the server verifies for such a request.
    path = "/" + sender.inbox.split("/", 3)[3]
    params, text = check_request("POST", path, headers, body, datetime.now(UTC))
    public = key.public_key()
    signed = text.encode()

    def verify(_: int) -> None:
        public.verify(params.signature, signed, padding.PKCS1v15(), hashes.SHA256())

    def sha256(_: int) -> None:
        hashlib.sha256(body).digest()

    db = sqlite3.connect(database, isolation_level=None)
    try:
        # The node's pragmas (node/store.py) and its inbox_queue table with its index.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        document = body.decode()

        def insert(i: int) -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO inbox_queue (activity_id, document, received_at, target)"
                " VALUES (?,?,?,NULL)",
                (f"{sender.base_url}/activities/baseline-{i}", document, time.time()),
            )
            db.execute("COMMIT")

        return Baseline(
            verify=per_op(verify, 0.5, 200),
            sha256=per_op(sha256, 0.2, 1000),
            insert=per_op(insert, 1.5, 100),
        )
    finally:
        db.close()


# --- the run ---------------------------------------------------------------------------------


def applied_count(place: LocalPlace, prefix: str) -> tuple[int, int]:
    """(applied, failed) rows of the target's inbox_queue whose id starts with `prefix`."""
    row = place.query(
        "SELECT sum(state = 'applied'), sum(state = 'failed') FROM inbox_queue"
        " WHERE activity_id >= ? AND activity_id < ?",
        (prefix, prefix + "\uffff"),
    )[0]
    return int(row[0] or 0), int(row[1] or 0)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU of a process: (its main thread, all its threads), from /proc."""

    def of(stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return of(Path(f"/proc/{pid}/task/{pid}/stat")), of(Path(f"/proc/{pid}/stat"))


def collect(
    processes: Sequence[BaseProcess], results: mp.Queue[ClientResult]
) -> list[ClientResult]:
    """Every client's result; fails at once if a client died, and after RUN_TIMEOUT at worst."""
    done: list[ClientResult] = []
    deadline = time.monotonic() + RUN_TIMEOUT
    while len(done) < len(processes):
        try:
            done.append(results.get(timeout=0.5))
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a client process died (exit codes {dead})") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"clients still running after {RUN_TIMEOUT:.0f} s") from None
    return done


def split(tags: list[str], parts: int) -> list[list[str]]:
    return [tags[i::parts] for i in range(parts)]


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(requests: int, clients: int, warmup: int, folder: Path) -> int:
    target = LocalPlace(folder, "coroutine", "La Coroutine").init()
    origin = LocalPlace(folder, "popcafe", "PopCafé").init()
    actor = origin.add_member(SENDER_HANDLE, "Alice Martin")
    sender = Sender(
        base_url=origin.base_url,
        actor=actor,
        key_id=f"{actor}#main-key",
        private_pem=origin.private_key_pem(SENDER_HANDLE),
        inbox=f"{target.base_url}/inbox",
    )
    key = load_key(sender.private_pem)
    run_id = uuid.uuid4().hex[:8]
    try:
        target.start()
        origin.start()
        server_pid = target.process.pid if target.process else 0

        # Warm-up, not measured: the first request makes the target fetch alice's key.
        warm = f"{sender.base_url}/activities/warmup-{run_id}-"
        with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
            for i in range(warmup):
                body, headers = signed_request(sender, key, f"warmup-{run_id}-{i:06d}")
                response = http.post(sender.inbox, content=body, headers=headers)
                if response.status_code != 202:
                    print(f"warm-up request refused: {response.status_code} {response.text}")
                    return 1
        wait_for(lambda: applied_count(target, warm)[0] == warmup, 60, "the warm-up applied")

        # Measured just before and just after the load, each on a fresh file, while the nodes
        # are idle: a machine that is not quiet shows as two different figures.
        before = measure_baseline(sender, key, folder / "baseline-before.sqlite3")

        prefix = f"bench-{run_id}-"
        tags = [f"{prefix}{i:06d}" for i in range(requests)]
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(clients + 1)
        results: mp.Queue[ClientResult] = ctx.Queue()
        processes = [
            ctx.Process(target=client, args=(i, sender, part, barrier, results), daemon=True)
            for i, part in enumerate(split(tags, clients))
        ]
        for process in processes:
            process.start()
        try:
            barrier.wait(timeout=120)  # every client has signed its share
            loop_cpu_before, cpu_before = cpu_seconds(server_pid)
            done = collect(processes, results)
            at_end = applied_count(target, f"{sender.base_url}/activities/{prefix}")[0]
            applied_at = _wait_applied(target, f"{sender.base_url}/activities/{prefix}", requests)
            loop_cpu_after, cpu_after = cpu_seconds(server_pid)
            server_cpu, loop_cpu = cpu_after - cpu_before, loop_cpu_after - loop_cpu_before
        finally:
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.terminate()
                    process.join()
        after = measure_baseline(sender, key, folder / "baseline-after.sqlite3")
    except BaseException:
        # The temporary folder goes with the run: show why the target failed while it is there.
        if target.log_path.exists():
            print(f"--- end of the target's log\n{target.log_path.read_text()[-3000:]}")
        raise
    finally:
        target.stop()
        origin.stop()

    started = min(r.started for r in done)
    wall = max(r.finished for r in done) - started
    latencies = sorted(x for r in done for x in r.latencies)
    failures = [f for r in done for f in r.failures]
    accepted = len(latencies) - len(failures)
    applied, failed, applied_when = applied_at
    # The lower of the two: noise from other processes only ever adds time.
    unavoidable = min(before.total, after.total)
    floor = 1.0 / unavoidable
    throughput = accepted / wall
    body_size = len(create_note(sender, tags[0]))

    def us(seconds: float) -> str:
        return f"{1e6 * seconds:.1f} µs"

    def both(of: Callable[[Baseline], float]) -> str:
        return f"{us(of(before)):>10} / {us(of(after))}"

    rows: list[tuple[str, str]] = [
        ("requests (after warm-up)", f"{requests} (+{warmup} warm-up, not measured)"),
        ("client processes", f"{clients}, one keep-alive connection each, pre-signed"),
        ("body size", f"{body_size} B"),
        ("wall time", f"{wall:.2f} s"),
        ("accepted (202)", f"{accepted}/{requests}"),
        ("accepted/s", f"{throughput:.0f}"),
        ("latency p50", f"{1000 * statistics.median(latencies):.1f} ms"),
        ("latency p99", f"{1000 * percentile(latencies, 0.99):.1f} ms"),
        ("latency max", f"{1000 * latencies[-1]:.1f} ms"),
        ("applied when the last 202 came", f"{at_end}/{requests}"),
        ("all applied after", f"{applied_when - started:.2f} s ({failed} failed)"),
        ("applied/s (end to end)", f"{applied / (applied_when - started):.0f}"),
        (
            "server CPU per request",
            f"{1e6 * server_cpu / requests:.0f} µs, receive + apply (event loop thread"
            f" {1e6 * loop_cpu / requests:.0f}, other threads"
            f" {1e6 * (server_cpu - loop_cpu) / requests:.0f})",
        ),
        ("client CPU per request", f"{1e6 * sum(r.cpu for r in done) / requests:.0f} µs"),
        ("unavoidable per request", "    before / after the load"),
        ("  RSA-2048 verify", both(lambda b: b.verify)),
        (f"  SHA-256 of {body_size} B", both(lambda b: b.sha256)),
        ("  committed insert (WAL, FULL)", both(lambda b: b.insert)),
        ("  sum", both(lambda b: b.total)),
        ("floor on one core (1/lower sum)", f"{floor:.0f}/s"),
        ("ratio accepted/s ÷ floor", f"{throughput / floor:.3f}"),
    ]
    width = max(len(label) for label, _ in rows)
    print(
        f"inbox bench: {os.cpu_count()} cores shared by the server (one process), the sender"
        " node and the clients; the floor counts one core"
    )
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if max(before.total, after.total) > 2 * min(before.total, after.total):
        print(
            "warning: the unavoidable cost changed more than twofold during the run; something"
            " else is using the disk or the cores, so the ratio is unreliable"
        )
    for line in failures[:10]:
        print(f"  failed: {line}")
    ok = not failures and applied == requests and failed == 0
    if not ok:
        print(f"FAILED: {len(failures)} requests not accepted, {requests - applied} not applied")
    return 0 if ok else 1


def _wait_applied(place: LocalPlace, prefix: str, expected: int) -> tuple[int, int, float]:
    """Poll until `expected` rows are applied (or failed); (applied, failed, when)."""
    deadline = time.perf_counter() + APPLY_TIMEOUT
    while True:
        applied, failed = applied_count(place, prefix)
        now = time.perf_counter()
        if applied + failed >= expected or now > deadline:
            return applied, failed, now
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--warmup", type=int, default=50, help="requests before measuring")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1 or args.warmup < 1:
        parser.error("--requests, --clients and --warmup must be at least 1")
    with tempfile.TemporaryDirectory(prefix="interlieux-bench-") as folder:
        return run(args.requests, args.clients, args.warmup, Path(folder))


if __name__ == "__main__":
    sys.exit(main())

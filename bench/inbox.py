"""Inbox throughput, applied: signed `Create{Note}` POSTed to one node's shared inbox by K
processes, the same load to bovine-herd, a fan-out to 1,000 followers, and the node's memory.

    python bench/inbox.py [--requests N] [--clients K] [--connections C] [--warmup W]
                          [--skip-bovine] [--skip-fanout] [--followers F] [--peer-nodes P]

Two real nodes run as `interlieux serve` processes on loopback: the target, whose inbox is
measured, and the sender, whose member `alice` signs every activity, so that the target fetches
her real actor document and key over HTTP (once, during the warm-up, then from its cache).

Printed: accepted activities per second (a 202 means verified and durably stored), latency
percentiles, applied activities per second (until the target's worker has applied them all),
and, measured in the same run on the same disk, the cost of the work no inbox can avoid per
request: one RSA-2048 verify, one SHA-256 of the body, one committed insert. The ratio of the
applied rate to the floor that this cost allows on one core is the figure that counts.

Then (`bovine.py`) the same load, signed the same way, to bovine-herd 0.5.19's inbox, and the
ratio of the two applied rates; then (`fanout.py`, `peers.py`) one public post of the target's
place to followers on simulated nodes, timed against its RSA signatures alone; and the target's
resident memory before any load and after all of it. See bench/README.md.

Exits non-zero if any request was not answered 202, if not every activity was applied (by the
node or by bovine), or if the fan-out did not reach every simulated node exactly once.
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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, Protocol

# `python bench/inbox.py` puts bench/ on the path, not the repository root; spawned clients
# run this file again, so they get the same path.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

from bench import bovine, fanout, wire  # noqa: E402
from bench.peers import PeerNodes  # noqa: E402
from federation_tests.network import PUBLIC, LocalPlace, wait_for  # noqa: E402
from node.signature import check_request, sign_request  # noqa: E402
from node.tables.inbox_queue import SCHEMA  # noqa: E402

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
# Requests in flight per client process: a busy place receives from many servers at once, each
# delivering on its own connection (Mastodon's workers, GoToSocial's queue).
CONNECTIONS = 8
RUN_TIMEOUT = 300.0  # seconds, the whole load, then the clients are stopped
APPLY_TIMEOUT = 120.0  # seconds, waiting for the worker after the load
POLL = 0.005  # seconds between two looks at what is applied: the precision of "applied after"
IDLE_SETTLE = 1.0  # seconds after the target answers before its idle memory is read


@dataclass(frozen=True)
class Sender:
    """Everything a client process needs to build and sign its activities (picklable)."""

    base_url: str
    actor: str
    key_id: str
    private_pem: str
    inbox: str
    cc: tuple[str, ...] = ()  # also addressed to these actors (bovine's user: it has no
    # shared inbox, and files a public post in the inbox of the user it was posted to)


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
    activity: dict[str, Any] = {
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
    if sender.cc:
        activity["cc"] = activity["object"]["cc"] = list(sender.cc)
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
    index: int,
    sender: Sender,
    tags: list[str],
    connections: int,
    barrier: Barrier,
    results: mp.Queue[ClientResult],
) -> None:
    """One client process: sign everything, wait for the others, then POST on `connections`
    keep-alive connections, one request in flight on each."""
    key = load_key(sender.private_pem)
    # Pre-signed and encoded before the timed loop: a real sender signs each request, but that
    # is the sender's CPU, not the server's, and on a 2-core machine the clients share the cores
    # with the server, so signing in the loop would slow the server down for a cost it does not
    # have. The Date header stays valid for an hour (Mastodon's skew), far longer than a run.
    requests = [wire.encode(sender.inbox, h, b) for b, h in
                (signed_request(sender, key, tag) for tag in tags)]  # fmt: skip
    barrier.wait()
    cpu_start = time.process_time()
    started = time.perf_counter()
    outcome = wire.send_all(sender.inbox, requests, connections, CLIENT_TIMEOUT)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_start
    results.put(ClientResult(index, started, finished, outcome.latencies, outcome.failures, cpu))


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


class Progress(Protocol):
    """How far the server got with applying one load's activities."""

    def remaining(self) -> int:
        """Not yet applied (nor failed): cheap, polled every few milliseconds."""
        ...

    def applied(self) -> tuple[int, int]:
        """(applied, failed), exact: read once at the end of the load and once after."""
        ...


class InboxProgress:
    """The target's `inbox_queue`, read-only on one connection, as an operator's tool would."""

    def __init__(self, place: LocalPlace, prefix: str) -> None:
        path = place.data / "interlieux.sqlite3"
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        self.prefix = prefix

    def remaining(self) -> int:
        # On the state index: it reads only the rows still to apply, however long the queue.
        # Only this load's rows are 'new' (the warm-up was applied before it started).
        row = self.db.execute("SELECT count(*) FROM inbox_queue WHERE state = 'new'").fetchone()
        return int(row[0])

    def applied(self) -> tuple[int, int]:
        row = self.db.execute(
            "SELECT sum(state = 'applied'), sum(state = 'failed') FROM inbox_queue"
            " WHERE activity_id >= ? AND activity_id < ?",
            (self.prefix, self.prefix + "\uffff"),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def close(self) -> None:
        self.db.close()


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU of a process: (its main thread, all its threads), from /proc."""

    def of(stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return of(Path(f"/proc/{pid}/task/{pid}/stat")), of(Path(f"/proc/{pid}/stat"))


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmRSS for process {pid}")


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


@dataclass(frozen=True)
class Load:
    """One measured load against one server: what the clients saw and what the server did."""

    requests: int
    done: list[ClientResult]
    at_end: int  # applied when the last 202 came
    applied: int
    failed: int
    applied_when: float  # time.perf_counter() when the last was seen applied
    server_cpu: float  # seconds, the whole process, from the barrier until all applied
    loop_cpu: float  # of which its main thread

    @property
    def started(self) -> float:
        return min(r.started for r in self.done)

    @property
    def wall(self) -> float:
        return max(r.finished for r in self.done) - self.started

    @property
    def latencies(self) -> list[float]:
        return sorted(x for r in self.done for x in r.latencies)

    @property
    def failures(self) -> list[str]:
        return [f for r in self.done for f in r.failures]

    @property
    def accepted(self) -> int:
        return self.requests - len(self.failures)

    @property
    def accepted_rate(self) -> float:
        return self.accepted / self.wall

    @property
    def applied_rate(self) -> float:
        """Applied per second, from the first request to the last activity applied."""
        return self.applied / (self.applied_when - self.started)


@dataclass(frozen=True)
class Senders:
    """How the load is sent: client processes, and keep-alive connections in each."""

    processes: int
    connections: int

    def __str__(self) -> str:
        return (
            f"{self.processes} processes × {self.connections} keep-alive connections,"
            " one request in flight on each, pre-signed"
        )


def load(sender: Sender, tags: list[str], senders: Senders, pid: int, progress: Progress) -> Load:
    """POST every tag's activity from the client processes; wait until the server applied
    them."""
    ctx = mp.get_context("spawn")
    clients = senders.processes
    barrier = ctx.Barrier(clients + 1)
    results: mp.Queue[ClientResult] = ctx.Queue()
    processes = [
        ctx.Process(
            target=client,
            args=(i, sender, part, senders.connections, barrier, results),
            daemon=True,
        )
        for i, part in enumerate(split(tags, clients))
    ]
    for process in processes:
        process.start()
    try:
        barrier.wait(timeout=120)  # every client has signed its share
        loop_cpu_before, cpu_before = cpu_seconds(pid)
        done = collect(processes, results)
        at_end = progress.applied()[0]
        applied_when = _wait_applied(progress)
        loop_cpu_after, cpu_after = cpu_seconds(pid)
        applied, failed = progress.applied()
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join()
    return Load(
        requests=len(tags),
        done=done,
        at_end=at_end,
        applied=applied,
        failed=failed,
        applied_when=applied_when,
        server_cpu=cpu_after - cpu_before,
        loop_cpu=loop_cpu_after - loop_cpu_before,
    )


def _wait_applied(progress: Progress) -> float:
    """Poll until nothing remains to apply; the time of the poll that saw it (at most one
    poll interval after the last activity was applied), or of giving up after APPLY_TIMEOUT."""
    deadline = time.perf_counter() + APPLY_TIMEOUT
    while True:
        now = time.perf_counter()
        if progress.remaining() <= 0 or now > deadline:
            return now
        time.sleep(POLL)


def warm_up(sender: Sender, key: rsa.RSAPrivateKey, tags: list[str]) -> str | None:
    """POST `tags` one by one, not measured; the first refusal, if any."""
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
        for tag in tags:
            body, headers = signed_request(sender, key, tag)
            response = http.post(sender.inbox, content=body, headers=headers)
            if response.status_code != 202:
                return f"{response.status_code} {response.text[:300]}"
    return None


def without_rate_limits(place: LocalPlace) -> None:
    """The load comes from one origin, far past what node/limits.py lets one origin send a
    place: the measure is of the node's work, so its limits are off (a burst of 0)."""
    settings = json.loads((place.data / "node.json").read_text())
    off = {"burst": 0, "per_minute": 0}
    settings["limits"] = {
        "inbox_per_origin": off,
        "inbox_per_actor": off,
        "key_fetches_per_origin": off,
        "key_fetches_per_actor": off,
        "fetches_outstanding_per_origin": 0,
    }
    (place.data / "node.json").write_text(json.dumps(settings, indent=2))


def run(options: Options, folder: Path) -> int:
    requests, warmup = options.requests, options.warmup
    senders = Senders(options.clients, options.connections)
    target = LocalPlace(folder, "coroutine", "La Coroutine").init()
    without_rate_limits(target)
    origin = LocalPlace(folder, "popcafe", "PopCafé").init()
    actor = origin.add_member(SENDER_HANDLE, "Alice Martin")
    sender = Sender(
        base_url=origin.base_url,
        actor=actor,
        key_id=f"{actor}#main-key",
        private_pem=origin.private_key_pem(SENDER_HANDLE),
        inbox=f"{target.base_url}/inbox",
        # Addressed to the target's place: a node keeps a stranger's post only then.
        cc=(target.actor_id(),),
    )
    key = load_key(sender.private_pem)
    run_id = uuid.uuid4().hex[:8]
    herd_load: Load | None = None
    herd_rss = 0.0
    setup: fanout.FollowSetup | None = None
    spread: list[fanout.Fanout] | None = None
    try:
        target.start()
        origin.start()
        server_pid = target.process.pid if target.process else 0
        time.sleep(IDLE_SETTLE)
        rss_idle = rss_mb(server_pid)

        # Warm-up, not measured: the first request makes the target fetch alice's key.
        warm = f"{sender.base_url}/activities/warmup-{run_id}-"
        refused = warm_up(sender, key, [f"warmup-{run_id}-{i:06d}" for i in range(warmup)])
        if refused:
            print(f"warm-up request refused: {refused}")
            return 1
        warmed = InboxProgress(target, warm)
        wait_for(lambda: warmed.applied()[0] == warmup, 60, "the warm-up applied")
        warmed.close()

        # Measured just before and just after the load, each on a fresh file, while the nodes
        # are idle: a machine that is not quiet shows as two different figures.
        before = measure_baseline(sender, key, folder / "baseline-before.sqlite3")
        prefix = f"bench-{run_id}-"
        progress = InboxProgress(target, f"{sender.base_url}/activities/{prefix}")
        try:
            ours = load(
                sender, [f"{prefix}{i:06d}" for i in range(requests)], senders, server_pid, progress
            )
        finally:
            progress.close()
        after = measure_baseline(sender, key, folder / "baseline-after.sqlite3")

        if not options.skip_bovine:
            herd_load, herd_rss = run_bovine(folder, sender, key, run_id, requests, senders)
        if not options.skip_fanout:
            setup, spread = run_fanout(target, options.followers, options.peer_nodes)
        rss_after = rss_mb(server_pid)
    except BaseException:
        # The temporary folder goes with the run: show why the target failed while it is there.
        if target.log_path.exists():
            print(f"--- end of the target's log\n{target.log_path.read_text()[-3000:]}")
        raise
    finally:
        target.stop()
        origin.stop()

    latencies = ours.latencies
    failures = ours.failures
    # The lower of the two: noise from other processes only ever adds time.
    unavoidable = min(before.total, after.total)
    floor = 1.0 / unavoidable
    body_size = len(create_note(sender, "x" * len(f"{prefix}000000")))

    def us(seconds: float) -> str:
        return f"{1e6 * seconds:.1f} µs"

    def both(of: Callable[[Baseline], float]) -> str:
        return f"{us(of(before)):>10} / {us(of(after))}"

    rows: list[tuple[str, str]] = [
        ("requests (after warm-up)", f"{requests} (+{warmup} warm-up, not measured)"),
        ("clients", str(senders)),
        ("body size", f"{body_size} B"),
        ("wall time", f"{ours.wall:.2f} s"),
        ("accepted (202)", f"{ours.accepted}/{requests}"),
        ("accepted/s", f"{ours.accepted_rate:.0f}"),
        ("latency p50", f"{1000 * statistics.median(latencies):.1f} ms"),
        ("latency p99", f"{1000 * percentile(latencies, 0.99):.1f} ms"),
        ("latency max", f"{1000 * latencies[-1]:.1f} ms"),
        ("applied when the last 202 came", f"{ours.at_end}/{requests}"),
        (
            "all applied after",
            f"{ours.applied_when - ours.started:.2f} s ({ours.applied} applied,"
            f" {ours.failed} failed)",
        ),
        ("applied/s", f"{ours.applied_rate:.0f}"),
        (
            "server CPU per request",
            f"{1e6 * ours.server_cpu / requests:.0f} µs, receive + apply (event loop thread"
            f" {1e6 * ours.loop_cpu / requests:.0f}, other threads"
            f" {1e6 * (ours.server_cpu - ours.loop_cpu) / requests:.0f})",
        ),
        ("client CPU per request", f"{1e6 * sum(r.cpu for r in ours.done) / requests:.0f} µs"),
        ("unavoidable per request", "    before / after the load"),
        ("  RSA-2048 verify", both(lambda b: b.verify)),
        (f"  SHA-256 of {body_size} B", both(lambda b: b.sha256)),
        ("  committed insert (WAL, FULL)", both(lambda b: b.insert)),
        ("  sum", both(lambda b: b.total)),
        ("floor on one core (1/lower sum)", f"{floor:.0f}/s"),
        ("ratio accepted/s ÷ floor", f"{ours.accepted_rate / floor:.3f}"),
        ("ratio applied/s ÷ floor", f"{ours.applied_rate / floor:.3f}  (the figure that counts)"),
    ]
    print(
        f"inbox bench: {os.cpu_count()} cores shared by the server (one process), the sender"
        " node and the clients; the floor counts one core"
    )
    _print_rows(rows)
    if max(before.total, after.total) > 2 * min(before.total, after.total):
        print(
            "warning: the unavoidable cost changed more than twofold during the run; something"
            " else is using the disk or the cores, so the ratio is unreliable"
        )
    for line in failures[:10]:
        print(f"  failed: {line}")
    ok = not failures and ours.applied == requests and ours.failed == 0
    if not ok:
        print(
            f"FAILED: {len(failures)} requests not accepted, {requests - ours.applied} not applied"
        )

    if herd_load is not None:
        herd_ok = _print_bovine(herd_load, ours, herd_rss)
        ok = ok and herd_ok
    if setup is not None and spread is not None:
        ok = _print_fanout(setup, spread, options) and ok
    print("memory of the target (interlieux serve, VmRSS)")
    _print_rows(
        [
            ("idle, after start", f"{rss_idle:.1f} MB  (target ≤ 80 MB)"),
            ("after the bench", f"{rss_after:.1f} MB  (target ≤ 150 MB)"),
        ]
    )
    return 0 if ok else 1


def run_bovine(
    folder: Path,
    sender: Sender,
    key: rsa.RSAPrivateKey,
    run_id: str,
    requests: int,
    senders: Senders,
) -> tuple[Load, float]:
    """The same load, signed the same way (draft-cavage), to bovine-herd's inbox."""
    herd = bovine.start(folder)
    try:
        to_herd = replace(sender, inbox=herd.inbox, cc=(herd.actor,))
        # Warm-up: bovine fetches alice's actor (a signed GET the sender node checks by
        # fetching bovine's own actor) and keeps her key for the life of its process.
        warm = f"{to_herd.base_url}/activities/herd-warmup-{run_id}-"
        refused = warm_up(to_herd, key, [f"herd-warmup-{run_id}-{i:06d}" for i in range(5)])
        if refused:
            raise RuntimeError(f"bovine refused the warm-up: {refused}")
        warmed = bovine.Progress(herd, warm, 5)
        wait_for(lambda: warmed.remaining() == 0, 60, "bovine to apply the warm-up")
        warmed.close()
        prefix = f"herd-{run_id}-"
        progress = bovine.Progress(herd, f"{to_herd.base_url}/activities/{prefix}", requests)
        try:
            tags = [f"{prefix}{i:06d}" for i in range(requests)]
            result = load(to_herd, tags, senders, herd.pid, progress)
        finally:
            progress.close()
        return result, rss_mb(herd.pid)
    except BaseException:
        print(f"--- end of bovine's log\n{herd.server.log_text()[-3000:]}")
        raise
    finally:
        herd.server.stop()


def run_fanout(
    target: LocalPlace, followers: int, nodes: int
) -> tuple[fanout.FollowSetup, list[fanout.Fanout]]:
    """Followers on simulated nodes follow the target's place; then one post fans out."""
    follower_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        follower_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    peers = PeerNodes(nodes, followers // nodes, public_pem).start()
    pid = target.process.pid if target.process else 0
    try:
        cpu_before = cpu_seconds(pid)[1]
        setup = fanout.follow_all(target, peers, follower_key)
        setup = replace(setup, server_cpu=cpu_seconds(pid)[1] - cpu_before)
        place_key = load_key(target.private_key_pem(target.handle))
        return setup, fanout.fan_out(target, peers, place_key)
    finally:
        peers.stop()


def _print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(34, *(len(label) for label, _ in rows))
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def _print_bovine(herd: Load, ours: Load, rss: float) -> bool:
    latencies = herd.latencies
    print(
        "the same load to bovine-herd 0.5.19 (one process: Quart + hypercorn + tortoise/SQLite;"
        " applied = in the user's inbox collection)"
    )
    rows = [
        ("wall time", f"{herd.wall:.2f} s"),
        ("accepted (202)", f"{herd.accepted}/{herd.requests}"),
        ("accepted/s", f"{herd.accepted_rate:.0f}"),
        ("latency p50", f"{1000 * statistics.median(latencies):.1f} ms"),
        ("latency p99", f"{1000 * percentile(latencies, 0.99):.1f} ms"),
        ("applied when the last 202 came", f"{herd.at_end}/{herd.requests}"),
        (
            "all applied after",
            f"{herd.applied_when - herd.started:.2f} s ({herd.applied} applied)",
        ),
        ("applied/s", f"{herd.applied_rate:.0f}"),
        (
            "server CPU per request",
            f"{1e6 * herd.server_cpu / herd.requests:.0f} µs (event loop thread"
            f" {1e6 * herd.loop_cpu / herd.requests:.0f}, other threads"
            f" {1e6 * (herd.server_cpu - herd.loop_cpu) / herd.requests:.0f})",
        ),
        ("memory after its load (VmRSS)", f"{rss:.1f} MB"),
        (
            "Interlieux applied/s ÷ bovine's",
            f"{ours.applied_rate / herd.applied_rate:.1f}×  (target ≥ 30×)",
        ),
        (
            "Interlieux accepted/s ÷ bovine's",
            f"{ours.accepted_rate / herd.accepted_rate:.1f}×",
        ),
    ]
    _print_rows(rows)
    failures = herd.failures
    for line in failures[:5]:
        print(f"  bovine refused: {line}")
    if failures or herd.applied < herd.requests:
        print(
            f"FAILED: bovine accepted {herd.accepted}, applied {herd.applied} of {herd.requests}"
            f" within {APPLY_TIMEOUT:.0f} s"
        )
        return False
    return True


def _print_fanout(
    setup: fanout.FollowSetup, spreads: list[fanout.Fanout], options: Options
) -> bool:
    print(
        f"fan-out: one public post of the place to {options.followers} followers on"
        f" {options.peer_nodes} simulated nodes (shared inboxes), {len(spreads)} posts one"
        " after the other: median [fastest – slowest]"
    )

    def ms(of: Callable[[fanout.Fanout], float]) -> str:
        values = sorted(1000 * of(one) for one in spreads)
        return f"{statistics.median(values):.0f} ms [{values[0]:.0f} – {values[-1]:.0f}]"

    spread = spreads[0]
    last = statistics.median(one.last for one in spreads)
    rows = [
        (
            "setup: signed Follows, 202",
            f"{options.followers} in {setup.posted:.1f} s"
            f" ({options.followers / setup.posted:.0f}/s: each makes the place fetch an actor)",
        ),
        (
            "setup: follows accepted",
            f"{setup.followers} after {setup.accepted:.1f} s, {setup.accepts_received} Accepts"
            f" delivered after {setup.delivered:.1f} s",
        ),
        (
            "setup: server CPU per follow",
            f"{1000 * setup.server_cpu / options.followers:.1f} ms (receive, fetch the actor,"
            " apply, sign and deliver the Accept)",
        ),
        ("outbox POST answered 201 after", ms(lambda one: one.outbox_answer)),
        ("first delivery received after", ms(lambda one: one.first)),
        (
            f"{spread.nodes}th node received it after",
            f"{ms(lambda one: one.last)}  ({spread.posts} POSTs,"
            f" {spread.to_shared_inbox} to shared inboxes)",
        ),
        (f"{options.peer_nodes} RSA-2048 signatures alone", f"{1000 * spread.signatures:.0f} ms"),
        ("ratio fan-out ÷ signatures", f"{last / spread.signatures:.2f}  (target ≤ 2)"),
    ]
    _print_rows(rows)
    ok = setup.followers == options.followers and all(
        one.nodes == options.peer_nodes and one.posts == options.peer_nodes for one in spreads
    )
    if not ok:
        print("FAILED: the fan-out did not reach every node exactly once")
    return ok


@dataclass(frozen=True)
class Options:
    requests: int
    clients: int
    connections: int
    warmup: int
    skip_bovine: bool
    skip_fanout: bool
    followers: int
    peer_nodes: int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument(
        "--connections", type=int, default=CONNECTIONS, help="connections per client process"
    )
    parser.add_argument("--warmup", type=int, default=50, help="requests before measuring")
    parser.add_argument("--skip-bovine", action="store_true", help="no bovine-herd comparison")
    parser.add_argument("--skip-fanout", action="store_true", help="no fan-out measurement")
    parser.add_argument("--followers", type=int, default=1000, help="followers of the place")
    parser.add_argument("--peer-nodes", type=int, default=50, help="servers they are on")
    args = parser.parse_args(argv)
    if min(args.requests, args.clients, args.connections, args.warmup) < 1:
        parser.error("--requests, --clients, --connections and --warmup must be at least 1")
    if not 1 <= args.requests <= 20_000:
        parser.error("--requests must be at most 20000: the bench stays bounded")
    if not 1 <= args.peer_nodes <= 200 or args.followers % args.peer_nodes:
        parser.error("--peer-nodes: 1 to 200, and it must divide --followers")
    if not 1 <= args.followers <= 10_000:
        parser.error("--followers must be 1 to 10000")
    options = Options(
        requests=args.requests,
        clients=args.clients,
        connections=args.connections,
        warmup=args.warmup,
        skip_bovine=args.skip_bovine,
        skip_fanout=args.skip_fanout,
        followers=args.followers,
        peer_nodes=args.peer_nodes,
    )
    with tempfile.TemporaryDirectory(prefix="interlieux-bench-") as folder:
        return run(options, Path(folder))


if __name__ == "__main__":
    sys.exit(main())

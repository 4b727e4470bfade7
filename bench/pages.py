"""How fast a node's pages answer a browser, at 10,000 objects.

    .venv/bin/python bench/pages.py [--objects 10000] [--runs 100] [--warmup 10]

Builds a place in a temporary folder through the node's own code (`interlieux init`, then, with
the node's store open and no server running, members created by `local.create`, validated as
residents with public skills by `residents.set_field`/`residents.accept`, and events and needs
published through `publish`, the outbox's own path: ids, checks, the graph), then starts a real
node (`interlieux serve`, a subprocess on a loopback port) and times GETs one after another over
one keep-alive connection, as a browser asks (`Accept: text/html`, French): the place's page at
`/` and at its actor id, the agenda (this month, this week, the network's), an event's page, the
residents, the needs (first page, and page 20: 1,000 needs in), the widgets; and each page again
with the ETag it answered in `If-None-Match` (a browser's or a proxy's repeat, answered 304 with
no body).

A page not built yet answers 404, or JSON where it shares a URL with a collection: the table
says what came (status, type) and the bench goes on. The target (issue 13): p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from federation_tests.network import PUBLIC, LocalPlace  # noqa: E402
from node.actors import local  # noqa: E402
from node.app import Node  # noqa: E402
from node.config import NodeConfig  # noqa: E402
from node.directory import residents  # noqa: E402
from node.outbox.publish import publish  # noqa: E402
from vocab import skills  # noqa: E402

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8", "accept-language": "fr-FR"}
TARGET_P95 = 0.050  # seconds (issue 13)
MAX_OBJECTS = 100_000
MAX_RESIDENTS = 300  # each is an account with its own RSA key: 60 ms or so to make, here
CITIES = ["Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq"]
WORDS = ["Atelier", "Repair café", "Initiation", "Soirée", "Permanence", "Conférence",
         "Fresque", "Vélo", "Soudure", "Impression 3D", "Couture", "Numérique"]  # fmt: skip


@dataclass(frozen=True)
class Built:
    events: int
    needs: int
    residents: int
    next_event: str  # the id of the soonest event to come
    seconds: float


def event(n: int, rng: random.Random, now: datetime) -> dict[str, Any]:
    # Half already past, half to come, over two years either side: a place's real history.
    start = (now + timedelta(days=rng.uniform(-730, 730))).replace(microsecond=0)
    return {
        "type": "Event",
        "name": f"{rng.choice(WORDS)} n° {n}",
        "content": "<p>" + " ".join(rng.choices(WORDS, k=40)) + "</p>",
        "startTime": start.isoformat(),
        "endTime": (start + timedelta(hours=3)).isoformat(),
        "location": {
            "type": "Place",
            "name": "Le Banc d'essai",
            "address": {"type": "PostalAddress", "addressLocality": rng.choice(CITIES)},
        },
        "maximumAttendeeCapacity": rng.randint(5, 40),
        "to": [PUBLIC],
    }


def need(n: int, rng: random.Random, now: datetime, all_skills: list[str]) -> dict[str, Any]:
    return {
        "type": "Need",
        "name": f"Besoin n° {n} : {rng.choice(WORDS).lower()}",
        "summary": "Deux personnes le samedi matin pour " + rng.choice(WORDS).lower(),
        "needKind": "volunteers",
        "quantity": rng.randint(1, 5),
        "skill": [rng.choice(all_skills)],
        "due": (now + timedelta(days=rng.uniform(1, 365))).replace(microsecond=0).isoformat(),
        "to": [PUBLIC],
    }


async def build(config: NodeConfig, count: int, seed: int = 7) -> Built:
    """`count` objects in the place's store: residents (≤ MAX_RESIDENTS), then 2/3 events and
    1/3 needs, each through the node's own functions."""
    rng = random.Random(seed)
    started = time.perf_counter()
    now = datetime.now(UTC)
    all_skills = [s.iri for s in skills.all_skills() if s.broader]
    node = Node(config)
    await node.start(workers=False)
    try:
        place = await local.by_handle(node.store, config.handle)
        people = min(MAX_RESIDENTS, count // 20)
        for n in range(people):
            async with node.store.write() as db:
                member = await local.create(db, config, f"membre{n}", f"Membre {n}", "Person")
                await residents.set_field(
                    db, member.handle, "skill", rng.sample(all_skills, 2), "public"
                )
            async with node.store.write() as db:  # once the member is committed
                await residents.accept(db, node, place, member.id)
        left = count - people
        events = left * 2 // 3
        soonest: tuple[datetime, str] | None = None
        for n in range(events):
            document = event(n, rng, now)
            created = await publish(node, place, document)
            start = datetime.fromisoformat(document["startTime"])
            if start > now and (soonest is None or start < soonest[0]):
                soonest = (start, str(created["object"]["id"]))
        for n in range(left - events):
            await publish(node, place, need(n, rng, now, all_skills))
        assert soonest is not None
        return Built(events, left - events, people, soonest[1], time.perf_counter() - started)
    finally:
        await node.stop()


@dataclass(frozen=True)
class Timing:
    path: str
    status: int
    media: str
    size: int
    times: list[float]
    repeat_status: int | None  # with If-None-Match, when the page had an ETag
    repeat_times: list[float]


def percentile(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[p - 1] if len(times) > 1 else (
        times[0] if times else float("nan"))  # fmt: skip


def measure(http: httpx.Client, url: str, runs: int, warmup: int) -> Timing:
    first = http.get(url, headers=BROWSER)
    for _ in range(warmup):
        http.get(url, headers=BROWSER)
    times = []
    for _ in range(runs):
        sent = time.perf_counter()
        answer = http.get(url, headers=BROWSER)
        times.append(time.perf_counter() - sent)
    etag = answer.headers.get("etag")
    repeat_status, repeat_times = None, []
    if etag:
        repeat = {**BROWSER, "if-none-match": etag}
        repeat_status = http.get(url, headers=repeat).status_code
        for _ in range(runs):
            sent = time.perf_counter()
            http.get(url, headers=repeat)
            repeat_times.append(time.perf_counter() - sent)
    media = first.headers.get("content-type", "").split(";")[0]
    path = url.split("://", 1)[1].partition("/")[2]
    return Timing("/" + path, first.status_code, media, len(first.content), times,
                  repeat_status, repeat_times)  # fmt: skip


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def table(timings: list[Timing]) -> str:
    lines = [f"{'page':<34} {'status':>6} {'type':<22} {'kB':>6} {'p50 ms':>7} {'p95 ms':>7}"
             f"  {'repeat':>6} {'p50 ms':>7} {'p95 ms':>7}"]  # fmt: skip
    for t in timings:
        repeat = "       —"
        if t.repeat_status:
            repeat = (f"  {t.repeat_status:>6} {ms(percentile(t.repeat_times, 50))} "
                      f"{ms(percentile(t.repeat_times, 95))}")  # fmt: skip
        lines.append(
            f"{t.path[:34]:<34} {t.status:>6} {t.media[:22]:<22} {t.size / 1024:6.1f} "
            f"{ms(percentile(t.times, 50))} {ms(percentile(t.times, 95))}{repeat}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100, help="timed GETs per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed GETs per page first")
    args = parser.parse_args()
    if not 100 <= args.objects <= MAX_OBJECTS or not 2 <= args.runs <= 5000:
        parser.error(f"--objects from 100 to {MAX_OBJECTS}, --runs from 2 to 5000")
    with tempfile.TemporaryDirectory(prefix="interlieux-pages-") as folder:
        place = LocalPlace(Path(folder), "banc", "Le Banc d'essai").init()
        config = NodeConfig.load(place.data)
        print(f"Building {args.objects} objects in {place.data} …", flush=True)
        built = asyncio.run(build(config, args.objects))
        print(f"  {built.events} events, {built.needs} needs, {built.residents} residents "
              f"in {built.seconds:.0f} s", flush=True)  # fmt: skip
        place.start(timeout=60)
        try:
            base = place.base_url
            paths = ["/", place.actor_id(), "/agenda", "/agenda?view=week", "/network/agenda",
                     built.next_event, "/residents", "/needs", "/needs?page=20", "/network",
                     "/embed", "/embed/agenda", "/embed/agenda?scope=network",
                     "/embed/residents", "/embed/needs"]  # fmt: skip
            timings = []
            with httpx.Client(timeout=30) as http:
                for path in paths:
                    url = path if path.startswith("http") else base + path
                    timings.append(measure(http, url, args.runs, args.warmup))
        finally:
            place.stop()
    print()
    print(f"GET, one at a time over one connection, {args.runs} per page after {args.warmup} "
          f"untimed; repeat: the same GET with If-None-Match: its ETag")  # fmt: skip
    print(table(timings))
    pages = [t for t in timings if t.status == 200 and t.media == "text/html"]
    slow = [t.path for t in pages if percentile(t.times, 95) >= TARGET_P95]
    print()
    print(f"HTML pages: {len(pages)} of {len(timings)}; p95 ≥ {TARGET_P95 * 1000:.0f} ms: "
          + (", ".join(slow) if slow else "none"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast, and how safely, a node's `/sparql` answers over 10,000 public objects.

    .venv/bin/python bench/sparql.py [--objects 10000] [--runs 20]
                                     [--load-requests 3000] [--clients 2] [--skip-load]

1. Generation: a network of `--objects` public objects across about one place per 100 objects,
   each place on its own origin with an address and geo around a French city, its residents
   (Person, public skills), events, needs and pledges. A fresh node (`interlieux init`, its
   place in Lille) follows every place, and every object is written the way objects arrive,
   through `node.query.graph.sync`, into the node's SQLite file (`public_graph`).
2. Conversion and insertion: `interlieux graph rebuild` turns every row into RDF in the node's
   Oxigraph store (timed as a subprocess: objects/s).
3. The first query after the node starts (`interlieux serve` on a loopback port).
4. The three queries of `examples/queries/*.rq` through HTTP `/sparql`, `--runs` times each,
   without load, then while `--clients` processes POST signed `Create{Note}` to the node's
   inbox (bench/inbox.py's load, from a second node): p50 / p99.
5. Hostile queries (a triple cross product, a catastrophic regex, a SERVICE to a loopback
   listener) each sent while a client GETs the place's actor in a loop: the GET's p99 and max
   during the query, against the same loop with no query running.

Figures only, no pass/fail: see bench/README.md. A phase that fails (`graph rebuild` exits
non-zero, `/sparql` answers an error) says so and the bench goes on with the next.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# `python bench/sparql.py` puts bench/ on the path, not the repository root; the inbox load's
# spawned clients run bench/inbox.py, which does the same.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import inbox  # noqa: E402
from federation_tests.network import PUBLIC, LocalPlace, free_port, wait_for  # noqa: E402
from node.query import graph  # noqa: E402
from node.store import Store  # noqa: E402
from node.tables import follows  # noqa: E402
from vocab import skills  # noqa: E402

QUERIES_DIR = ROOT / "examples" / "queries"
SPARQL_JSON = "application/sparql-results+json"
AS_JSON = "application/activity+json"
OBJECTS_PER_PLACE = 100
BATCH = 1000  # objects written per transaction while generating
QUERY_TIMEOUT = 120.0  # seconds the bench waits for one /sparql answer (the node's own limit
# should answer far sooner: a hostile query that takes this long shows as "no answer")
REBUILD_TIMEOUT = 1800.0  # seconds for `graph rebuild` (100,000 objects at 100/s)
GET_TIMEOUT = 30.0  # seconds for one actor GET: past it, the node is frozen
GET_WINDOW = 2.0  # seconds of actor GETs at least, for the baseline and around each hostile query
START_TIMEOUT = 300.0  # seconds for `interlieux serve` to answer (it opens the store first)
HOSTILE_SETTLE = 1.0  # seconds between two hostile queries (a killed worker restarting)

# Cities with their postal code and centre (degrees); places are spread around them.
CITIES = [
    ("Lille", "59000", 50.6292, 3.0573),
    ("Roubaix", "59100", 50.6942, 3.1746),
    ("Tourcoing", "59200", 50.7239, 3.1612),
    ("Villeneuve-d'Ascq", "59650", 50.6233, 3.1450),
    ("Lens", "62300", 50.4320, 2.8330),
    ("Arras", "62000", 50.2910, 2.7775),
    ("Amiens", "80000", 49.8941, 2.2958),
    ("Paris", "75011", 48.8566, 2.3522),
    ("Montreuil", "93100", 48.8638, 2.4485),
    ("Rouen", "76000", 49.4431, 1.0993),
    ("Rennes", "35000", 48.1173, -1.6778),
    ("Nantes", "44000", 47.2184, -1.5536),
    ("Bordeaux", "33000", 44.8378, -0.5792),
    ("Toulouse", "31000", 43.6047, 1.4442),
    ("Montpellier", "34000", 43.6108, 3.8767),
    ("Marseille", "13001", 43.2965, 5.3698),
    ("Lyon", "69001", 45.7640, 4.8357),
    ("Grenoble", "38000", 45.1885, 5.7245),
    ("Dijon", "21000", 47.3220, 5.0415),
    ("Strasbourg", "67000", 48.5734, 7.7521),
]
HOSTILE = {
    "cross product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "catastrophic regex": 'SELECT * WHERE { ?a ?b ?c . FILTER(REGEX(?c, "(a+)+$")) }',
    # The listener's address is filled in when it runs.
    "SERVICE to loopback": "SELECT * WHERE { SERVICE <http://127.0.0.1:%d/sparql> { ?s ?p ?o } }",
}


# --- the network ---------------------------------------------------------------------------


def places(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """One place per OBJECTS_PER_PLACE objects (at least 8), as `place.save_details` writes
    its actor: address and geo, a few hundred metres to 10 km from a city's centre."""
    made = []
    for n in range(max(count // OBJECTS_PER_PLACE, 8)):
        city, postcode, lat, lon = CITIES[n % len(CITIES)]
        made.append(
            {
                "id": f"https://lieu{n}.example/actors/lieu",
                "type": "Organization",
                "name": f"Tiers-lieu {n} ({city})",
                "to": [PUBLIC],
                "address": {
                    "type": "PostalAddress",
                    "streetAddress": f"{rng.randint(1, 200)} rue de la Fabrique",
                    "postalCode": postcode,
                    "addressLocality": city,
                    "addressCountry": "FR",
                },
                "geo": {
                    "type": "GeoCoordinates",
                    "latitude": round(lat + rng.uniform(-0.08, 0.08), 5),
                    "longitude": round(lon + rng.uniform(-0.1, 0.1), 5),
                },
                "openingHours": "Mo-Fr 09:00-18:00",
            }
        )
    return made


def objects(
    made_places: list[dict[str, Any]], count: int, rng: random.Random, now: datetime
) -> Iterator[dict[str, Any]]:
    """The places' other public objects, `count` in all with the places: per hundred, about
    15 residents, 45 events, 25 needs and 14 pledges. Events start from six months ago to six
    months ahead; needs and pledges are due in the coming year."""
    leaves = [s.iri for s in skills.all_skills() if s.broader]
    residents: dict[str, list[str]] = {p["id"]: [] for p in made_places}

    def when(days_before: int, days_after: int) -> datetime:
        return now + timedelta(minutes=rng.randint(-days_before * 1440, days_after * 1440))

    for n in range(count - len(made_places)):
        place = rng.choice(made_places)
        if n == 0:
            # What makes `(a+)+$` catastrophic for a backtracking regex engine: a long run of
            # "a" that does not end the string. Somebody will write it one day.
            yield {**_event(n, place, place["id"], now), "name": "A" + "a" * 29 + "h !"}
            continue
        origin = place["id"].rsplit("/actors/", 1)[0]
        base = {"id": f"{origin}/objects/{n}", "to": [PUBLIC]}
        kind = n % 100
        if kind < 15 or not residents[place["id"]]:
            person = f"{origin}/actors/r{n}"
            residents[place["id"]].append(person)
            yield {
                "id": person,
                "type": "Person",
                "name": f"Résident·e {n}",
                "to": [PUBLIC],
                "skill": rng.sample(leaves, rng.randint(1, 3)),
                "residentOf": place["id"],
            }
            continue
        author = rng.choice([place["id"], *residents[place["id"]][:3]])
        if kind < 60:
            yield _event(n, place, author, when(180, 180))
        elif kind < 85:
            yield {
                **base,
                "type": ["Need", "Note"],
                "attributedTo": author,
                "name": f"Besoin {n}",
                "mediaType": "text/html",
                "content": f"<p>Besoin {n} : compétences recherchées.</p>",
                "needKind": "skills",
                "quantity": rng.randint(1, 5),
                "status": rng.choice(["open", "open", "partlyMet", "met"]),
                "skill": [rng.choice(leaves)],
                "due": _iso(when(0, 365).replace(hour=0, minute=0, second=0, microsecond=0)),
            }
        else:
            yield {
                **base,
                "type": ["Pledge", "Note"],
                "attributedTo": place["id"],
                "mediaType": "text/html",
                "content": f"<p>Engagement de co-financement {n}.</p>",
                "amount": rng.randint(50, 500),
                "currency": "EUR",
                "due": _iso(when(0, 365).replace(hour=0, minute=0, second=0, microsecond=0)),
                "funds": f"https://communs.example/projet/{rng.randint(1, 30)}",
            }


def _event(n: int, place: dict[str, Any], author: str, start: datetime) -> dict[str, Any]:
    """An event at its place, with the location `place.home_location` fills in."""
    origin = place["id"].rsplit("/actors/", 1)[0]
    start = start.replace(second=0, microsecond=0)
    return {
        "id": f"{origin}/objects/{n}",
        "to": [PUBLIC],
        "type": "Event",
        "attributedTo": author,
        "name": f"Atelier {n}",
        "content": "<p>Atelier ouvert à toutes et tous, inscription libre.</p>",
        "startTime": _iso(start),
        "endTime": _iso(start + timedelta(hours=1 + n % 4)),
        "location": {
            "type": "Place",
            "name": place["name"],
            "address": place["address"],
            "latitude": place["geo"]["latitude"],
            "longitude": place["geo"]["longitude"],
        },
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def write_network(node: LocalPlace, count: int, seed: int) -> tuple[int, int]:
    """The node's place follows every generated place, and every object is synced as received
    (`local=False`), in transactions of BATCH objects. How many objects and places."""
    rng = random.Random(seed)
    made = places(count, rng)
    store = await Store(node.data / "interlieux.sqlite3").open()
    written = 0
    try:
        async with store.write() as db:
            for place in made:
                await follows.add(
                    db, node.actor_id(), place["id"], f"{node.base_url}/follows/{uuid.uuid4()}",
                    follows.ACCEPTED, time.time(),
                )  # fmt: skip
                await graph.sync(db, place["id"], place, local=False)
                written += 1
        batch: list[dict[str, Any]] = []
        for document in objects(made, count, rng, datetime.now(UTC)):
            batch.append(document)
            if len(batch) == BATCH:
                written += await _write(store, batch)
                batch = []
        written += await _write(store, batch)
    finally:
        await store.close()
    return written, len(made)


async def _write(store: Store, batch: list[dict[str, Any]]) -> int:
    async with store.write() as db:
        for document in batch:
            await graph.sync(db, document["id"], document, local=False)
    return len(batch)


# --- the node's commands and endpoint ------------------------------------------------------


@dataclass
class Rebuild:
    seconds: float = 0.0
    converted: int | None = None  # as the command printed it
    error: str | None = None
    output: str = ""


def rebuild(node: LocalPlace) -> Rebuild:
    """`interlieux graph rebuild --data …`, timed from the outside (the process's start-up
    included, as a team would see it)."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "node.cli", "graph", "rebuild", "--data", str(node.data)],
            capture_output=True, text=True, env=node.env, timeout=REBUILD_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Rebuild(error=f"no answer after {REBUILD_TIMEOUT:.0f} s")
    seconds = time.perf_counter() - started
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        return Rebuild(seconds=seconds, error=f"exit {done.returncode}: {output[-300:]}")
    return Rebuild(seconds=seconds, converted=printed_count(done.stdout), output=output)


def printed_count(text: str) -> int | None:
    """The objects the command says it read: "Graphe refait : 10000 objets lus en 5.2 s
    (1923 objets/s)." (or its English form), digit grouping allowed."""
    found = re.search(r"(\d[\d\u00a0\u202f ,]*)\s+(?:objets|objects)\b(?!/)", text)
    return int(re.sub(r"\D", "", found.group(1))) if found else None


def printed_rate(text: str) -> str | None:
    """The command's own objects/s (its rebuild alone, without the process's start-up)."""
    found = re.search(r"([\d\u00a0\u202f ,.]+)\s+(?:objets|objects)/s", text)
    return found.group(1).strip() if found else None


@dataclass
class Answer:
    status: int
    seconds: float
    rows: int | None = None  # bindings of a SELECT answered 200
    text: str = ""  # the start of the body when not 200


def ask(http: httpx.Client, base_url: str, query: str, post: bool = False) -> Answer:
    """One query through the SPARQL 1.1 protocol (GET ?query=, or a POSTed form)."""
    headers = {"accept": SPARQL_JSON}
    started = time.perf_counter()
    try:
        if post:
            response = http.post(f"{base_url}/sparql", data={"query": query}, headers=headers)
        else:
            response = http.get(f"{base_url}/sparql", params={"query": query}, headers=headers)
    except httpx.HTTPError as exc:
        return Answer(0, time.perf_counter() - started, text=repr(exc))
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        return Answer(response.status_code, seconds, text=response.text[:200])
    try:
        rows = len(response.json()["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return Answer(response.status_code, seconds, text=response.text[:200])
    return Answer(200, seconds, rows=rows)


# Beside the examples: what a query costs that asks nothing of the store (the HTTP route, the
# engine's round trip, its catching up with the node's latest changes before answering).
TRIVIAL = ("ASK {} (the endpoint alone)", "ASK {}")


def example_queries() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(QUERIES_DIR.glob("*.rq"))}


@dataclass
class Runs:
    """One example query's answers in a phase."""

    answers: list[tuple[float, Answer]] = field(default_factory=list)  # (sent at, answer)

    def ok(self) -> list[float]:
        return sorted(a.seconds for _, a in self.answers if a.status == 200)

    def failures(self) -> list[Answer]:
        return [a for _, a in self.answers if a.status != 200]


def run_examples(base_url: str, queries: dict[str, str], runs: int) -> dict[str, Runs]:
    """Each query `runs` times, in turn (so that each meets the others' traces in the caches,
    as a real mix of clients would), by GET and by POST alternately."""
    found = {name: Runs() for name in queries}
    http = httpx.Client(timeout=QUERY_TIMEOUT)
    try:
        for n in range(runs):
            for name, text in queries.items():
                sent = time.perf_counter()
                answer = ask(http, base_url, text, post=n % 2 == 1)
                found[name].answers.append((sent, answer))
                if answer.status in (0, 500):
                    # The server may have closed the connection: the next query gets its own
                    # instead of failing on this one.
                    http.close()
                    http = httpx.Client(timeout=QUERY_TIMEOUT)
    finally:
        http.close()
    return found


# --- hostile queries against a concurrent GET ------------------------------------------------


class Listener:
    """A loopback HTTP server that only records whether anyone called it (a SERVICE target)."""

    def __init__(self) -> None:
        self.calls = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                owner.calls += 1
                body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("content-type", SPARQL_JSON)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Hostile:
    name: str
    answer: Answer | None  # None: still no answer when the bench gave up
    gets: Gets  # the actor GETs during the query


@dataclass
class Gets:
    """The actor GETs of one window: each one's time, until its answer or its failure."""

    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        failed = f", {len(self.failures)} failed: {self.failures[0]}" if self.failures else ""
        return f"{percentiles(self.seconds)}  ({len(self.seconds)} GETs{failed}"


def get_loop(http: httpx.Client, url: str, keep_going: Callable[[], bool]) -> Gets:
    """GET `url` one after the other while `keep_going()`, at least GET_WINDOW seconds. A GET
    that fails counts with the time it took to fail (a frozen node: GET_TIMEOUT)."""
    gets = Gets()
    started = time.perf_counter()
    while keep_going() or time.perf_counter() - started < GET_WINDOW:
        sent = time.perf_counter()
        try:
            response = http.get(url, headers={"accept": AS_JSON})
            failure = None if response.status_code == 200 else f"{response.status_code}"
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
        gets.seconds.append(time.perf_counter() - sent)
        if failure:
            gets.failures.append(failure)
    return gets


def hostile_queries(node: LocalPlace, listener: Listener) -> tuple[Gets, list[Hostile]]:
    """The actor GET loop alone, then once during each hostile query."""
    url = node.actor_id()
    with httpx.Client(timeout=GET_TIMEOUT) as http:
        get_loop(http, url, lambda: False)  # warm: the first GETs open the connection
        quiet = get_loop(http, url, lambda: False)
        found = []
        for name, text in HOSTILE.items():
            query = text % listener.port if "%d" in text else text
            answered: list[Answer] = []

            def send(query: str = query, answered: list[Answer] = answered) -> None:
                with httpx.Client(timeout=QUERY_TIMEOUT) as own:
                    answered.append(ask(own, node.base_url, query))

            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            gets = get_loop(http, url, sender.is_alive)
            sender.join(timeout=QUERY_TIMEOUT)
            found.append(Hostile(name, answered[0] if answered else None, gets))
            time.sleep(HOSTILE_SETTLE)
    return quiet, found


# --- the run ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{1000 * seconds:8.1f} ms"


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    return (
        f"p50 {ms(statistics.median(ordered))}  p99 {ms(inbox.percentile(ordered, 0.99))}"
        f"  max {ms(ordered[-1])}"
    )


def table(title: str, rows: list[tuple[str, str]]) -> None:
    print(title)
    width = max(36, *(len(label) for label, _ in rows)) if rows else 36
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    sys.stdout.flush()


def example_rows(found: dict[str, Runs], during: tuple[float, float] | None = None) -> list[Any]:
    rows = []
    for name, runs in found.items():
        ok = runs.ok()
        failures = runs.failures()
        rows_seen = {a.rows for _, a in runs.answers if a.rows is not None}
        value = f"{percentiles(ok)}  ({len(ok)} answers" + (
            f", rows {sorted(rows_seen)})" if rows_seen else ")"
        )
        if during is not None:
            inside = sum(1 for sent, _ in runs.answers if during[0] <= sent <= during[1])
            value += f", {inside}/{len(runs.answers)} sent during the load"
        rows.append((name, value))
        if failures:
            first = failures[0]
            rows.append(
                (f"  {len(failures)} not answered 200", f"first: {first.status} {first.text!r}")
            )
    return rows


def run(options: argparse.Namespace, folder: Path) -> None:
    queries = example_queries()
    node = LocalPlace(folder, "coroutine", "La Coroutine").init()
    node.cli("place", "--data", str(node.data), "--city", "Lille", "--postal-code", "59000",
             "--latitude", "50.6366", "--longitude", "3.0635")  # fmt: skip
    inbox.without_rate_limits(node)

    started = time.perf_counter()
    written, place_count = asyncio.run(write_network(node, options.objects, options.seed))
    generated = time.perf_counter() - started
    table(
        f"sparql bench: {written} public objects across {place_count} places,"
        f" written through graph.sync",
        [("generation (graph.sync, SQLite)", f"{generated:.1f} s ({written / generated:.0f}/s)")],
    )

    done = rebuild(node)
    if done.error:
        table("conversion + insertion (interlieux graph rebuild)", [("skipped", done.error)])
    else:
        count = done.converted or written
        table(
            "conversion + insertion (interlieux graph rebuild)",
            [
                ("the command said", done.output.splitlines()[0] if done.output else ""),
                ("objects converted (as printed)", f"{done.converted}"),
                ("wall time (process included)", f"{done.seconds:.1f} s"),
                ("objects/s", f"{count / done.seconds:.0f}  (target ≥ 2,000)"),
                ("objects/s as the command counts", f"{printed_rate(done.output)}  (no start-up)"),
            ],
        )

    try:
        rows = []
        # The first start opens the store `graph rebuild` just wrote; the second is a plain
        # restart (the figure: nothing to reload).
        for when in ("after the rebuild", "after a restart"):
            if node.process is not None:
                node.stop()
            spawned = time.perf_counter()
            node.start(timeout=START_TIMEOUT)
            answering = time.perf_counter() - spawned
            with httpx.Client(timeout=QUERY_TIMEOUT) as http:
                first = ask(http, node.base_url, next(iter(queries.values())))
            rows += [
                (f"{when}: start → nodeinfo answers", f"{answering:.2f} s"),
                (f"{when}: first query", f"{ms(first.seconds)}  (target < 1 s)"),
            ]
            if first.status != 200:
                rows.append(("  its answer", f"{first.status} {first.text!r}"))
        table(f"first query ({next(iter(queries))}) after the node starts", rows)

        quiet = run_examples(node.base_url, {**queries, TRIVIAL[0]: TRIVIAL[1]}, options.runs)
        table(f"example queries, {options.runs} runs each, no load", example_rows(quiet))

        if not options.skip_load:
            under_load(node, folder, queries, options)

        with Listener() as listener:
            alone, hostile = hostile_queries(node, listener)
        rows = [("GET /actors/coroutine, no query", alone.summary() + ")")]
        for found in hostile:
            answer = found.answer
            said = (
                f"answered {answer.status} after {answer.seconds:.2f} s"
                if answer
                else f"no answer after {QUERY_TIMEOUT:.0f} s"
            )
            rows.append((f"during {found.name}", f"{found.gets.summary()}; query {said})"))
        rows.append(("loopback listener contacted", f"{listener.calls} times  (target 0)"))
        table(
            "hostile queries against a concurrent GET of the place's actor (target: +50 ms at"
            " most)",
            rows,
        )
    except BaseException:
        show_log(node)
        raise
    finally:
        node.stop()
    if any(a.status in (0, 500) for runs in quiet.values() for a in runs.failures()):
        show_log(node)


def show_log(node: LocalPlace) -> None:
    """Why the node failed, while its folder is still there."""
    if node.log_path.exists():
        print(f"--- end of the node's log\n{node.log_path.read_text()[-3000:]}")


def under_load(
    node: LocalPlace, folder: Path, queries: dict[str, str], options: argparse.Namespace
) -> None:
    """The example queries while bench/inbox.py's clients POST signed notes to the node."""
    origin = LocalPlace(folder, "popcafe", "PopCafé").init()
    actor = origin.add_member(inbox.SENDER_HANDLE, "Alice Martin")
    sender = inbox.Sender(
        base_url=origin.base_url,
        actor=actor,
        key_id=f"{actor}#main-key",
        private_pem=origin.private_key_pem(inbox.SENDER_HANDLE),
        inbox=f"{node.base_url}/inbox",
        cc=(node.actor_id(),),
    )
    key = inbox.load_key(sender.private_pem)
    run_id = uuid.uuid4().hex[:8]
    try:
        origin.start()
        # Not measured: the node fetches alice's key with the first one.
        warm = [f"warmup-{run_id}-{i:06d}" for i in range(10)]
        refused = inbox.warm_up(sender, key, warm)
        if refused:
            table("example queries under inbox load", [("skipped: warm-up refused", refused)])
            return
        warmed = inbox.InboxProgress(node, f"{sender.base_url}/activities/warmup-{run_id}-")
        wait_for(lambda: warmed.applied()[0] == len(warm), 60, "the warm-up applied")
        warmed.close()
        prefix = f"{sender.base_url}/activities/bench-{run_id}-"
        loaded: list[inbox.Load] = []
        failed: list[BaseException] = []

        def load() -> None:
            # Its own connection: sqlite3's belong to the thread that opened them.
            progress = inbox.InboxProgress(node, prefix)
            try:
                tags = [f"bench-{run_id}-{i:06d}" for i in range(options.load_requests)]
                pid = node.process.pid if node.process else 0
                loaded.append(
                    inbox.load(
                        sender,
                        tags,
                        inbox.Senders(options.clients, inbox.CONNECTIONS),
                        pid,
                        progress,
                    )
                )
            except BaseException as exc:
                failed.append(exc)
            finally:
                progress.close()

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        # The clients sign their share before they start: wait for their first POSTs.
        seen = inbox.InboxProgress(node, prefix)
        deadline = time.monotonic() + 120
        while seen.applied() == (0, 0) and seen.remaining() == 0 and loader.is_alive():
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        seen.close()
        found = run_examples(node.base_url, {**queries, TRIVIAL[0]: TRIVIAL[1]}, options.runs)
        loader.join(timeout=inbox.RUN_TIMEOUT + inbox.APPLY_TIMEOUT)
        if failed or not loaded:
            why = repr(failed[0]) if failed else "the load did not finish"
            table("example queries under inbox load", [("load failed", why)])
            return
        result = loaded[0]
        window = (result.started, max(r.finished for r in result.done))
        rows = example_rows(found, window)
        rows.append(
            (
                "the load",
                f"{result.accepted}/{result.requests} accepted at {result.accepted_rate:.0f}/s"
                f" by {options.clients} clients, inbox {percentiles(result.latencies)}",
            )
        )
        table(f"example queries, {options.runs} runs each, under inbox load", rows)
    finally:
        origin.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--objects", type=int, default=10_000, help="public objects in all")
    parser.add_argument("--runs", type=int, default=20, help="answers per example query")
    parser.add_argument("--load-requests", type=int, default=3000, help="inbox POSTs")
    parser.add_argument("--clients", type=int, default=2, help="inbox client processes")
    parser.add_argument("--skip-load", action="store_true", help="no inbox load")
    parser.add_argument("--seed", type=int, default=4, help="the generator's seed")
    args = parser.parse_args(argv)
    if not 100 <= args.objects <= 1_000_000:
        parser.error("--objects: 100 to 1,000,000")
    if not 1 <= args.runs <= 10_000 or not 1 <= args.load_requests <= 20_000:
        parser.error("--runs: 1 to 10,000; --load-requests: 1 to 20,000")
    if not 1 <= args.clients <= 16:
        parser.error("--clients: 1 to 16")
    with tempfile.TemporaryDirectory(prefix="interlieux-sparql-bench-") as folder:
        run(args, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())

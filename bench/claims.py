"""Compensation at network scale: 50 places, 10,000 visits in a month.

    python bench/claims.py [--places 50] [--visits 10000] [--seed 1]

In-process, not 50 servers: the same pure functions the nodes run (`claim.build`,
`proof.sign`, `proof.verify`, `claim.check`) and the same booking code (`books.book`) into
real SQLite stores, one per home place, one transaction per claim as a node books it. "Send"
is what a node does before the HTTP POST: serialising the Offer. HTTP delivery and the inbox
are measured by bench/inbox.py. Printed: the time of each step, the total, and the time to
verify one claim's signature alone (average of many).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.ledger import claim, proof
from node.ledger.books import EXPENSE, PEER, Entry, book
from node.store import Store

PERIOD = "2025-05"
RATE = 500
# The home places' default rules (node/config.py): reported within 48 h, one visit per 4 h.
RULES = claim.Rules(report_window=48 * 3600, visit_spacing=4 * 3600)


def place_id(i: int) -> str:
    return f"https://lieu{i}.example/actors/lieu{i}"


async def run(places: int, visits: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    keys = [ed25519.Ed25519PrivateKey.generate() for _ in range(places)]
    start, end = claim.period_bounds(PERIOD)
    # Each visit: a member of a home place at another place, sometime in the month.
    by_pair: dict[tuple[int, int], list[claim.Line]] = defaultdict(list)
    known: dict[int, dict[str, claim.KnownVisit]] = defaultdict(dict)
    grants: dict[int, dict[str, claim.KnownGrant]] = defaultdict(dict)
    for n in range(visits):
        home, visited = rng.sample(range(places), 2)
        when = rng.uniform(start, end - 1)
        gid = f"g{home}-{rng.randrange(100)}"
        vid = f"https://lieu{visited}.example/visits/{n}"
        by_pair[(visited, home)].append(claim.Line(vid, when, gid, f"m{home}", RATE))
        known[home][vid] = claim.KnownVisit(vid, place_id(visited), gid, when, when + 2)
        grants[home][gid] = claim.KnownGrant(gid, int(start), int(end) + 1, None, None)
    figures: dict[str, float] = {}

    t = time.perf_counter()
    built = [
        (visited, home, claim.build(f"https://lieu{visited}.example/claims/{home}",
                                    place_id(visited), place_id(home), PERIOD, RATE, "EUR",
                                    lines, end))
        for (visited, home), lines in by_pair.items()
    ]  # fmt: skip
    figures["build"] = time.perf_counter() - t

    t = time.perf_counter()
    signed = [(v, h, proof.sign(doc, keys[v], f"{place_id(v)}#ed25519-key")) for v, h, doc in built]
    figures["sign"] = time.perf_counter() - t

    t = time.perf_counter()
    bodies = [
        (h, json.dumps({"type": "Offer", "actor": place_id(v), "object": doc, "to": [place_id(h)]}))
        for v, h, doc in signed
    ]
    figures["send (serialise the Offers)"] = time.perf_counter() - t

    public = {f"{place_id(i)}#ed25519-key": k.public_key() for i, k in enumerate(keys)}
    t = time.perf_counter()
    checked: list[tuple[int, claim.Checked]] = []
    for h, body in bodies:
        offer: dict[str, Any] = json.loads(body)
        ok = proof.verify(offer["object"], public.get) is not None
        facts = claim.Facts(place_id(h), known[h], grants[h], frozenset(), RATE, "EUR", RULES)
        checked.append((h, claim.check(offer["object"], facts, ok)))
    figures["check (verify + every line)"] = time.perf_counter() - t
    # Random taps: now and then the same badge twice at one place within 4 h (one stay).
    assert all(v.reason in ("ok", "too_frequent") for _, c in checked for v in c.verdicts)

    with tempfile.TemporaryDirectory() as tmp:
        stores = [await Store(Path(tmp) / f"{i}.sqlite3").open() for i in range(places)]
        t = time.perf_counter()
        for h, c in checked:
            entries = [Entry(EXPENSE, v.line.amount_cents, "EUR", v.line.visit)
                       for v in c.verdicts]  # fmt: skip
            entries.append(Entry(PEER + c.creditor, -sum(e.amount_cents for e in entries), "EUR"))
            async with stores[h].write() as db:
                await book(db, f"claim:{c.claim_id}", "claim", PERIOD, entries)
        figures["book (one transaction per claim)"] = time.perf_counter() - t
        total = 0
        for s in stores:
            row = await s.one("SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries")
            total += int(row[0]) if row else 0
        assert total == 0  # every transaction balanced
        for s in stores:
            await s.close()

    document = signed[0][2]
    rounds = 2000
    t = time.perf_counter()
    for _ in range(rounds):
        proof.verify(document, public.get)
    figures["verify one claim's signature"] = (time.perf_counter() - t) / rounds
    figures["claims"] = len(signed)
    figures["lines in that claim"] = len(document["tl:lines"])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = asyncio.run(run(args.places, args.visits, args.seed))
    claims = int(figures.pop("claims"))
    one = figures.pop("verify one claim's signature")
    lines = int(figures.pop("lines in that claim"))
    print(f"{args.places} places, {args.visits} visits in {PERIOD}: {claims} claims")
    for step, seconds in figures.items():
        print(f"  {step:<36} {seconds * 1000:9.1f} ms")
    print(f"  {'total':<36} {sum(figures.values()) * 1000:9.1f} ms")
    print(f"verify one claim's signature alone ({lines} lines): {one * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

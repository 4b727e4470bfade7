"""Door decisions per second against 10,000 revocations, beside one bare Ed25519 verify.

    python bench/door.py [--taps N] [--revocations R]

What is timed is `decide()` (parse the COSE_Sign1, find the issuer's key, verify, check the
revocation set, the validity window and the card binding): what a door does between reading
the card and opening. Reading the card over NFC is excluded. The floor is the one Ed25519
verification every decision must make, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.access.decision import TrustBundle, decide


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=20_000)
    parser.add_argument("--revocations", type=int, default=10_000)
    parser.add_argument("--peers", type=int, default=50)
    args = parser.parse_args()

    keys = [ed25519.Ed25519PrivateKey.generate() for _ in range(args.peers)]
    issuers = [f"https://lieu{i}.example/actors/lieu{i}" for i in range(args.peers)]
    bundle = TrustBundle(
        place="https://ici.example/actors/ici",
        issuers={iss: {grants.key_id(k.public_key()): k.public_key()}
                 for iss, k in zip(issuers, keys, strict=True)},
        revoked=frozenset((issuers[i % args.peers], secrets.token_hex(16))
                          for i in range(args.revocations)),
    )  # fmt: skip
    now = int(time.time())
    cards = []
    for i in range(1000):
        uid = secrets.token_bytes(7)
        issuer = issuers[i % args.peers]
        _, data = grants.issue(keys[i % args.peers], issuer, f"{issuer}/m{i}", uid, now - 60,
                               now + 86400)  # fmt: skip
        cards.append((data, uid))

    latencies = []
    accepted = 0
    start = time.perf_counter()
    for i in range(args.taps):
        data, uid = cards[i % len(cards)]
        t0 = time.perf_counter()
        accepted += decide(data, uid, bundle, now).accepted
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    assert accepted == args.taps, "every bench grant should be accepted"

    key = keys[0]
    message = b"x" * 200
    signature = key.sign(message)
    public = key.public_key()
    n = 20_000
    t0 = time.perf_counter()
    for _ in range(n):
        public.verify(signature, message)
    verify_us = (time.perf_counter() - t0) / n * 1e6

    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1e6
    p99 = latencies[int(len(latencies) * 0.99)] * 1e6
    mean = statistics.fmean(latencies) * 1e6
    print(f"taps decided             {args.taps}")
    print(f"revocations in bundle    {len(bundle.revoked)}")
    print(f"peers (issuers)          {args.peers}")
    print(f"grant size               {len(cards[0][0])} bytes")
    print(f"decisions per second     {args.taps / wall:,.0f}")
    print(f"decision p50 / p99       {p50:.1f} µs / {p99:.1f} µs (mean {mean:.1f} µs)")
    print(f"bare Ed25519 verify      {verify_us:.1f} µs")
    print(f"ratio p50 / verify       {p50 / verify_us:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

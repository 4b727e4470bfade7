"""The limits on one received document, and the deadline on reading it."""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from node.bounds import (
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    MAX_RECIPIENTS,
    TooSlow,
    check_bounds,
    within,
)
from node.errors import InvalidActivity
from node.query.convert import Source, read

CAPTURED = Path(__file__).resolve().parents[1] / "data" / "captured"


def test_an_endless_conversion_is_stopped_at_its_deadline() -> None:
    def endless() -> None:
        def step(n: int) -> int:
            return n + 1

        n = 0
        while True:
            n = step(n)

    with pytest.raises(TooSlow, match=r"over 0\.05 s"):
        within(0.05, endless)


def test_the_deadline_is_not_swallowed_by_code_that_catches_everything() -> None:
    """pyld wraps what it catches; the graph retries a failed read with another context."""

    def stubborn() -> None:
        while True:
            try:
                while True:
                    len([])
                    (lambda: None)()
            except Exception:
                continue

    with pytest.raises(TooSlow):
        within(0.05, stubborn)


def test_an_interruption_never_surfaces_after_the_work_ended() -> None:
    """Deadlines that pass around the time the work ends (works from nothing to some hundred
    microseconds, a 30 µs deadline), in four threads at once: whichever wins, nothing is
    raised after `within`, and no thread is left waiting (a lock taken when the interruption
    surfaced would hang the next one)."""
    escaped: list[BaseException] = []

    def many() -> None:
        try:
            for n in range(0, 30_000, 10):
                with contextlib.suppress(TooSlow):
                    within(0.00003, lambda: sum(range(n % 3000)))  # noqa: B023 (called at once)
                sum(range(100))  # an interruption sent too late would be raised here
        except BaseException as exc:
            escaped.append(exc)

    threads = [threading.Thread(target=many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert escaped == []


def test_every_captured_object_reads_into_the_graph() -> None:
    for path in sorted(CAPTURED.rglob("*.json")):
        document = json.loads(path.read_text())
        if isinstance(document, dict) and isinstance(document.get("id"), str):
            reading = read([Source(document["id"], document, True, document["id"])])
            assert reading[document["id"]].quads, path


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"object": {"attachment": [{"type": "Image"}] * (MAX_ATTACHMENTS + 1)}}, "attachment"),
        ({"to": [f"https://x.example/{i}" for i in range(MAX_RECIPIENTS)], "cc": "y"}, "recip"),
    ],
)
def test_long_lists_are_refused(document: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidActivity, match=reason):
        check_bounds(document)


def test_deep_nesting_is_refused_without_recursion() -> None:
    document: Any = {}
    for _ in range(MAX_DEPTH):
        document = {"object": document}
    with pytest.raises(InvalidActivity, match="deeper"):
        check_bounds(document)
    deep: Any = []
    for _ in range(100_000):  # far past Python's recursion limit
        deep = [deep]
    with pytest.raises(InvalidActivity, match="deeper"):
        check_bounds({"object": deep})


def test_captured_payloads_are_within_bounds() -> None:
    for path in sorted(CAPTURED.rglob("*.json")):
        check_bounds(json.loads(path.read_text()))

"""The retry schedule and what each answer of a peer means."""

from __future__ import annotations

import random

import httpx

from node.outbox.delivery import Schedule, classify, retry_after

NOW = 1_800_000_000.0


def test_backoff_doubles_up_to_the_cap_with_bounded_jitter() -> None:
    schedule = Schedule(base=60, cap=6 * 3600, max_age=3 * 86400)
    rng = random.Random(7)
    for attempts, raw in ((1, 60), (2, 120), (5, 960), (20, 6 * 3600)):
        delay = schedule.delay(attempts, rng)
        assert 0.8 * raw <= delay <= 1.2 * raw


def test_retries_span_at_least_two_days_before_giving_up() -> None:
    schedule = Schedule()
    elapsed, attempts = 0.0, 0
    while True:
        attempts += 1
        delay = schedule.delay(attempts, random.Random(attempts))
        if elapsed + delay > schedule.max_age:
            break
        elapsed += delay
    assert elapsed >= 2 * 86400
    assert attempts > 10


def test_success_and_permanent_refusals() -> None:
    headers = httpx.Headers()
    assert classify(202, headers, NOW) is None
    assert classify(200, headers, NOW) is None
    for status in (400, 401, 403, 404, 410, 422):
        error = classify(status, headers, NOW)
        assert error is not None and not error.retry


def test_temporary_failures_are_retried_and_retry_after_is_honoured() -> None:
    for status in (408, 429, 500, 502, 503):
        error = classify(status, httpx.Headers(), NOW)
        assert error is not None and error.retry
    error = classify(429, httpx.Headers({"retry-after": "120"}), NOW)
    assert error is not None and error.retry_after == 120


def test_retry_after_as_an_http_date() -> None:
    headers = httpx.Headers({"retry-after": "Fri, 15 Jan 2027 08:00:00 GMT"})
    value = retry_after(headers, 1_800_000_000.0 - 3600)
    assert value is not None and value > 0
    assert retry_after(httpx.Headers({"retry-after": "soon"}), NOW) is None

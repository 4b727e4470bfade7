"""Moments on the wire and on the operator's screen."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from node import timestamps

MOMENT = 1746091800.75  # 2025-05-01 09:30:00.75 UTC


def test_the_wire_is_utc_to_the_second_with_a_z() -> None:
    assert timestamps.posix_to_wire(MOMENT) == "2025-05-01T09:30:00Z"
    paris = timezone(timedelta(hours=2))
    aware = datetime(2025, 5, 1, 11, 30, 0, 750000, tzinfo=paris)
    assert timestamps.datetime_to_wire(aware) == "2025-05-01T09:30:00Z"
    assert timestamps.datetime_to_wire(datetime(2025, 5, 1, 9, 30)) == "2025-05-01T09:30:00Z"
    now = timestamps.now_to_wire()
    assert abs(timestamps.wire_to_posix(now) - time.time()) < 2


@pytest.mark.parametrize(
    "text",
    ["2025-05-01T09:30:00Z", "2025-05-01T09:30:00+00:00", "2025-05-01T11:30:00+02:00",
     "2025-05-01T09:30:00"],  # the last naive: taken as UTC
)  # fmt: skip
def test_what_comes_in_is_read_as_a_moment_in_utc(text: str) -> None:
    assert timestamps.wire_to_datetime(text) == datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
    assert timestamps.wire_to_posix(text) == int(MOMENT)


def test_a_moment_round_trips_to_the_second() -> None:
    assert timestamps.wire_to_posix(timestamps.posix_to_wire(MOMENT)) == int(MOMENT)


def test_what_is_not_a_date_time_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        timestamps.wire_to_posix("1er mai")


def test_the_operator_reads_the_local_clock_or_the_ledgers_utc() -> None:
    local = time.localtime(MOMENT)
    assert timestamps.posix_to_operator(MOMENT) == time.strftime("%Y-%m-%d %H:%M", local)
    assert timestamps.posix_to_operator(MOMENT, "day") == time.strftime("%Y-%m-%d", local)
    assert timestamps.posix_to_operator(MOMENT, "second", utc=True) == "2025-05-01 09:30:00"

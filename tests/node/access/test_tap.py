"""The tap report, as a door queues and sends it and as its node reads it."""

from __future__ import annotations

import json

import pytest

from node.access import grant as grants
from node.access.decision import Decision
from node.access.tap import TapReport

GRANT = b"\xd2\x84not-a-real-cose-but-bytes"
UID = bytes.fromhex("04A224B2C31580")


def test_a_report_round_trips_through_the_json_a_door_queues() -> None:
    report = TapReport.of(Decision(True, "ok"), GRANT, UID, "entrée", 1_800_000_000.25)
    assert TapReport.from_json(json.loads(json.dumps(report.to_json()))) == report


def test_the_json_is_the_one_doors_already_have_in_their_queues() -> None:
    # Reports written by a door before an upgrade are sent after it: the keys must not move.
    report = TapReport("r1", GRANT, UID, "entrée", 1_800_000_000.25, False, "revoked")
    assert report.to_json() == {
        "report_id": "r1",
        "grant": grants.to_text(GRANT),
        "card_uid": "04a224b2c31580",
        "door": "entrée",
        "decided_at": 1_800_000_000.25,
        "decision": "refuse",
        "reason": "revoked",
    }


def test_a_qr_code_has_no_card_and_an_unnamed_door_is_the_door() -> None:
    data = {"report_id": "r2", "grant": grants.to_text(GRANT), "card_uid": None,
            "decided_at": 1, "decision": "accept"}  # fmt: skip
    report = TapReport.from_json(data)
    assert (report.card_uid, report.door, report.accepted) == (None, "porte", True)
    assert report.reason == ""


def test_each_new_report_has_its_own_id() -> None:
    first, second = (TapReport.of(Decision(True, "ok"), GRANT, None, "porte", 1) for _ in "ab")
    assert first.report_id != second.report_id


def test_a_grant_that_is_not_grant_text_is_refused() -> None:
    with pytest.raises(grants.GrantError):
        TapReport.from_json({"report_id": "r3", "grant": "nope", "decided_at": 1, "decision": "x"})

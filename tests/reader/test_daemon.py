"""The door daemon's queue, cache and trust, against a node that is up, down, refusing, or
not the place the door was enrolled with."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.access.decision import Decision, TrustBundle, seal
from node.access.door import report_signed_by
from node.access.tap import TapReport
from node.multibase import ed25519_to_multibase
from reader.daemon import Door, DoorSettings

HOME = "https://coroutine.example/actors/coroutine"
UID = bytes.fromhex("04A224B2C31580")


class FakeNode:
    """The three endpoints a door uses, with a switch to make the node unreachable; it seals
    its bundles with `signer` (the place's key, unless a test swaps it for a forger's)."""

    def __init__(self, bundle: TrustBundle) -> None:
        self.bundle = bundle
        self.place_key = ed25519.Ed25519PrivateKey.generate()
        self.signer = self.place_key
        self.door_key: str | None = None
        self.up = True
        self.reports: list[dict[str, object]] = []
        self.refuse = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("node down", request=request)
        assert request.headers["authorization"] == "Bearer secret"
        if request.url.path == "/access/doors":
            self.door_key = json.loads(request.content)["key"]
            key = ed25519_to_multibase(self.place_key.public_key())
            return httpx.Response(200, json={"place": self.bundle.place, "key": key})
        if request.url.path == "/access/bundle":
            return httpx.Response(200, json=seal(self.bundle, self.signer))
        report = json.loads(request.content)
        if self.refuse or not report_signed_by(TapReport.from_json(report), self.door_key):
            return httpx.Response(403, json={"error": "no"})
        self.reports.append(report)
        return httpx.Response(201, json={"status": "recorded"})


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Door, FakeNode, bytes, Path]:
    key = ed25519.Ed25519PrivateKey.generate()
    bundle = TrustBundle("https://popcafe.example/actors/popcafe",
                         {HOME: {grants.key_id(key.public_key()): key.public_key()}},
                         generated_at=time.time())  # fmt: skip
    node = FakeNode(bundle)
    _, grant = grants.issue(key, HOME, HOME + "/alice", UID, 0, 4_000_000_000)
    settings = DoorSettings("http://node.test", "secret", "entree", tmp_path / "door")
    door = Door(settings, httpx.Client(transport=httpx.MockTransport(node.handler)))
    return door, node, grant, tmp_path / "door"


def test_a_tap_is_decided_and_reported(setup: tuple[Door, FakeNode, bytes, Path]) -> None:
    door, node, grant, _ = setup
    assert door.refresh_bundle()
    assert door.on_tap(UID, grant).accepted
    assert not door.on_tap(bytes(7), grant).accepted
    assert [r["decision"] for r in node.reports] == ["accept", "refuse"]
    assert node.reports[1]["reason"] == "wrong_card"
    assert door.pending() == []


def test_without_a_bundle_the_door_refuses_and_says_why(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, _ = setup
    node.up = False
    assert not door.refresh_bundle()
    decision = door.on_tap(UID, grant)
    assert decision.reason == "no_bundle"


def test_offline_taps_are_kept_in_order_and_sent_once(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, _ = setup
    door.refresh_bundle()
    node.up = False
    for _ in range(3):
        assert door.on_tap(UID, grant).accepted  # decided from the cached bundle
    assert len(door.pending()) == 3 and node.reports == []
    # A restart in between: the bundle and the queue come back from disk.
    door = Door(door.settings, door.http)
    assert door.bundle is not None
    node.up = True
    assert door.flush() == 3
    assert door.flush() == 0
    ids = [r["report_id"] for r in node.reports]
    assert len(ids) == len(set(ids)) == 3
    times = [r["decided_at"] for r in node.reports]
    assert times == sorted(times)


def test_a_report_the_node_refuses_is_set_aside_not_lost(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, state = setup
    door.refresh_bundle()
    node.refuse = True
    door.on_tap(UID, grant)
    assert door.pending() == []
    assert len(list((state / "rejected").glob("*.json"))) == 1


def test_the_decision_command_is_run_with_the_decision(
    setup: tuple[Door, FakeNode, bytes, Path], tmp_path: Path
) -> None:
    door, _, grant, _ = setup
    out = tmp_path / "relay.txt"
    script = tmp_path / "relay.sh"
    script.write_text(f'#!/bin/sh\necho "$INTERLIEUX_DECISION $INTERLIEUX_REASON" >> {out}\n')
    script.chmod(0o755)
    door = Door(
        DoorSettings("http://node.test", "secret", "entree", door.settings.state_dir,
                     on_decision=str(script)), door.http,
    )  # fmt: skip
    door.refresh_bundle()
    door.on_tap(UID, grant)
    door.on_tap(bytes(7), grant)
    assert out.read_text().splitlines() == ["accept ok", "refuse wrong_card"]


def test_a_place_that_requires_the_card_refuses_a_grant_without_one(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, _ = setup
    assert door.refresh_bundle()
    assert door.on_tap(None, grant).accepted  # no rule yet: a QR code alone is honoured
    node.bundle = dataclasses.replace(node.bundle, card_required=True)
    assert door.refresh_bundle()
    assert door.on_tap(None, grant).reason == "card_required"
    assert door.on_tap(UID, grant).accepted
    # The rule is kept with the cached bundle: still applied with the node down, after a restart.
    node.up = False
    door = Door(door.settings, door.http)
    assert door.on_tap(None, grant).reason == "card_required"
    node.up = True
    door.flush()
    assert [(r["decision"], r["reason"], r["card_uid"]) for r in node.reports] == [
        ("accept", "ok", None),
        ("refuse", "card_required", None),
        ("accept", "ok", UID.hex()),
        ("refuse", "card_required", None),
    ]


def test_the_door_enrols_its_own_key_once_and_signs_its_reports(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, state = setup
    assert door.refresh_bundle()
    assert node.door_key is not None and (state / "door.key").stat().st_mode & 0o077 == 0
    door.on_tap(UID, grant)
    assert node.reports[0]["door_key"] == node.door_key  # accepted: the node checked it
    # A restart keeps the key and the enrolment: no new key for the node to bind.
    node.door_key = None
    door = Door(door.settings, door.http)
    assert door.refresh_bundle() and node.door_key is None


def test_a_forged_bundle_is_refused_and_the_last_good_one_kept(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, state = setup
    assert door.refresh_bundle()
    good = (state / "bundle.json").read_bytes()
    # Someone between the door and its node serves a bundle that revokes nothing and trusts
    # a stranger, signed with their own key.
    stranger = ed25519.Ed25519PrivateKey.generate()
    node.bundle = dataclasses.replace(node.bundle, issuers={**node.bundle.issuers,
        "https://faux.example/actors/faux": {grants.key_id(stranger.public_key()):
                                             stranger.public_key()}})  # fmt: skip
    node.signer = stranger
    assert not door.refresh_bundle()
    assert "https://faux.example/actors/faux" not in (door.bundle or node.bundle).issuers
    assert (state / "bundle.json").read_bytes() == good
    faux = "https://faux.example/actors/faux"
    _, forged = grants.issue(stranger, faux, faux + "/x", UID, 0, 4_000_000_000)
    assert door.on_tap(UID, forged).reason == "unknown_issuer"
    assert door.on_tap(UID, grant).accepted  # the last good bundle still decides
    # A forged file on disk is refused at start too: no bundle rather than a false one.
    (state / "bundle.json").write_text(json.dumps(seal(node.bundle, stranger)))
    node.up = False
    assert Door(door.settings, door.http).on_tap(UID, forged).reason == "no_bundle"


def test_a_bundle_past_its_age_decides_nothing_but_the_places_own_members_if_it_says_so(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, _ = setup
    four_days_ago = 1_900_000_000.0 - 4 * 86400
    node.bundle = dataclasses.replace(node.bundle, generated_at=four_days_ago)
    assert door.refresh_bundle()
    decision = door.on_tap(UID, grant, now=1_900_000_000.0)
    assert (decision.accepted, decision.reason) == (False, "stale_bundle")
    assert "trop longtemps" in decision.to_json()["message"]
    assert door.on_tap(UID, grant, now=four_days_ago + 71 * 3600).accepted  # within 72 h
    # The place lets its own members in meanwhile: HOME's grants here are the door's place's.
    own_key = ed25519.Ed25519PrivateKey.generate()
    place = node.bundle.place
    _, own = grants.issue(own_key, place, place + "/bob", UID, 0, 4_000_000_000)
    issuers = {**node.bundle.issuers, place: {grants.key_id(own_key.public_key()):
                                              own_key.public_key()}}  # fmt: skip
    node.bundle = dataclasses.replace(node.bundle, issuers=issuers, stale_own_members=True)
    assert door.refresh_bundle()
    assert door.on_tap(UID, own, now=1_900_000_000.0).accepted
    assert door.on_tap(UID, grant, now=1_900_000_000.0).reason == "stale_bundle"


def test_a_report_queued_before_the_upgrade_is_signed_when_it_leaves(
    setup: tuple[Door, FakeNode, bytes, Path],
) -> None:
    door, node, grant, state = setup
    # An older reader queued it offline, unsigned, and then the reader was upgraded.
    old = TapReport.of(Decision(True, "ok"), grant, UID, "entree", time.time())
    (state / "reports" / f"{time.time_ns():020d}-{old.report_id}.json").write_text(
        json.dumps(old.to_json())
    )
    assert door.refresh_bundle()  # enrols: the door has its key now
    assert door.flush() == 1
    assert node.reports[0]["report_id"] == old.report_id
    assert node.reports[0]["door_key"] == node.door_key

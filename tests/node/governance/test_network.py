"""A network hosted by an in-process node, with a member place played by a stand-in: what the
Group's inbox takes and refuses (with the reason), a later vote replacing an earlier one, the
close publishing a signed result and applying an adopted rule at every member."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.errors import ConfigError
from node.governance import decision, network
from node.governance.cli import vote_id
from node.governance.recount import recount
from node.keys import assertion_methods
from node.ledger import proof
from node.multibase import ed25519_to_multibase

from ..conftest import InProcessNode, StandIn


class Member:
    """A place on another server (the stand-in), with its Ed25519 key for votes."""

    def __init__(self, stand_in: StandIn, path: str) -> None:
        self.stand_in = stand_in
        self.key = ed25519.Ed25519PrivateKey.generate()
        self.id = f"{stand_in.base_url}{path}"
        stand_in.add_actor(path, type="Organization", assertionMethod=[{
            "id": f"{self.id}#ed25519-key", "type": "Multikey", "controller": self.id,
            "publicKeyMultibase": ed25519_to_multibase(self.key.public_key()),
        }])  # fmt: skip

    def vote(
        self, place: InProcessNode, proposal: decision.Proposal, choice: str,
        published: float | None = None,
    ) -> Any:  # fmt: skip
        signed = decision.vote(
            vote_id(self.stand_in.base_url, time.time()), self.id, proposal, choice, "",
            time.time() if published is None else published, self.key, f"{self.id}#ed25519-key",
        )  # fmt: skip
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.stand_in.base_url}/activities/{uuid.uuid4()}", "type": "Create",
            "actor": self.id, "object": signed, "to": [proposal.network],
        }  # fmt: skip
        return place.post_signed("/actors/bil/inbox", activity, self.stand_in.key,
                                 f"{self.id}#main-key")  # fmt: skip


def run(*args: str) -> int:
    return cli(list(args))


@pytest.fixture
def bil(place: InProcessNode, stand_in: StandIn) -> tuple[str, Member]:
    data = str(place.config.data_dir)
    assert run("network", "create", "--data", data, "--handle", "bil", "--name", "BIL") == 0
    member = Member(stand_in, "/actors/popcafe")
    assert run("network", "admit", "--data", data, "--network", "bil", "--place", member.id) == 0
    group = place.actor_id("bil")
    # The new member is told it is one, with the whole list, and gets the network's rules.
    added = stand_in.wait_received(lambda a: a.get("type") == "Add")
    assert added["members"] == sorted([place.actor_id(), member.id])
    assert stand_in.wait_received(lambda a: a.get("type") == "Update")["object"]["rules"]
    return group, member


def open_rule_proposal(place: InProcessNode, group: str, seconds: float) -> decision.Proposal:
    closes = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
    assert run("decision", "propose", "--data", str(place.config.data_dir), "--network", group,
               "--kind", "rule", "--title", "Tarif de passage à 6 €", "--closes", closes,
               "--subject", "visitRate=6.00") == 0  # fmt: skip
    rows = place.wait("SELECT proposal FROM decisions WHERE hosted = 1")
    return decision.Proposal.from_json(json.loads(rows[0][0]))


def test_a_group_actor_publishes_members_and_rules(
    place: InProcessNode, bil: tuple[str, Member]
) -> None:
    _, member = bil
    actor = place.client.get("/actors/bil", headers={"accept": "application/activity+json"})
    assert actor.json()["type"] == "Group"
    assert actor.json()["rules"] == network.DEFAULT_RULES
    finger = place.client.get("/.well-known/webfinger?resource=acct:bil@127.0.0.1:9").json()
    assert finger["links"][0]["href"] == place.actor_id("bil")
    page = place.client.get("/actors/bil/members?page=1").json()
    assert page["orderedItems"] == sorted([place.actor_id(), member.id])


def test_votes_taken_replaced_refused_then_the_rule_changes_at_the_close(
    place: InProcessNode, bil: tuple[str, Member], stand_in: StandIn
) -> None:
    group, member = bil
    proposal = open_rule_proposal(place, group, seconds=4)
    assert proposal.members == {place.actor_id(), member.id} and proposal.quorum == 2
    # The proposal is opened to the stand-in member too.
    stand_in.wait_received(
        lambda a: (
            a.get("type") == "Add"
            and isinstance(a["object"], dict)
            and a["object"].get("id") == proposal.id
        )
    )
    assert member.vote(place, proposal, "contre").status_code == 202
    assert member.vote(place, proposal, "pour").status_code == 202  # replaces the first
    stranger = Member(stand_in, "/actors/inconnu")
    refused = stranger.vote(place, proposal, "pour")
    assert refused.status_code == 403
    assert "not a member" in refused.json()["error"]
    data = str(place.config.data_dir)
    assert run("decision", "vote", "--data", data, "--decision", proposal.id,
               "--choice", "pour") == 0  # fmt: skip

    result_rows = place.wait("SELECT result FROM decisions WHERE id = ? AND state = 'closed'",
                             (proposal.id,))  # fmt: skip
    result = json.loads(result_rows[0][0])
    assert (result["pourCount"], result["contreCount"], result["outcome"]) == (2, 0, "adopted")
    assert len(result["votes"]) == 2
    # Signed by the Group, as served.
    served = place.client.get(f"{proposal.id.removeprefix(place.config.base_url)}/result").json()
    group_doc = place.client.get("/actors/bil").json()
    assert proof.verify(served, assertion_methods(group_doc).get) == f"{group}#ed25519-key"
    keys = {
        member.id: {f"{member.id}#ed25519-key": member.key.public_key()},
        place.actor_id(): assertion_methods(place.client.get("/actors/coroutine").json()),
    }
    assert recount(served, keys, served["members"])["valid"] is True
    # After the close, even dated before it: refused, with the reason.
    late = member.vote(place, proposal, "contre", published=proposal.closes - 1)
    assert late.status_code == 403 and "after the close" in late.json()["error"]
    # The adopted rule is the network's, and announced to every member.
    assert place.client.get("/actors/bil").json()["rules"]["visitRate"] == "6.00"
    update = stand_in.wait_received(
        lambda a: a.get("type") == "Update" and a["object"]["rules"].get("visitRate") == "6.00"
    )
    assert update["actor"] == group


def test_a_proposal_of_a_non_member_or_with_an_unknown_rule_is_refused(
    place: InProcessNode, bil: tuple[str, Member], stand_in: StandIn
) -> None:
    group, _ = bil
    closes = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    data = str(place.config.data_dir)
    assert run("decision", "propose", "--data", data, "--network", group, "--kind", "rule",
               "--title", "x", "--closes", closes, "--subject", "couleur=bleu") == 2  # fmt: skip
    stranger = Member(stand_in, "/actors/inconnu")
    offer = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{stand_in.base_url}/activities/{uuid.uuid4()}", "type": "Offer",
        "actor": stranger.id, "to": [group],
        "object": {"id": f"{stand_in.base_url}/objects/1", "type": "Proposal",
                   "attributedTo": stranger.id, "audience": group, "decisionKind": "admit",
                   "name": "Moi", "endTime": closes, "object": stranger.id},
    }  # fmt: skip
    answer = place.post_signed("/actors/bil/inbox", offer, stand_in.key,
                               f"{stranger.id}#main-key")  # fmt: skip
    assert answer.status_code == 403
    assert not place.query("SELECT 1 FROM decisions")


def test_a_proposal_whose_close_passed_while_the_node_was_stopped_closes_at_start(
    tmp_path: Path,
) -> None:
    """The close is a row: a node stopped at the close publishes the result when it starts."""
    data = tmp_path / "coroutine"
    base_url = "http://127.0.0.1:9"
    assert run("init", "--data", str(data), "--base-url", base_url, "--name", "La Coroutine",
               "--handle", "coroutine") == 0  # fmt: skip
    assert run("network", "create", "--data", str(data), "--handle", "bil", "--name", "BIL") == 0
    config = NodeConfig.load(data)
    with TestClient(create_app(config), base_url=base_url) as client:
        node = InProcessNode(config, client)
        proposal = open_rule_proposal(node, config.actor_id("bil"), seconds=5)
        assert run("decision", "vote", "--data", str(data), "--decision", proposal.id,
                   "--choice", "pour") == 0  # fmt: skip
        node.wait("SELECT 1 FROM decision_votes")
    # Stopped: nothing closes it. Once its close has passed, the node starts again.
    while time.time() <= proposal.closes:
        time.sleep(proposal.closes - time.time() + 0.05)
    assert node.query("SELECT state FROM decisions") == [("open",)]
    with TestClient(create_app(config), base_url=base_url) as client:
        rows = InProcessNode(config, client).wait(
            "SELECT result FROM decisions WHERE state = 'closed'"
        )
    result = json.loads(rows[0][0])
    assert (result["pourCount"], result["outcome"]) == (1, "adopted")
    assert result["members"] == [config.place_id]


def leave(member: Member, place: InProcessNode, group: str) -> Any:
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{member.stand_in.base_url}/activities/{uuid.uuid4()}", "type": "Leave",
        "actor": member.id, "object": group, "to": [group],
    }  # fmt: skip
    return place.post_signed("/actors/bil/inbox", activity, member.stand_in.key,
                             f"{member.id}#main-key")  # fmt: skip


def test_a_place_that_leaves_is_told_to_every_member_and_votes_no_more(
    place: InProcessNode, bil: tuple[str, Member], stand_in: StandIn
) -> None:
    group, member = bil
    # A member of the network is a peer of the host place, at the network's rate.
    place.wait("SELECT 1 FROM peers WHERE actor_id = ? AND terms_from = ?", (member.id, group))
    proposal = open_rule_proposal(place, group, seconds=60)
    stranger = Member(stand_in, "/actors/inconnu")
    refused = leave(stranger, place, group)
    assert refused.status_code == 404 and "is not a member" in refused.json()["error"]

    assert leave(member, place, group).status_code == 202
    removed = stand_in.wait_received(lambda a: a.get("type") == "Remove")
    assert (removed["object"], removed["members"]) == (member.id, [place.actor_id()])
    assert member.id in removed["to"]  # the leaver hears it too
    place.wait("SELECT 1 FROM peers WHERE actor_id = ?", (member.id,), expect=False)
    assert place.client.get("/actors/bil/members?page=1").json()["orderedItems"] == [
        place.actor_id()
    ]
    late = member.vote(place, proposal, "pour")
    assert late.status_code == 403 and "not a member" in late.json()["error"]


def test_the_host_place_cannot_leave_its_own_network(
    place: InProcessNode, bil: tuple[str, Member], capsys: pytest.CaptureFixture[str]
) -> None:
    group, _ = bil
    data = str(place.config.data_dir)
    assert run("network", "leave", "--data", data, "--network", group) == 2
    error = capsys.readouterr().err
    assert "héberge le réseau" in error and "interlieux network create" in error
    assert place.query("SELECT place_state FROM networks") == [("member",)]


@pytest.mark.parametrize(
    ("subject", "french"),
    [
        ({"name": "couleur", "value": "bleu"}, "règle inconnue"),
        ({"name": "visitRate", "value": "six euros"}, "visitRate est un montant"),
        ({"name": "overdraft", "value": "-5"}, "ne peut pas être négatif"),
        ({"name": "admission", "value": "unanimité"}, "consent ou majority"),
    ],
)
def test_a_rule_proposed_with_a_value_it_cannot_take_is_refused(
    subject: dict[str, str], french: str
) -> None:
    draft = {"decisionKind": "rule", "name": "Règle", "endTime": "2030-01-01T00:00:00Z",
             "object": subject}  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        network.proposal_from_draft(draft, "https://a.example/decisions/1",
                                    "https://a.example/actors/bil", A, [A], 0.0)  # fmt: skip
    assert french in exc.value.message("fr")


A = "https://a.example/actors/a"
C = "https://c.example/actors/c"


def test_rule_values_are_kept_as_the_network_reads_them_and_admissions_follow_the_rule() -> None:
    def draft(kind: str, subject: Any, mode: str | None = None) -> dict[str, Any]:
        return {"decisionKind": kind, "name": "x", "endTime": "2030-01-01T00:00:00Z",
                "object": subject, **({"decisionMode": mode} if mode else {})}  # fmt: skip

    def opened(document: dict[str, Any], rules: dict[str, Any] | None = None) -> Any:
        return network.proposal_from_draft(
            document, "https://a.example/decisions/1", "https://a.example/actors/bil", A, [A],
            0.0, rules,
        )  # fmt: skip

    assert opened(draft("rule", {"name": "visitRate", "value": "6"})).subject == {
        "name": "visitRate", "value": "6.00"}  # fmt: skip
    consent = {**network.DEFAULT_RULES, "admission": "consent"}
    assert opened(draft("admit", C)).mode == "majority"
    assert opened(draft("admit", C), consent).mode == "consent"
    assert opened(draft("admit", C, "consent"), consent).mode == "consent"
    with pytest.raises(ConfigError) as exc:
        opened(draft("admit", C, "majority"), consent)
    assert "se décident en mode « consent »" in exc.value.message("fr")
    # Other kinds: the mode asked for, majority by default.
    assert opened(draft("rule", {"name": "overdraft", "value": "1"}), consent).mode == "majority"
    assert opened(draft("rule", {"name": "overdraft", "value": "1"}, "consent")).mode == "consent"

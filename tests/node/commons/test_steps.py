"""Improvement steps and co-financing at one node: a step published and kept, pledges and rules
signed as they are sent, a peer's checked at the inbox (a forged one refused with its reason),
kept as rows and re-announced by the step's home; totals from rows, whatever their order."""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.cli import main as cli
from node.commons import steps
from node.keys import ed25519_to_multibase
from node.ledger import proof
from node.store import Store
from node.tables import matching_rules, step_pledges
from node.tables import steps as steps_table
from tests.node.agenda.test_events import post
from tests.node.conftest import PUBLIC, InProcessNode, StandIn

AS_JSON = "application/activity+json"
STEP = {
    "type": "Step",
    "name": "Serveur partagé",
    "currency": "EUR",
    "budget": [{"name": "Serveur", "amount": "1200.00"}, {"name": "Installation", "amount": 300}],
    "contributor": ["Atelier Soudure"],
    "to": [PUBLIC],
}


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(list(args))
    return code, out.getvalue()


def _totals(place: InProcessNode, step: str) -> dict[str, Any]:
    code, out = _run("step", "totals", "--data", str(place.config.data_dir), step, "--json")
    assert code == 0
    return dict(json.loads(out))


def _step(place: InProcessNode) -> str:
    created = post(place, STEP)
    assert created.status_code == 201, created.text
    return str(created.json()["object"]["id"])


def test_a_step_is_kept_as_a_row_and_readable_on_mastodon(place: InProcessNode) -> None:
    step = _step(place)
    served = place.client.get(step, headers={"accept": AS_JSON}).json()
    assert served["type"] == ["Step", "Note"]
    assert (
        "Étape : Serveur partagé" in served["content"] and "Installation : 300" in served["content"]
    )
    assert place.query(
        "SELECT author, budget_cents, currency FROM steps WHERE id = ?", (step,)
    ) == [(place.actor_id(), 150000, "EUR")]
    assert _totals(place, step) == {"budget": "1500.00", "pledged": "0.00", "matched": "0.00",
                                    "by_place": [], "state": "open"}  # fmt: skip
    refused = post(place, {**STEP, "budget": [{"name": "Serveur", "amount": "beaucoup"}]})
    assert refused.status_code == 400 and "« budget.amount »" in refused.json()["error"]


def test_a_pledge_is_signed_by_the_place_and_counted(place: InProcessNode) -> None:
    step = _step(place)
    pledge = {"type": "Pledge", "funds": step, "amount": "200.00", "currency": "EUR",
              "to": [PUBLIC]}  # fmt: skip
    created = post(place, pledge)
    assert created.status_code == 201, created.text
    served = place.client.get(created.json()["object"]["id"], headers={"accept": AS_JSON}).json()
    actor = place.client.get(place.actor_id(), headers={"accept": AS_JSON}).json()
    signed = {k: v for k, v in served.items() if k != "@context"}  # as it was sent
    assert (
        proof.verify(signed, proof.assertion_key_finder(actor)) == f"{place.actor_id()}#ed25519-key"
    )
    assert _totals(place, step)["by_place"] == [
        {"place": place.actor_id(), "pledged": "200.00", "matched": "0.00"}
    ]
    refused = post(place, {**pledge, "currency": "USD"})
    assert refused.status_code == 400 and "budgétée en EUR" in refused.json()["error"]
    changed = {**pledge, "id": served["id"], "amount": "20.00"}
    refused = post(place, {"type": "Update", "to": [PUBLIC], "object": changed})
    assert refused.status_code == 400 and "ne se modifient pas" in refused.json()["error"]
    assert place.client.get("/steps").json()["totalItems"] == 1


def test_a_step_created_by_the_command_closes_at_its_date(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    code, out = _run("step", "create", "--data", data, "--title", "Four à pain",
                     "--line", "Briques=800,50", "--line", "Maçon = 400", "--currency", "eur",
                     "--closes", "2020-01-01T00:00:00+01:00",
                     "--contributor", "Atelier")  # fmt: skip
    assert code == 0, out
    step = out.strip().splitlines()[-1]
    served = place.client.get(step, headers={"accept": AS_JSON}).json()
    assert served["endTime"] == "2019-12-31T23:00:00Z" and served["contributor"] == ["Atelier"]
    assert served["budget"] == [{"name": "Briques", "amount": "800.50"},
                                {"name": "Maçon", "amount": "400.00"}]  # fmt: skip
    assert _totals(place, step)["state"] == "closed"


def test_the_commands_say_what_is_wrong_in_french(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    code, _ = _run("step", "create", "--data", data, "--title", "x", "--line", "sans montant")
    assert code == 2
    code, _ = _run(
        "fund", "create", "--data", data, "--ratio", "20", "--step", "https://x.example/s"
    )
    assert code == 2
    code, _ = _run("step", "totals", "--data", data, "https://x.example/steps/inconnue")
    assert code == 2


def _funder(stand_in: StandIn) -> tuple[str, ed25519.Ed25519PrivateKey]:
    key = ed25519.Ed25519PrivateKey.generate()
    actor = f"{stand_in.base_url}/users/region"
    stand_in.add_actor("/users/region", type="Organization", assertionMethod=[{
        "id": f"{actor}#ed25519-key", "type": "Multikey", "controller": actor,
        "publicKeyMultibase": ed25519_to_multibase(key.public_key()),
    }])  # fmt: skip
    return actor, key


def _create(actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}/activities/{uuid.uuid4()}", "type": "Create", "actor": actor,
            "to": obj["to"], "object": obj}  # fmt: skip


def test_a_peers_rule_is_checked_at_the_inbox_kept_and_re_announced(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = _step(place)
    funder, key = _funder(stand_in)
    rule = {
        "id": f"{funder}/rules/{uuid.uuid4()}", "type": "MatchingRule", "attributedTo": funder,
        "matchRatio": "1", "capPerPlace": "500.00", "currency": "EUR", "funds": [step],
        "published": "2026-03-01T09:00:00Z", "to": [PUBLIC, place.actor_id()],
    }  # fmt: skip
    key_id = f"{funder}#main-key"
    forged = proof.sign(rule, ed25519.Ed25519PrivateKey.generate(), f"{funder}#ed25519-key")
    answer = place.post_signed("/inbox", _create(funder, forged), stand_in.key, key_id)
    assert answer.status_code == 403 and "proof does not verify" in answer.json()["error"]
    elsewhere = proof.sign({**rule, "funds": [f"{place.config.base_url}/objects/nowhere"]},
                           key, f"{funder}#ed25519-key")  # fmt: skip
    answer = place.post_signed("/inbox", _create(funder, elsewhere), stand_in.key, key_id)
    assert answer.status_code == 404 and "no such step" in answer.json()["error"]

    signed = proof.sign(rule, key, f"{funder}#ed25519-key")
    answer = place.post_signed("/inbox", _create(funder, signed), stand_in.key, key_id)
    assert answer.status_code == 202, answer.text
    place.wait("SELECT 1 FROM matching_rules WHERE id = ? AND step = ?", (rule["id"], step))
    announced = place.wait("SELECT document FROM activities WHERE type = 'Announce'")
    assert json.loads(announced[0][0])["object"] == signed  # the funder's signature and all
    pledge = {"type": "Pledge", "funds": step, "amount": "600.00", "currency": "EUR",
              "to": [PUBLIC]}  # fmt: skip
    assert post(place, pledge).status_code == 201
    assert _totals(place, step)["matched"] == "500.00"


def _pledge_rows() -> list[step_pledges.Row]:
    """Pledges of two places, one of them sent twice with another amount (an Update)."""
    step, a, b = "https://a.example/steps/s", "https://a.example/actors/a", "https://b.example/b"
    return [
        ("https://b.example/p1", b, step, 30000, "EUR", 1000.0),
        ("https://b.example/p2", b, step, 30000, "EUR", 1001.0),
        ("https://b.example/p2", b, step, 45000, "EUR", 1001.0),
        ("https://a.example/p3", a, step, 20000, "EUR", 1002.0),
    ]


def test_the_rows_and_totals_are_the_same_whatever_order_pledges_arrive_in(
    tmp_path: Path,
) -> None:
    """A cap holds under concurrent pledges: it is applied to the sum of a place's rows, and
    the rows end the same whatever order the copies were applied in."""
    step = "https://a.example/steps/s"
    rule = [("https://c.example/r", step, "https://c.example/c", "1", 50000, "EUR", None, 0.0)]

    async def in_order(path: Path, rows: tuple[step_pledges.Row, ...]) -> tuple[Any, Any]:
        store = await Store(path).open()
        try:
            async with store.write() as db:
                await steps_table.add(db, step, "https://a.example/actors/a", "Serveur", "EUR",
                                      150000, None, 0.0)  # fmt: skip
                await matching_rules.add(db, rule, 0.0)
                for row in rows:
                    await step_pledges.add(db, row, 0.0)
            kept = sorted(await step_pledges.for_step(store.reads, step))
            return kept, await steps.totals(store, step, now=0.0)
        finally:
            await store.close()

    seen = {
        json.dumps(asyncio.run(in_order(tmp_path / f"{i}.sqlite3", order)))
        for i, order in enumerate(itertools.permutations(_pledge_rows()))
    }
    assert len(seen) == 1
    kept, totals = json.loads(seen.pop())
    assert [row[3] for row in kept] == [20000, 30000, 45000]
    assert totals["by_place"] == [
        {"place": "https://a.example/actors/a", "pledged": "200.00", "matched": "200.00"},
        {"place": "https://b.example/b", "pledged": "750.00", "matched": "500.00"},
    ]


def test_a_peers_pledge_to_something_of_ours_that_is_no_step_is_taken(
    place: InProcessNode, stand_in: StandIn
) -> None:
    # A commons pledge funds a project or a need of the place (the demo's laser repair): the
    # steps' check on arrival must not turn it away.
    funder, key = _funder(stand_in)
    pledge = {
        "id": f"{funder}/objects/{uuid.uuid4()}", "type": "Pledge", "attributedTo": funder,
        "name": "Réparation de la découpeuse laser", "amount": "200.00", "currency": "EUR",
        "funds": f"{place.actor_id()}#decoupeuse-laser", "due": "2026-09-01T00:00:00Z",
        "to": [PUBLIC, place.actor_id()],
    }  # fmt: skip
    signed = proof.sign(pledge, key, f"{funder}#ed25519-key")
    answer = place.post_signed(
        "/inbox", _create(funder, signed), stand_in.key, f"{funder}#main-key"
    )
    assert answer.status_code == 202, answer.text

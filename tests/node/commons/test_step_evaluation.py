"""Evaluating a step at one node: the step publishes its criteria; a peer place's signed
evaluation is checked at the step's home while it waits (forged: 403; unknown step: 404;
scores off the criteria: 400; after the close: 403), kept and re-announced; the place does
not evaluate its own step; the summary printed is the pure one over the rows."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.commons.evaluation import DEFAULT_CRITERIA
from node.ledger import proof
from tests.node.agenda.test_events import post
from tests.node.commons.test_step_support import announced, peer_place, signed_by, step_of
from tests.node.commons.test_steps import _run
from tests.node.conftest import PUBLIC, InProcessNode, StandIn

AS_JSON = {"accept": "application/activity+json"}


def review(actor: str, step: str, place: InProcessNode, *scores: int, **more: Any) -> Any:
    return {
        "id": f"{actor}/objects/{uuid.uuid4()}", "type": "Review", "attributedTo": actor,
        "itemReviewed": step, "published": "2026-05-01T10:00:00Z",
        "reviewRating": [{"type": "Rating", "reviewAspect": c, "ratingValue": s}
                         for c, s in zip(DEFAULT_CRITERIA, scores, strict=False)],
        "to": [PUBLIC, place.actor_id()], **more,
    }  # fmt: skip


def create(actor: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}/activities/{uuid.uuid4()}", "type": "Create", "actor": actor,
            "to": obj["to"], "object": obj}  # fmt: skip


def summary(place: InProcessNode, step: str) -> dict[str, Any]:
    code, out = _run("step", "evaluations", "--data", str(place.config.data_dir), step, "--json")
    assert code == 0, out
    return dict(json.loads(out))


def test_a_step_publishes_its_criteria_the_default_ones_or_the_teams(
    place: InProcessNode,
) -> None:
    served = place.client.get(step_of(place), headers=AS_JSON).json()
    assert served["criteria"] == list(DEFAULT_CRITERIA)
    assert "Critères d'évaluation : Budget réaliste ; Contributeurs" in served["content"]
    assert served["replies"] == f"{served['id']}/replies"
    data = str(place.config.data_dir)
    code, out = _run("step", "create", "--data", data, "--title", "Four", "--line", "Briques=10",
                     "--criterion", "Calendrier tenable",
                     "--criterion", "Budget réaliste")  # fmt: skip
    assert code == 0, out
    served = place.client.get(out.strip().splitlines()[-1], headers=AS_JSON).json()
    assert served["criteria"] == ["Calendrier tenable", "Budget réaliste"]
    code, _ = _run("step", "create", "--data", data, "--title", "Four", "--line", "Briques=10",
                   "--criterion", "Budget", "--criterion", "budget")  # fmt: skip
    assert code == 2


def test_a_peers_evaluation_is_checked_at_the_steps_home_kept_and_re_announced(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = step_of(place)
    fabrik, key = peer_place(stand_in)
    key_id = f"{fabrik}#main-key"

    def sent(document: dict[str, Any]) -> Any:
        return place.post_signed("/inbox", create(fabrik, document), stand_in.key, key_id)

    good = review(fabrik, step, place, 4, 3, 5, reviewBody="Budget serré mais tenable.")
    forged = proof.sign(good, ed25519.Ed25519PrivateKey.generate(), f"{fabrik}#ed25519-key")
    answer = sent(forged)
    assert answer.status_code == 403 and "proof does not verify" in answer.json()["error"]
    answer = sent({**good, "proof": None})
    assert answer.status_code == 403 and "no proof" in answer.json()["error"]
    answer = sent(signed_by(fabrik, key, review(fabrik, step, place, 4, 3)))
    assert answer.status_code == 400 and "Contributeurs compétents" in answer.json()["error"]
    answer = sent(signed_by(fabrik, key, review(fabrik, step, place, 4, 3, 9)))
    assert answer.status_code == 400
    nowhere = f"{place.config.base_url}/objects/nowhere"
    answer = sent(signed_by(fabrik, key, review(fabrik, nowhere, place, 4, 3, 5)))
    assert answer.status_code == 404
    assert place.query("SELECT * FROM step_evaluations") == []

    signed = signed_by(fabrik, key, good)
    answer = sent(signed)
    assert answer.status_code == 202, answer.text
    place.wait("SELECT 1 FROM step_evaluations WHERE id = ?", (good["id"],))
    place.wait("SELECT 1 FROM activities WHERE type = 'Announce'")
    assert announced(place, "Review") == [signed]
    found = summary(place, step)
    assert found["count"] == 1
    assert [c["average"] for c in found["criteria"]] == ["4.00", "3.00", "5.00"]
    assert found["evaluations"][0]["comment"] == "Budget serré mais tenable."

    # A newer evaluation of the same place replaces its first one.
    later = signed_by(fabrik, key, review(fabrik, step, place, 2, 2, 2,
                                          published="2026-05-02T10:00:00Z"))  # fmt: skip
    assert sent(later).status_code == 202
    place.wait("SELECT 1 FROM step_evaluations WHERE id = ?", (later["id"],))
    assert [c["average"] for c in summary(place, step)["criteria"]] == ["2.00", "2.00", "2.00"]


def test_a_closed_step_takes_no_evaluation(place: InProcessNode, stand_in: StandIn) -> None:
    data = str(place.config.data_dir)
    code, out = _run("step", "create", "--data", data, "--title", "Four", "--line", "Briques=10",
                     "--closes", "2020-01-01T00:00:00+01:00")  # fmt: skip
    assert code == 0, out
    step = out.strip().splitlines()[-1]
    fabrik, key = peer_place(stand_in)
    document = signed_by(fabrik, key, review(fabrik, step, place, 4, 4, 4))
    answer = place.post_signed("/inbox", create(fabrik, document), stand_in.key,
                               f"{fabrik}#main-key")  # fmt: skip
    assert answer.status_code == 403 and "after its close" in answer.json()["error"]


def test_the_place_does_not_evaluate_its_own_step_nor_does_a_member(
    place: InProcessNode,
) -> None:
    step = step_of(place)
    data = str(place.config.data_dir)
    code, _ = _run("step", "evaluate", "--data", data, "--step", step,
                   "--score", "Budget réaliste=4", "--score", "Contributeurs compétents=4",
                   "--score", "Utilité pour le réseau=4")  # fmt: skip
    assert code == 2
    ratings = [{"type": "Rating", "reviewAspect": c, "ratingValue": 3} for c in DEFAULT_CRITERIA]
    body = {"type": "Review", "itemReviewed": step, "to": [PUBLIC], "reviewRating": ratings}
    answer = post(place, body, "alice")
    assert answer.status_code == 403 and "évaluée par un lieu" in answer.json()["error"]
    answer = post(place, body)
    assert answer.status_code == 403 and "par les pairs" in answer.json()["error"]
    assert place.query("SELECT * FROM step_evaluations") == []

"""A network's survey (`--network`, answered by its member places) hosted by an in-process
node, with a member place played by a stand-in: its answer taken (202), a stranger's refused
(403, with the reason), the founder's own answer by command, the aggregate as CSV, and an
answer after the close refused."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from node.commons import surveys
from tests.node.governance.test_network import Member, bil, run  # noqa: F401 (a fixture)

from ..conftest import InProcessNode, StandIn


def post_answer(place: InProcessNode, member: Member, survey: surveys.Survey,
                values: dict[str, Any]) -> Any:  # fmt: skip
    document = surveys.answer(f"{member.id}/answers/{uuid.uuid4()}", member.id, survey, values,
                              time.time(), public=False)  # fmt: skip
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{member.stand_in.base_url}/activities/{uuid.uuid4()}", "type": "Create",
        "actor": member.id, "object": document, "to": [survey.author],
    }  # fmt: skip
    return place.post_signed("/actors/bil/inbox", activity, member.stand_in.key,
                             f"{member.id}#main-key")  # fmt: skip


def test_a_networks_survey_is_answered_by_its_members_only(
    place: InProcessNode,
    bil: tuple[str, Member],  # noqa: F811 (the fixture imported above)
    stand_in: StandIn,
) -> None:
    group, member = bil
    data = str(place.config.data_dir)
    closes = datetime.now(UTC) + timedelta(seconds=6)
    assert run("survey", "create", "--data", data, "--network", "bil", "--title", "Besoins",
               "--closes", closes.isoformat(), "--question", "surface-m2|number|Surface",
               "--question", "statut|single|Statut|asso;scic") == 0  # fmt: skip
    row = place.wait("SELECT document FROM surveys WHERE hosted = 1")
    survey = surveys.Survey.from_json(json.loads(row[0][0]))
    assert survey.author == group and survey.answered_by == "members"
    # Sent to the member places (the stand-in among them).
    stand_in.wait_received(lambda a: a.get("type") == "Create"
                           and isinstance(a.get("object"), dict)
                           and a["object"].get("id") == survey.id)  # fmt: skip

    taken = post_answer(place, member, survey, {"surface-m2": "120", "statut": ["scic"]})
    assert taken.status_code == 202, taken.text
    stranger = Member(stand_in, "/actors/inconnu")
    refused = post_answer(place, stranger, survey, {"surface-m2": "10"})
    assert refused.status_code == 403 and "not asked" in refused.json()["error"]
    assert run("survey", "answer", "--data", data, "--survey", survey.id,
               "--value", "surface-m2=80", "--value", "statut=asso") == 0  # fmt: skip

    rows = {(r[0], r[1]) for r in place.query("SELECT survey, place FROM survey_answers")}
    assert rows == {(survey.id, member.id), (survey.id, place.actor_id())}
    results = place.client.get(
        survey.id.replace("/objects/", "/surveys/").removeprefix(place.config.base_url)
        + "/results.csv"
    ).text
    assert "surface-m2,Surface,number,somme,200" in results
    assert "statut,Statut,single,asso,1" in results and "statut,Statut,single,scic,1" in results

    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()) + 0.5)
    late = post_answer(place, member, survey, {"surface-m2": "999"})
    assert late.status_code == 403 and "closed" in late.json()["error"]

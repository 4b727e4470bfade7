"""Needs surveys and the census across three real nodes (issue 15, seed 001).

coroutine (A) publishes a needs survey to the places following it; popcafe (B) and fabrik (C)
answer it from their terminals; C edits its answer once (the other answers prefilled from
its first); A aggregates the answers as CSV with C's edit. After the close, an edit is
refused by A with its reason. Then the census: A's standing survey of the commons, B's
public answer, found at A by SPARQL and on the public matrix /communs.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .network import LocalPlace, Network, wait_for

# Long enough for three answers by command (each a process start, a few seconds on a busy
# machine), short
# enough that the test waits seconds for the close.
CLOSE_IN = timedelta(seconds=45)


def surveys_at(place: LocalPlace) -> list[dict[str, Any]]:
    return list(json.loads(place.cli("survey", "list", "--data", str(place.data),
                                     "--json").stdout))  # fmt: skip


def answer(place: LocalPlace, survey: str, *values: str, check: bool = True) -> Any:
    args = [a for v in values for a in ("--value", v)]
    return place.cli("survey", "answer", "--data", str(place.data), "--survey", survey, *args,
                     check=check)  # fmt: skip


@pytest.fixture(scope="module")
def places(network: Network) -> dict[str, LocalPlace]:
    return network({"coroutine": [], "popcafe": [], "fabrik": []},
                   follows=[("popcafe", "coroutine"), ("fabrik", "coroutine")])  # fmt: skip


def test_a_survey_answered_edited_aggregated_then_closed(places: dict[str, LocalPlace]) -> None:
    a, b, c = places["coroutine"], places["popcafe"], places["fabrik"]
    closes = datetime.now(UTC) + CLOSE_IN
    out = a.cli(
        "survey", "create", "--data", str(a.data), "--title", "Besoins 2026",
        "--closes", closes.isoformat(),
        "--question", "surface-m2|number|Surface du lieu (m²)",
        "--question", "outils|multiple|Outils de gestion|Dolibarr;Nextcloud;Odoo",
        "--question", "besoin|text|Votre besoin principal",
    ).stdout  # fmt: skip
    survey = out.strip().splitlines()[-1]
    assert survey.startswith(a.base_url)
    for place in (b, c):
        wait_for(lambda p=place: any(s["id"] == survey for s in surveys_at(p)),
                 what=f"the survey at {place.handle}")  # fmt: skip

    answer(b, survey, "surface-m2=120", "outils=Dolibarr;Nextcloud", "besoin=Billetterie")
    answer(c, survey, "surface-m2=80", "outils=Odoo", "besoin=Compta partagée")
    answer(c, survey, "surface-m2=100")  # an edit: the rest prefilled from C's first answer
    edits = c.query("SELECT document FROM survey_answers WHERE own = 1")
    assert len(edits) == 1
    responses = {r["question"]: r for r in json.loads(edits[0][0])["responses"]}
    assert responses["besoin"]["textValue"] == "Compta partagée"  # prefilled, not retyped
    assert responses["surface-m2"]["numberValue"] == "100"

    table = a.cli("survey", "results", "--data", str(a.data), "--survey", survey,
                  "--csv").stdout  # fmt: skip
    rows = {(r["question"], r["reponse"]): r["valeur"] for r in csv.DictReader(io.StringIO(table))}
    assert rows[("surface-m2", "somme")] == "220"  # 120 + C's edited 100, not its first 80
    assert rows[("surface-m2", "reponses")] == "2"
    assert (rows[("outils", "Dolibarr")], rows[("outils", "Nextcloud")],
            rows[("outils", "Odoo")]) == ("1", "1", "1")  # fmt: skip
    assert rows[("besoin", "texte")] in ("Billetterie", "Compta partagée")

    # The aggregate is public; the answers are not (addressed to A alone).
    results = httpx.get(survey.replace("/objects/", "/surveys/") + "/results",
                        headers={"accept": "application/activity+json"}, timeout=10)  # fmt: skip
    assert results.status_code == 200 and results.json()["answerCount"] == 2
    assert b.actor_id() not in results.text
    counted = a.sparql(
        "PREFIX tl: <https://w3id.org/interlieux/ns#> SELECT ?n WHERE { ?r a tl:SurveyResults ;"
        f" <http://schema.org/about> <{survey}> ; tl:answerCount ?n }}"
    )  # the aggregate is in A's graph; the answers themselves are not (not public)
    assert [x["n"]["value"] for x in counted] == ["2"]
    in_reply_to = "<https://www.w3.org/ns/activitystreams#inReplyTo>"
    assert not a.sparql("PREFIX tl: <https://w3id.org/interlieux/ns#> SELECT ?a WHERE "
                        f"{{ ?a a tl:Answer ; {in_reply_to} <{survey}> }}")  # fmt: skip

    time.sleep(max(0.0, (closes - datetime.now(UTC)).total_seconds()) + 1)
    late = answer(c, survey, "surface-m2=90", check=False)
    assert late.returncode != 0
    assert "403" in late.stderr and "close" in late.stderr.lower()
    again = a.cli("survey", "results", "--data", str(a.data), "--survey", survey,
                  "--csv").stdout  # fmt: skip
    assert ",somme,220" in again


def test_the_census_is_public_and_queryable(places: dict[str, LocalPlace]) -> None:
    a, b = places["coroutine"], places["popcafe"]
    out = a.cli(
        "survey", "create", "--data", str(a.data), "--kind", "census",
        "--title", "Recensement des communs",
        "--item", "imprimante-3d|equipment|Imprimante 3D",
        "--item", "dolibarr|software|Dolibarr",
    ).stdout  # fmt: skip
    census = out.strip().splitlines()[-1]
    wait_for(lambda: any(s["id"] == census for s in surveys_at(b)), what="the census at B")
    answer(b, census, "imprimante-3d=uses", "dolibarr=interested")
    found = wait_for(lambda: a.sparql(
        'PREFIX tl: <https://w3id.org/interlieux/ns#> '
        'PREFIX as: <https://www.w3.org/ns/activitystreams#> '
        'SELECT ?place ?item ?use WHERE { ?answer a tl:Answer ; as:attributedTo ?place ; '
        'tl:responses ?r . ?r tl:question ?item ; tl:selected ?use }'), what="B's census "
        "answer in A's graph")  # fmt: skip
    uses = {(x["place"]["value"], x["item"]["value"], x["use"]["value"]) for x in found}
    assert (b.actor_id(), "imprimante-3d", "uses") in uses
    assert (b.actor_id(), "dolibarr", "interested") in uses
    # The census grows: B is sent the new item and answers it, its earlier answers kept.
    a.cli("survey", "items", "--data", str(a.data), "--survey", census,
          "--item", "rivets|infrastructure|Réseau de chaleur partagé")  # fmt: skip
    wait_for(lambda: b.query("SELECT 1 FROM surveys WHERE id = ? AND document LIKE ?",
                             (census, "%rivets%")), what="the new item at B")  # fmt: skip
    answer(b, census, "rivets=interested")
    mine = json.loads(b.query("SELECT document FROM survey_answers WHERE own = 1 AND survey = ?",
                              (census,))[0][0])  # fmt: skip
    assert {r["question"] for r in mine["responses"]} == {"imprimante-3d", "dolibarr", "rivets"}
    page = httpx.get(f"{a.base_url}/communs", timeout=10)
    assert page.status_code == 200 and "Imprimante 3D" in page.text and "PopCafé" in page.text
    assert "Réseau de chaleur partagé" in page.text

"""The query page: the example questions as forms, answered from the knowledge graph through
/sparql's limits, the exact query shown, a CSV of the same; a value that is not one of the
expected ones is refused in French and never reaches the graph."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from typing import Any

import pyoxigraph as ox
import pytest

from node.cli import main as cli
from node.query.client import GraphEngine
from node.web.network import Place
from node.web.questions import (
    QUESTIONS,
    Centre,
    Refused,
    centres,
    check,
    query_text,
    skill_term,
)
from tests.examples import test_queries as examples
from tests.node.agenda.test_events import event, post
from tests.node.conftest import PUBLIC, InProcessNode

LILLE = (50.6292, 3.0573)


def test_only_checked_values_are_written_into_a_query() -> None:
    here = Place("https://l.example/actors/p", "PopCafé", city="Lille", latitude=LILLE[0],
                 longitude=LILLE[1])  # fmt: skip
    known = centres(here, [Place("https://r.example/a/f", "Fabrik", city="Roubaix",
                                 latitude=50.69, longitude=3.17)])  # fmt: skip
    assert [c.key for c in known] == ["ici", "ville:Lille", "ville:Roubaix"]
    assert skill_term("sk:soudure") == "sk:soudure"
    assert skill_term("https://w3id.org/interlieux/skills#impression-3d") == "sk:impression-3d"
    asked = check(QUESTIONS["besoins"], {"competence": "sk:impression-3d", "autour": "ville:Lille",
                                         "km": "12,5"}, known, "Europe/Paris")  # fmt: skip
    text = query_text(asked)
    assert "tl:skill sk:impression-3d ;" in text
    assert "(50.6292 3.0573 0.634" in text and " 12.5)" in text
    events = check(QUESTIONS["evenements"], {"du": "2026-12-05", "au": "2026-12-06",
                                             "autour": ""}, known, "Europe/Paris")  # fmt: skip
    text = query_text(events)
    assert '?debut >= "2026-12-05T00:00:00+01:00"^^xsd:dateTime' in text
    assert '?debut < "2026-12-07T00:00:00+01:00"^^xsd:dateTime' in text  # the last day counts
    assert "schema:geo" not in text  # no centre, no geography

    hostile: list[tuple[str, dict[str, str], str]] = [
        ("residents", {"competence": "sk:licorne"}, "competence"),
        ("residents", {"competence": "sk:soudure } ; DROP ALL #"}, "competence"),
        ("residents", {"competence": "soudure"}, "competence"),
        ("residents", {"competence": "sk:soudure", "autour": "ici", "km": "1; DROP"}, "km"),
        ("residents", {"competence": "sk:soudure", "autour": "ici", "km": "nan"}, "km"),
        ("residents", {"competence": "sk:soudure", "autour": "ici", "km": "1e9"}, "km"),
        ("residents", {"competence": "sk:soudure", "autour": "", "km": "30 }"}, "km"),
        ("residents", {"competence": "sk:soudure", "autour": "ville:Atlantis"}, "autour"),
        ("besoins", {"competence": "sk:soudure", "autour": ""}, "autour"),
        ("evenements", {"du": '2026-12-01" } #', "autour": ""}, "du"),
        ("evenements", {"du": "2026-12-05", "au": "2026-12-01", "autour": ""}, "au"),
    ]
    for name, form, field in hostile:
        with pytest.raises(Refused) as refused:
            check(QUESTIONS[name], form, known, "Europe/Paris")
        assert refused.value.field == field, (form, refused.value.field)


@pytest.fixture
def welder(place: InProcessNode) -> InProcessNode:
    """La Coroutine in Lille, with Alice a resident who made her welding skill public."""
    data = str(place.config.data_dir)
    assert cli(["place", "--data", data, "--city", "Lille", "--latitude", str(LILLE[0]),
                "--longitude", str(LILLE[1])]) == 0  # fmt: skip
    assert cli(["profile", "--data", data, "--handle", "alice", "--skill", "sk:soudure",
                "--visibility", "skill=public"]) == 0  # fmt: skip
    assert cli(["resident", "accept", "--data", data, "--handle", "alice"]) == 0
    return place


def asked_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The queries the graph engine is asked, as they reach it."""
    asked: list[str] = []
    ask = GraphEngine.request

    async def request(self: GraphEngine, op: str, timeout: float, **fields: Any) -> Any:
        asked.append(fields.get("query", ""))
        return await ask(self, op, timeout, **fields)

    monkeypatch.setattr(GraphEngine, "request", request)
    return asked


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def until_found(place: InProcessNode, params: dict[str, str], text: str) -> str:
    """The page once the graph has caught up with the command line's changes (it looks for
    them by itself every second)."""
    deadline = time.monotonic() + 15
    while True:
        page = place.client.get("/questions", params=params)
        assert page.status_code == 200, page.text
        if text in page.text or time.monotonic() > deadline:
            return page.text
        time.sleep(0.2)


def test_residents_with_a_skill_come_with_their_place_and_the_query_that_found_them(
    welder: InProcessNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    blank = welder.client.get("/questions")
    assert blank.status_code == 200
    assert text_of(blank.text).count("Chercher") == 3
    assert 'value="sk:soudure">Soudure</option>' in blank.text

    asked = asked_queries(monkeypatch)
    params = {"question": "residents", "competence": "sk:soudure", "autour": "ici", "km": "30"}
    page = until_found(welder, params, "Alice")
    results = page.split('id="residents-results"', 1)[1]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', results)
    assert headers == ["Résident·e", "Lieu", "Ville", "Distance (km)"]
    cells = re.findall(r"<td>(.*?)</td>", results)
    assert [re.sub(r"<[^>]+>", "", c) for c in cells] == ["Alice", "La Coroutine", "Lille", "0,0"]
    assert f'<a href="{welder.actor_id("alice")}">Alice</a>' in cells[0]
    # The query shown is the query the graph was asked, to the byte.
    shown = re.search(r"<summary>Voir la requête SPARQL</summary>\s*<pre><code>(.*?)</code>",
                      results, re.S)  # fmt: skip
    assert shown is not None and html.unescape(shown.group(1)) == asked[-1]

    link = re.search(r'href="(/questions/residents\.csv\?[^"]+)"', results)
    assert link is not None
    table = welder.client.get(html.unescape(link.group(1)))
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["nom"], r["ville"]) for r in rows] == [("Alice", "Lille")]
    assert asked[-1] == asked[-2]  # the same question

    # Another skill, nobody.
    none = welder.client.get("/questions", params={**params, "competence": "sk:cuisine"})
    assert "Aucun résultat." in none.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"question": "residents", "competence": "sk:licorne"},
         "Choisissez une compétence de la liste."),
        ({"question": "residents", "competence": 'sk:soudure } . ?s ?p ?o } #'},
         "Choisissez une compétence de la liste."),
        ({"question": "residents", "competence": "sk:soudure", "autour": "ici", "km": "1; DROP"},
         "Écrivez une distance en kilomètres, entre 1 et 1000, par exemple 30."),
        ({"question": "evenements", "du": '2026-12-01"^^xsd:dateTime) } #'},
         "Écrivez une date comme 2026-12-05 (année-mois-jour)."),
        ({"question": "residents", "competence": "sk:soudure", "autour": "ville:Atlantis"},
         "Choisissez un lieu ou une ville de la liste."),
        ({"question": "DROP"}, "Cette question n'existe pas."),
    ],
)  # fmt: skip
def test_a_hostile_value_is_refused_in_french_and_never_reaches_the_graph(
    welder: InProcessNode, monkeypatch: pytest.MonkeyPatch, form: dict[str, str], message: str
) -> None:
    asked = asked_queries(monkeypatch)
    page = welder.client.get("/questions", params=form)
    assert page.status_code == 400
    alert = re.search(r'<div class="error" role="alert"[^>]*>(.*?)</div>', page.text, re.S)
    assert alert is not None and message in html.unescape(alert.group(1))
    name = form["question"]
    if name in QUESTIONS:
        refused = welder.client.get(f"/questions/{name}.csv", params=form)
        assert refused.status_code == 400 and refused.text == message
    assert asked == []


def test_the_question_in_english_and_a_centre_is_the_nodes(welder: InProcessNode) -> None:
    page = welder.client.get("/questions", headers={"accept-language": "en"})
    assert "Residents with a skill" in page.text and "La Coroutine (this place)" in page.text
    assert centres(Place("x", "Sans coordonnées"), []) == []
    assert centres(Place("x", "Ici", city="Lille", latitude=1.0, longitude=2.0), []) == [
        Centre("ici", "Ici", 1.0, 2.0), Centre("ville:Lille", "Lille", 1.0, 2.0)]  # fmt: skip


# The forms ask the example questions: filled with the examples' own values, the templates
# answer as `examples/queries/` do, on the examples' hand-written network.
network = examples.network
LILLE_CENTRE = [Centre("ville:Lille", "Lille", *LILLE)]


def solutions(store: ox.Store, text: str) -> list[dict[str, str]]:
    found = store.query(text, use_default_graph_as_union=True)
    assert isinstance(found, ox.QuerySolutions)
    names = [v.value for v in found.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in found]


@pytest.mark.parametrize(
    ("example", "question", "form"),
    [
        ("residents-soudure", "residents", {"competence": "sk:soudure", "autour": ""}),
        ("besoins-impression-3d-pres-de-lille", "besoins",
         {"competence": "sk:impression-3d", "autour": "ville:Lille", "km": "30"}),
        ("prochains-evenements", "evenements", {"autour": ""}),
    ],
)  # fmt: skip
def test_the_forms_ask_the_example_questions(
    network: ox.Store, example: str, question: str, form: dict[str, str]
) -> None:
    expected = solutions(network, (examples.QUERIES / f"{example}.rq").read_text())
    asked = solutions(network, query_text(check(QUESTIONS[question], form, LILLE_CENTRE,
                                                "Europe/Paris")))  # fmt: skip
    assert expected  # the example finds something: the comparison says something
    shown = [{k: v for k, v in row.items() if k in expected[0]} for row in asked]
    if question == "besoins":  # the centre's cosine has more decimals than the example's
        for row in expected + shown:
            row["distance2"] = f"{float(row['distance2']):.1f}"
    assert shown[: len(expected)] == expected


def test_events_between_two_dates_and_needs_near_the_place(welder: InProcessNode) -> None:
    assert post(welder, event()).status_code == 201  # 14 March 2030, 18:00 in Paris
    need = {"type": "Need", "name": "Bobines de filament", "to": [PUBLIC],
            "needKind": "equipment", "quantity": 3, "skill": ["sk:impression-3d"],
            "due": "2030-04-01T12:00:00+02:00"}  # fmt: skip
    assert post(welder, need).status_code == 201
    day = {"question": "evenements", "du": "2030-03-14", "au": "2030-03-14", "autour": ""}
    page = text_of(until_found(welder, day, "Atelier soudure"))
    assert "Atelier soudure jeudi 14 mars 2030 à 18 h 00 jeudi 14 mars 2030 à 20 h 00" in page
    after = welder.client.get("/questions", params={**day, "du": "2030-03-15", "au": ""})
    assert "Aucun résultat." in after.text
    near = {"question": "besoins", "competence": "sk:impression-3d", "autour": "ville:Lille",
            "km": "5"}  # fmt: skip
    page = text_of(until_found(welder, near, "Bobines de filament"))
    assert "Bobines de filament 3 2030-04-01 La Coroutine Lille 0,0" in page


def test_a_question_past_the_endpoints_time_limit_says_so(
    welder: InProcessNode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLIEUX_SPARQL_TIMEOUT", "0")  # /sparql's own limit, not the page's
    page = welder.client.get("/questions", params={"question": "residents",
                                                   "competence": "sk:soudure"})  # fmt: skip
    assert page.status_code == 503
    assert "Le graphe n'a pas pu répondre : La requête a dépassé 0 secondes" in text_of(page.text)

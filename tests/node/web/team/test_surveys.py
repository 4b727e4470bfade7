"""`/equipe/enquetes`: the team publishes a survey, answers it (prefilled the next time),
reads its results and CSV; `/communs` shows the census as a public matrix. Role and CSRF."""

from __future__ import annotations

import csv
import html
import io
import json
from urllib.parse import quote

from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as

QUESTIONS = (
    "surface-m2 | number | Surface du lieu (m²)\noutils | multiple | Outils | Dolibarr ; Odoo"
)


def publish(place: InProcessNode, csrf: str, **fields: str) -> int:
    form = {"csrf": csrf, "title": "Besoins 2026", "kind": "needs", "author": "",
            "closes": "2099-01-01T18:00", "questions": QUESTIONS, **fields}  # fmt: skip
    return place.client.post("/equipe/enquetes", data=form, follow_redirects=False).status_code


def surveys(place: InProcessNode) -> list[str]:
    return [str(r[0]) for r in place.query("SELECT id FROM surveys ORDER BY updated_at")]


def test_the_pages_are_for_the_team(place: InProcessNode) -> None:
    answer = place.client.get("/equipe/enquetes", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/connexion")
    csrf = sign_in_as(place, "alice")
    assert place.client.get("/equipe/enquetes", headers=HTML).status_code == 403
    assert publish(place, csrf) == 403 and surveys(place) == []
    assert place.client.get("/equipe/enquetes/resultats?enquete=x", headers=HTML).status_code == 403


def test_a_post_without_its_token_changes_nothing(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tess", "team")
    assert publish(place, "pas-le-bon") == 403 and surveys(place) == []
    assert publish(place, csrf) == 303 and len(surveys(place)) == 1
    survey = surveys(place)[0]
    refused = place.client.post(f"/equipe/enquetes/repondre?enquete={quote(survey)}",
                                data={"q-surface-m2": "120"})  # fmt: skip
    assert refused.status_code == 403
    assert place.query("SELECT COUNT(*) FROM survey_answers")[0][0] == 0


def test_publish_answer_prefill_and_results(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tess", "team")
    assert publish(place, csrf) == 303
    page = place.client.get("/equipe/enquetes?fait=publiee", headers=HTML)
    assert "Enquête publiée" in html.unescape(page.text) and "Besoins 2026" in page.text
    survey = surveys(place)[0]
    answer_url = f"/equipe/enquetes/repondre?enquete={quote(survey)}"
    form = place.client.get(answer_url, headers=HTML)
    assert form.status_code == 200 and 'name="q-outils-1"' in form.text
    typed = {"csrf": csrf, "q-surface-m2": "120", "q-outils-1": "1"}
    sent = place.client.post(answer_url, data=typed, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    wrong = place.client.post(answer_url, data={"csrf": csrf, "q-surface-m2": "beaucoup"})
    assert wrong.status_code == 400 and "nombre" in html.unescape(wrong.text)
    assert 'value="beaucoup"' in wrong.text  # what was typed is kept

    results = place.client.get(f"/equipe/enquetes/resultats?enquete={quote(survey)}", headers=HTML)
    assert results.status_code == 200 and "La Coroutine" in results.text
    assert "120,00" in results.text  # the average, with a decimal comma
    table = place.client.get(survey.replace("/objects/", "/surveys/").removeprefix(
        place.config.base_url) + "/results.csv")  # fmt: skip
    rows = {
        (r["question"], r["reponse"]): r["valeur"] for r in csv.DictReader(io.StringIO(table.text))
    }
    assert rows[("surface-m2", "somme")] == "120" and rows[("outils", "Odoo")] == "1"

    # A later survey asking the same key: prefilled with the place's answer.
    assert publish(place, csrf, title="Besoins 2027") == 303
    later = surveys(place)[-1]
    prefilled = place.client.get(f"/equipe/enquetes/repondre?enquete={quote(later)}", headers=HTML)
    assert 'name="q-surface-m2" type="text" inputmode="decimal" value="120"' in prefilled.text
    assert "Préremplie" in html.unescape(prefilled.text)


def test_the_census_is_a_public_matrix(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tess", "team")
    items = "imprimante-3d | equipment | Imprimante 3D\ndolibarr | software | Dolibarr"
    assert publish(place, csrf, kind="census", closes="", questions=items,
                   title="Recensement") == 303  # fmt: skip
    census = surveys(place)[0]
    sent = place.client.post(f"/equipe/enquetes/repondre?enquete={quote(census)}",
                             data={"csrf": csrf, "q-imprimante-3d-0": "1", "q-dolibarr-1": "1"},
                             follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    place.client.cookies.clear()
    page = place.client.get("/communs", headers=HTML)
    text = html.unescape(page.text)
    assert page.status_code == 200 and "Imprimante 3D" in text and "on l'utilise" in text
    assert "ça nous intéresse" in text and "La Coroutine" in text
    english = place.client.get("/communs", headers={**HTML, "accept-language": "en"})
    assert "we use it" in english.text
    document = json.loads(place.query("SELECT document FROM survey_answers")[0][0])
    assert "https://www.w3.org/ns/activitystreams#Public" in document["to"]


def test_the_census_grows_with_new_items(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tess", "team")
    assert publish(place, csrf, kind="census", closes="", title="Recensement",
                   questions="imprimante-3d | equipment | Imprimante 3D") == 303  # fmt: skip
    census = surveys(place)[0]
    url = f"/equipe/enquetes/communs?enquete={quote(census)}"
    form = {"csrf": csrf, "items": "nextcloud | software | Nextcloud"}
    assert place.client.post(url, data={**form, "csrf": "non"}).status_code == 403
    added = place.client.post(url, data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    document = json.loads(place.query("SELECT document FROM surveys")[0][0])
    assert [q["questionKey"] for q in document["questions"]] == ["imprimante-3d", "nextcloud"]
    page = place.client.get(added.headers["location"], headers=HTML)
    assert "Communs ajoutés" in html.unescape(page.text)
    answer = place.client.get(f"/equipe/enquetes/repondre?enquete={quote(census)}", headers=HTML)
    assert "Nextcloud" in answer.text
    served = place.client.get(census.removeprefix(place.config.base_url),
                              headers={"accept": "application/activity+json"})  # fmt: skip
    assert [q["questionKey"] for q in served.json()["questions"]][-1] == "nextcloud"


def test_the_census_results_page_has_one_form_in_its_body(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tess", "team")
    assert publish(place, csrf, kind="census", closes="", title="Recensement",
                   questions="imprimante-3d | equipment | Imprimante 3D") == 303  # fmt: skip
    census = surveys(place)[0]
    page = place.client.get(f"/equipe/enquetes/resultats?enquete={quote(census)}", headers=HTML)
    assert page.status_code == 200
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and html.unescape(title).startswith("Résultats · Recensement · ")
    assert page.text.count('id="items"') == 1
    head = page.text.split("</head>", 1)[0]
    assert "<section" not in head and "/static/surveys.css" in head

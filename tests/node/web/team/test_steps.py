"""`/equipe/etapes`: the team publishes a step with its budget lines, publishes a 1:1 matching
rule capped at 500 € per place, pledges; a member pledges through the outbox; the step's
public page shows the budget, what was pledged and matched by place, the state and the
progress bar (SVG, no script); the observatory gives the same figures per funder and year,
as a page, CSV and JSON-LD. Only the team; a form without its CSRF token publishes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyoxigraph

from tests.node.agenda.test_events import post
from tests.node.conftest import PUBLIC, InProcessNode
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import shown, words

NNBSP = " "  # the French thousands separator (U+202F), a space once `words` reads the page


def test_steps_are_the_teams_only(place: InProcessNode) -> None:
    sign_in_as(place, "dora", "door")
    assert place.client.get("/equipe/etapes", headers=HTML).status_code == 403


def test_without_its_csrf_token_no_step_is_published(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/etapes/publier",
                               data={"title": "Serveur", "lines": "Serveur = 100"})  # fmt: skip
    assert answer.status_code == 403 and "Ce formulaire a expiré" in shown(answer)
    assert place.query("SELECT 1 FROM steps") == []


def test_a_step_its_pledges_its_match_its_page_and_the_observatory(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/etapes/publier", follow_redirects=False, data={
        "csrf": csrf, "title": "Serveur mutualisé", "currency": "EUR",
        "lines": "Serveur = 1200,00\nFormation = 800", "contributors": "Collectif Libre",
        "text": "Un serveur pour les lieux du réseau.",
    })  # fmt: skip
    assert answer.headers["location"] == "/equipe/etapes?fait=etape"
    step = place.query("SELECT id FROM steps")[0][0]
    page = words(place.client.get(answer.headers["location"], headers=HTML))
    assert "Étape publiée" in page and f"Serveur mutualisé 2{NNBSP}000,00 EUR" in page

    ruled = place.client.post("/equipe/etapes/abonder", follow_redirects=False, data={
        "csrf": csrf, "etape-1": step, "ratio": "1", "cap": "500", "currency": "EUR",
    })  # fmt: skip
    assert ruled.headers["location"] == "/equipe/etapes?fait=regle"
    pledge = {"type": "Pledge", "name": "Pour le serveur", "funds": step, "amount": "600.00",
              "currency": "EUR", "to": [PUBLIC]}  # fmt: skip
    member = post(place, pledge, "alice")
    assert member.status_code == 201, member.text
    pledged = place.client.post("/equipe/etapes/engager", follow_redirects=False,
                                data={"csrf": csrf, "step": step, "amount": "200,00"})  # fmt: skip
    assert pledged.headers["location"] == "/equipe/etapes?fait=engagement"
    bad = place.client.post("/equipe/etapes/engager",
                            data={"csrf": csrf, "step": step, "amount": "deux cents"})  # fmt: skip
    assert bad.status_code == 400 and 'value="deux cents"' in bad.text

    page = place.client.get(step.removeprefix(place.config.base_url), headers=HTML)
    text = words(page)
    assert "<h1>Serveur mutualisé</h1>" in page.text
    assert f"Serveur 1{NNBSP}200,00 EUR Formation 800,00 EUR" in text
    assert "Financement : Ouverte" in text
    assert f"800,00 EUR promis et 500,00 EUR abondés sur un budget de 2{NNBSP}000,00 EUR." in text
    assert "Alice 600,00 EUR 500,00 EUR" in text and "La Coroutine 200,00 EUR 0,00 EUR" in text
    assert "La Coroutine 1 500,00 EUR" in text  # the rule: ratio, cap per place
    assert '<svg class="progress"' in page.text and "<script" not in page.text

    year = datetime.now(UTC).year
    observatory = place.client.get("/observatoire", headers=HTML)
    text = words(observatory)
    assert observatory.status_code == 200 and '<svg class="chart"' in observatory.text
    # The observatory's tables show the sign (narrower on a phone than the code).
    assert f"{year} 800,00 € 500,00 € 1{NNBSP}300,00 €" in text
    assert "La Coroutine 200,00 € 500,00 € 700,00 €" in text
    assert "Alice 600,00 € 0,00 € 600,00 €" in text
    csv = place.client.get("/observatoire.csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "année;financeur;type;commun (étape);lieu;montant;devise"
    assert f"{year};La Coroutine;abondement;Serveur mutualisé;Alice;500,00;EUR" in lines
    assert len(lines) == 4
    exported = place.client.get("/observatoire.jsonld")
    assert exported.headers["content-type"].startswith("application/ld+json")
    graph = pyoxigraph.Store()
    graph.load(exported.content, format=pyoxigraph.RdfFormat.JSON_LD)
    grants = list(graph.query(
        "SELECT ?g WHERE { ?g a <https://schema.org/MonetaryGrant> }"
    ))  # fmt: skip
    assert len(grants) == 3
    assert json.loads(exported.text)["@context"]["funder"]["@id"] == "schema:funder"

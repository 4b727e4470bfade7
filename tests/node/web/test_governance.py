"""A network and its decisions in a browser, in-process: the Group's page at its actor's URL
(members, rules, open proposals, past decisions), a decision's page before the close (how
many voted, not how) and after (each place's choice and reason, the tally), and the recount
this node makes: valid, or the problems in French when the stored result was tampered with.
The same URLs stay JSON for the fediverse."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from node.web import governance, i18n, observatory, steps
from node.web.team import decisions
from node.web.team import steps as team_steps
from tests.node.conftest import InProcessNode
from tests.node.web.session import run
from tests.node.web.team.peering import words

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
AS_JSON = {"accept": "application/activity+json"}


def network_with_a_decision(place: InProcessNode, seconds: float) -> str:
    data = str(place.config.data_dir)
    run("network", "create", "--data", data, "--handle", "bil", "--name", "Réseau BIL")
    closes = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
    run("decision", "propose", "--data", data, "--network", place.actor_id("bil"),
        "--kind", "rule", "--title", "Découvert de 10 €", "--closes", closes,
        "--subject", "overdraft=10.00", "--text", "Pour les oublis de badge.")  # fmt: skip
    return str(place.wait("SELECT id FROM decisions")[0][0])


def test_the_networks_page_at_its_actors_url(place: InProcessNode) -> None:
    decision = network_with_a_decision(place, 3600)
    page = place.client.get("/actors/bil", headers=BROWSER)
    assert page.status_code == 200 and "Accept" in page.headers["vary"]
    text = words(page)
    assert "<h1>Réseau BIL</h1>" in page.text
    assert "Lieux membres (1)" in text and "La Coroutine" in text
    assert "Tarif de passage par défaut (€) 5,00 €" in text  # as a French reader writes it
    assert "Découvert de 10 €" in text and "Aucune décision pour l'instant." in text
    assert f'href="{decision.removeprefix(place.config.base_url)}"' in page.text
    assert place.client.get("/actors/bil", headers=AS_JSON).json()["type"] == "Group"
    english = words(place.client.get("/actors/bil?lang=en", headers=BROWSER))
    assert "Member places (1)" in english and "Default visit rate (€)" in english


def test_a_decision_before_and_after_the_close_and_its_recount(place: InProcessNode) -> None:
    decision = network_with_a_decision(place, 3)
    path = decision.removeprefix(place.config.base_url)
    text = words(place.client.get(path, headers=BROWSER))
    assert "Ouverte : les votes seront publiés à la clôture." in text
    assert "0 lieu(x) a (ont) voté." in text and "Pour les oublis de badge." in text
    assert "Découvert toléré (€) : 10,00 €" in text
    run("decision", "vote", "--data", str(place.config.data_dir), "--decision", decision,
        "--choice", "pour", "--reason", "Cela arrive à tout le monde")  # fmt: skip
    assert "1 lieu(x) a (ont) voté." in words(place.client.get(path, headers=BROWSER))
    assert "Cela arrive" not in words(place.client.get(path, headers=BROWSER))

    place.wait("SELECT 1 FROM decisions WHERE state = 'closed'")
    text = words(place.client.get(path, headers=BROWSER))
    assert "Résultat : Adoptée" in text
    assert "La Coroutine Pour Cela arrive à tout le monde" in text
    assert "Décompte Pour Contre Abstention 1 0 0" in text
    assert place.client.get(path, headers=AS_JSON).json()["result"] == f"{decision}/result"
    check = words(place.client.get(f"{path}/verification", headers=BROWSER))
    assert "Valide : le décompte publié est exactement celui des votes signés." in check
    assert "Recompté le" in check
    # The valid recount is kept: the next visit reads it instead of checking every signature
    # again (a kept report altered by hand shows, so it is what the page read).
    assert len(place.query("SELECT 1 FROM recounts")) == 1
    kept = sqlite3.connect(place.config.database)
    with kept:
        kept.execute("UPDATE recounts SET report = json_set(report, '$.pour', 7)")
    kept.close()
    again = words(place.client.get(f"{path}/verification", headers=BROWSER))
    assert "Décompte Pour Contre Abstention Résultat 7 0 0" in again
    past = words(place.client.get("/actors/bil", headers=BROWSER))
    assert "Adoptée" in past and "Aucune proposition ouverte." in past

    # A result changed in the store (the vote taken out of it) no longer verifies.
    result = json.loads(place.query("SELECT result FROM decisions")[0][0])
    result["votes"] = []
    conn = sqlite3.connect(place.config.database)
    with conn:
        conn.execute("UPDATE decisions SET result = ?", (json.dumps(result),))
    conn.close()
    check = words(place.client.get(f"{path}/verification", headers=BROWSER))
    assert "Non valide" in check
    assert "la signature du réseau sur le résultat ne vérifie pas" in check
    assert "le décompte publié ne correspond pas aux votes signés" in check


def test_an_unknown_decision_is_the_missing_page(place: InProcessNode) -> None:
    page = place.client.get("/decisions/inconnue", headers=BROWSER)
    assert page.status_code == 404 and "Page introuvable" in page.text
    assert place.client.get("/decisions/inconnue/verification").status_code == 404


SAME = {
    "Abstention",
    "Mode",
    "Total",
    "Budget",
    "Quorum",
    "Description",
    "Ratio",
    "Votes",
}  # in English


def test_every_french_sentence_of_these_pages_has_its_english() -> None:
    templates = Path(governance.__file__).parent / "templates"
    found: set[str] = set()
    for name in ("governance/network.html", "governance/decision.html",
                 "governance/verification.html", "governance/_decision_item.html",
                 "governance/_terms.html", "step.html", "observatory.html", "_legend.html",
                 "team/decisions.html", "team/steps.html"):  # fmt: skip
        text = (templates / name).read_text()
        found |= set(re.findall(r"""\bt\(\s*"([^"]+)"\s*\)""", text))
        found |= set(re.findall(r"""\bt\(\s*'([^']+)'\s*\)""", text))
    assert "Le recompte de ce nœud" in found  # the scan reads them
    for table in (governance.KINDS, governance.MODES, governance.CHOICES, governance.OUTCOMES,
                  governance.RULES, steps.STATES, decisions.DONE, team_steps.DONE):  # fmt: skip
        found |= set(table.values())
    found |= {"Par année", "Par commun (étape)", "Par financeur", "Par lieu", "Année",
              "Commun (étape)", "Financeur", "Lieu", "Observatoire"}  # fmt: skip
    assert observatory.KINDS  # its CSV words are French by design (a French spreadsheet)
    untranslated = sorted(t for t in found if i18n.say(t, "en") == t and t not in SAME)
    assert untranslated == []

"""`/equipe/travaux` (administrators): the long work and how far along it is, on a page that
updates itself (in place with a script that can be paused; without one, by a refresh
the person chooses)."""

from __future__ import annotations

import sqlite3
import time

from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import words


def test_work_is_the_administrators_only(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    assert place.client.get("/equipe/travaux", headers=HTML).status_code == 403


def test_the_page_shows_the_graph_the_queues_the_reads_and_the_claim_runs(
    place: InProcessNode,
) -> None:
    # What the workers leave behind: a read of a followed place's outbox under way, one
    # failed, and a month's claims sent by the scheduler.
    now = time.time()
    db = sqlite3.connect(place.config.database)
    db.executemany(
        "INSERT INTO backfills (actor, state, attempts, next_attempt_at, last_error, items,"
        " created_at, finished_at) VALUES (?,?,?,?,?,?,?,?)",
        [("http://127.0.0.1:9/actors/popcafe", "done", 1, now, None, 42, now, now),
         ("http://127.0.0.1:9/actors/fabrik", "failed", 5, now, "HTTP 410", 0, now, None)],
    )  # fmt: skip
    db.execute("INSERT INTO claim_runs (period, ran_at) VALUES ('2026-10', ?)", (now,))
    db.commit()
    db.close()
    sign_in_as(place, "ada", "admin")
    answer = place.client.get("/equipe/travaux", headers=HTML)
    assert answer.status_code == 200
    assert 'http-equiv="refresh"' not in answer.text  # unless asked: it cannot be paused
    assert 'src="/static/team-work.js"' in answer.text and 'data-refresh="10"' in answer.text
    page = words(answer)
    assert "Objets dans le graphe" in page and "<progress" in answer.text
    assert "popcafe terminée" in page and ">42<" in answer.text.replace(" ", "")
    assert "échouée" in page and "HTTP 410" in page
    assert "2026-10 — Envoyées le" in page
    assert "Activités reçues à appliquer" in page
    chosen = place.client.get("/equipe/travaux?auto=1", headers=HTML)
    assert '<meta http-equiv="refresh" content="10">' in chosen.text
    assert "Arrêter la mise à jour automatique" in words(chosen)

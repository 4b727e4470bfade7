"""Every French sentence of the team's pages has its English (templates, confirmations, the
labels the modules pass to them), and the pages read in English when asked."""

from __future__ import annotations

import re
from pathlib import Path

from node.directory import hours
from node.directory.place import AUTONOMY_LEVELS
from node.web import i18n
from node.web.agenda import CATEGORIES
from node.web.team import dashboard, members, place, publishing
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, sign_in_as

TEMPLATES = Path(__file__).resolve().parents[4] / "node" / "web" / "templates" / "team"


def french_of_templates() -> set[str]:
    found: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        found |= set(re.findall(r"""\bt\(\s*"([^"]+)"\s*\)""", template.read_text()))
        found |= set(re.findall(r"""\bt\(\s*'([^']+)'\s*\)""", template.read_text()))
    return found


def test_every_french_sentence_of_the_team_pages_has_its_english() -> None:
    texts = french_of_templates()
    assert "Badge délivré" in texts and "Les membres du lieu" in texts  # the scan reads them
    texts |= {*members.DONE.values(), *publishing.DONE.values(), *place.DONE.values()}
    texts |= {*publishing.NEED_STATUSES.values(), *publishing.KINDS_FR.values()}
    texts |= {*CATEGORIES.values(), "membre", "accueil à la porte", "équipe", "administration"}
    texts |= {label for _, label, _, _ in dashboard.COUNTS} | {"badge illisible"}
    texts |= {"Demandes d'adhésion et de résidence à valider", "Projets à valider"}
    texts |= {*hours.DAY_NAMES.values(), *hours.PARTS, *place.OFFER_TYPES.values()}
    texts |= set(AUTONOMY_LEVELS)
    # The catalogue itself: a word the same in both languages ("Description") is in it too.
    missing = sorted(t for t in texts if t not in i18n._ENGLISH)
    assert missing == []


def test_the_team_pages_read_in_english(place: InProcessNode) -> None:
    sign_in_as(place, "adele", "admin")
    for path, heading in (
        ("/equipe", "Dashboard"),
        ("/equipe/membres", "The place&#39;s members"),
        ("/equipe/membres/alice", "Alice"),
        ("/equipe/evenements", "The place&#39;s events"),
        ("/equipe/besoins", "The place&#39;s needs"),
        ("/equipe/engagements", "The place&#39;s pledges"),
        ("/equipe/lieu", "The place&#39;s details"),
    ):
        page = place.client.get(f"{path}?lang=en", headers=HTML).text
        assert f"<h1>{heading}</h1>" in page, path

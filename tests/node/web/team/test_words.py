"""Every French sentence of the team's network pages has its English: the templates' `t("…")`
are in the catalogue once the page modules are imported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from node.web import i18n, routes  # routes imports every page module, and their words

TEMPLATES = Path(routes.__file__).parent / "templates" / "team"
MINE = ["peers.html", "peer_ledger.html", "claims.html", "settlements.html", "doors.html",
        "deliveries.html", "work.html"]  # fmt: skip


@pytest.mark.parametrize("name", MINE)
def test_every_sentence_of_the_template_has_its_english(name: str) -> None:
    text = (TEMPLATES / name).read_text()
    said = re.findall(r"""t\("([^"]+)"\)""", text) + re.findall(r"""t\('([^']+)'\)""", text)
    assert said
    missing = [s for s in said if s not in i18n._ENGLISH]
    assert missing == []

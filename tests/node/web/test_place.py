"""The place's page and the remote-follow page: what a visitor's or a peer's text can do there."""

from __future__ import annotations

import json
import re

from node.web.place import schema_org
from node.web.render import script_json
from tests.node.conftest import InProcessNode


def test_json_in_a_script_element_cannot_end_it_early() -> None:
    hostile = "</script><script>alert(1)</script> <!--<script> & >"
    text = script_json({"name": hostile})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"name": hostile}
    block = schema_org(hostile, "https://lieu.example/actors/lieu", {}, hostile)
    assert not set("<>&") & set(block) and json.loads(block)["description"] == hostile


def test_the_back_link_of_the_follow_page_stays_on_this_site(place: InProcessNode) -> None:
    for back, kept in (("javascript:alert(document.cookie)", "/"), ("//ailleurs.example/", "/"),
                       ("/agenda", "/agenda")):  # fmt: skip
        page = place.client.get("/interact", params={"handle": "personne", "back": back})
        assert page.status_code == 400  # no address: the form again, with why
        links = re.findall(r'<a href="([^"]*)">(?:Retour|Back)</a>', page.text)
        assert links == [kept], back
        assert f'name="back" value="{kept}"' in page.text

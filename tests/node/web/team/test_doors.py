"""`/equipe/portes`: the door role sees the doors; the team enrols one (its token shown once,
working at once for the trust bundle) and retires it; the page shows when each door last
fetched the bundle, and the last taps."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.multibase import ed25519_to_multibase
from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, run, sign_in_as
from tests.node.web.team.peering import shown, words


def test_the_door_role_sees_the_doors_but_enrols_none(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "dora", "door")
    page = place.client.get("/equipe/portes", headers=HTML)
    assert page.status_code == 200
    assert "Aucune porte pour l'instant." in shown(page)
    assert "Inscrire une porte" not in shown(page)
    answer = place.client.post("/equipe/portes/inscrire", data={"csrf": csrf, "label": "rue"})
    assert answer.status_code == 403
    assert place.query("SELECT * FROM tokens") == []


def test_a_member_without_a_role_cannot_see_the_doors(place: InProcessNode) -> None:
    sign_in_as(place, "alice")
    assert place.client.get("/equipe/portes", headers=HTML).status_code == 403


def test_without_its_csrf_token_no_door_is_enrolled(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    answer = place.client.post("/equipe/portes/inscrire", data={"label": "rue"})
    assert answer.status_code == 403
    assert place.query("SELECT * FROM tokens") == []


def test_the_team_enrols_a_door_sees_it_fetch_the_bundle_then_retires_it(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "theo", "team")
    answer = place.client.post(
        "/equipe/portes/inscrire", data={"csrf": csrf, "label": "Entrée rue"}
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    found = re.search(r'id="door-token">(il_[^<]+)<', answer.text)
    assert found, answer.text
    token = found.group(1)
    assert place.query("SELECT label, scope FROM tokens") == [("Entrée rue", "door")]
    page = words(place.client.get("/equipe/portes", headers=HTML))
    assert token not in page  # shown once
    assert "Entrée rue" in page and "pas encore inscrite" in page and "jamais" in page

    bundle = place.client.get("/access/bundle", headers={"authorization": f"Bearer {token}"})
    assert bundle.status_code == 200
    page = words(place.client.get("/equipe/portes", headers=HTML))
    assert "paquet de confiance reçu le" in page
    # The reader's first start: it makes its key and binds it to the token.
    key = ed25519_to_multibase(ed25519.Ed25519PrivateKey.generate().public_key())
    enrolled = place.client.post("/access/doors", json={"door": "entree-rue", "key": key},
                                 headers={"authorization": f"Bearer {token}"})  # fmt: skip
    assert enrolled.status_code == 200, enrolled.text
    page = words(place.client.get("/equipe/portes", headers=HTML))
    assert f"Entrée rue (entree-rue) Clé {key} — inscrite le" in page

    token_id = place.query("SELECT id FROM tokens")[0][0]
    assert place.client.post("/equipe/portes/retirer", data={"id": token_id}).status_code == 403
    answer = place.client.post("/equipe/portes/retirer", data={"csrf": csrf, "id": token_id},
                               follow_redirects=False)  # fmt: skip
    assert answer.headers["location"] == "/equipe/portes?fait=retiree"
    refused = place.client.get("/access/bundle", headers={"authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    page = words(place.client.get("/equipe/portes?fait=retiree", headers=HTML))
    assert "Porte retirée" in page and "retirée le" in page


def test_only_a_door_token_is_retired_from_this_page(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "theo", "team")
    place.token("coroutine")  # a script's token, scope all
    token_id = place.query("SELECT id FROM tokens")[0][0]
    answer = place.client.post("/equipe/portes/retirer", data={"csrf": csrf, "id": token_id})
    assert answer.status_code == 404
    assert place.query("SELECT revoked_at FROM tokens") == [(None,)]


def test_the_last_taps_show_with_their_decision(place: InProcessNode) -> None:
    data = str(place.config.data_dir)
    issued = run("badge", "issue", "--data", data, "--member", "alice", "--card-uid", "04A224B2")
    grant = issued.strip().splitlines()[-1]
    run("checkin", "--data", data, "--grant", grant, "--card-uid", "04A224B2", "--door", "atelier")
    sign_in_as(place, "dora", "door")
    page = words(place.client.get("/equipe/portes", headers=HTML))
    # The member by name, as the team knows them, not by actor address.
    assert "atelier entrée Alice" in page
    assert "/actors/alice" not in page

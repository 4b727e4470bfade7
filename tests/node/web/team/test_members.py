"""The team's members pages, `/equipe/membres`: invitations (a one-time link shown once),
roles (the admin role only by an administrator, never taken from the last one), and on a
member's page a badge issued (QR, BIL1 text, NDEF) and revoked (peers told), credit sold and a
password reset link — the same domain calls as the CLI commands."""

from __future__ import annotations

import base64
import html
import json
import re

from node.access import grant
from node.cli import main as cli
from reader import ndef
from tests.node.conftest import InProcessNode, StandIn
from tests.node.people.test_passkeys import Authenticator, add_from_me, passkey_sign_in
from tests.node.web.session import HTML, PASSWORD, sign_in_as

from .team import only_for, signed_out, status_of


def roles_of(place: InProcessNode, handle: str) -> str | None:
    rows = place.query("SELECT roles FROM accounts WHERE handle = ?", (handle,))
    return rows[0][0] if rows else None


def test_members_pages_are_for_the_team(place: InProcessNode) -> None:
    only_for(place, ["/equipe/membres", "/equipe/membres/alice"], "team", "door")


def test_no_form_acts_without_its_token(place: InProcessNode) -> None:
    sign_in_as(place, "adele", "admin")
    before = place.query("SELECT COUNT(*) FROM ledger_entries")[0][0]
    for path, data in (
        ("/equipe/membres", {"handle": "zoe", "name": "Zoé"}),
        ("/equipe/membres/alice/roles", {"role_team": "on"}),
        ("/equipe/membres/alice/badge", {"days": "30"}),
        ("/equipe/membres/alice/credit", {"amount": "10"}),
        ("/equipe/membres/alice/lien", {}),
        ("/equipe/membres/alice/cles", {}),
    ):
        for token in ({}, {"csrf": "pas-le-bon"}):
            answer = place.client.post(path, data={**data, **token}, follow_redirects=False)
            assert answer.status_code == 403, path
    assert place.query("SELECT handle FROM local_actors WHERE handle = 'zoe'") == []
    assert roles_of(place, "alice") is None  # not even an account made
    assert place.query("SELECT COUNT(*) FROM grants")[0][0] == 0
    assert place.query("SELECT COUNT(*) FROM ledger_entries")[0][0] == before
    assert place.query("SELECT COUNT(*) FROM invitations WHERE handle = 'alice'")[0][0] == 0


def test_an_invitation_link_is_shown_once_and_lets_the_member_in(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    answer = place.client.post(
        "/equipe/membres", data={"csrf": csrf, "handle": "zoe", "name": "Zoé", "role_door": "on"}
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    link = re.search(r'id="handover-link" type="text" readonly value="([^"]+)"', answer.text)
    assert link and link.group(1).startswith(f"{place.config.base_url}/invitation/")
    assert "<svg" in answer.text and 'aria-label="QR code du lien"' in answer.text
    assert place.query("SELECT type, name FROM local_actors WHERE handle = 'zoe'") == [
        ("Person", "Zoé")
    ]
    assert roles_of(place, "zoe") == "door"
    # The link is the member's way in, as the CLI's is.
    signed_out(place)
    path = link.group(1).removeprefix(place.config.base_url)
    assert "Choisissez votre mot de passe" in place.client.get(path, headers=HTML).text
    assert status_of(place, "/equipe/membres") == 303  # signed out: the link signs nobody in


def test_an_invitation_is_refused_without_a_name_or_with_the_admin_role_by_the_team(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "tom", "team")
    answer = place.client.post("/equipe/membres", data={"csrf": csrf, "handle": "zoe"})
    assert answer.status_code == 400 and "Indiquez le nom" in answer.text
    assert 'value="zoe"' in answer.text  # what was typed is kept
    answer = place.client.post(
        "/equipe/membres", data={"csrf": csrf, "handle": "zoe", "name": "Zoé", "role_admin": "on"}
    )
    assert answer.status_code == 400 and "administrateur" in html.unescape(answer.text)
    assert place.query("SELECT 1 FROM local_actors WHERE handle = 'zoe'") == []
    assert 'name="role_admin"' not in place.client.get("/equipe/membres", headers=HTML).text


def test_roles_change_and_the_last_admin_keeps_theirs(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    done = place.client.post(
        "/equipe/membres/alice/roles",
        data={"csrf": csrf, "role_door": "on"},
        follow_redirects=False,
    )
    assert (
        done.status_code == 303 and done.headers["location"] == "/equipe/membres/alice?fait=roles"
    )
    assert roles_of(place, "alice") == "door"
    assert "Rôles enregistrés." in place.client.get(done.headers["location"], headers=HTML).text
    # The team does not make administrators.
    refused = place.client.post(
        "/equipe/membres/alice/roles", data={"csrf": csrf, "role_admin": "on"}
    )
    assert refused.status_code == 403 and roles_of(place, "alice") == "door"

    signed_out(place)
    csrf = sign_in_as(place, "adele", "admin")
    refused = place.client.post(
        "/equipe/membres/adele/roles", data={"csrf": csrf, "role_team": "on"}
    )
    assert refused.status_code == 403 and "dernier compte" in refused.text
    assert roles_of(place, "adele") == "admin"
    assert (
        place.client.post(
            "/equipe/membres/alice/roles",
            data={"csrf": csrf, "role_admin": "on"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert roles_of(place, "alice") == "admin"
    # Now another administrator remains: adele may step down.
    assert (
        place.client.post(
            "/equipe/membres/adele/roles",
            data={"csrf": csrf, "role_team": "on"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert roles_of(place, "adele") == "team"
    assert status_of(place, "/equipe/lieu") == 403  # at once


def test_a_badge_issued_from_the_page_opens_the_door(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    answer = place.client.post(
        "/equipe/membres/alice/badge", data={"csrf": csrf, "card_uid": "04:A2:24:B2", "days": "30"}
    )
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    text = html.unescape(
        re.search(r'id="badge-text" readonly rows="5">([^<]+)<', answer.text).group(1)
    )  # type: ignore[union-attr]
    assert text.startswith("BIL1:")
    data = grant.from_text(text)
    issued, _, _ = grant.read(data)
    assert issued.member == place.actor_id("alice") and issued.issuer == place.actor_id()
    rows = place.query("SELECT member, card_hash, expires - not_before FROM grants")
    assert rows == [
        (
            place.actor_id("alice"),
            grant.card_hash(issued.grant_id, bytes.fromhex("04A224B2")).hex(),
            30 * 86400,
        )
    ]
    # The NDEF message to write on the card holds the same grant, as `badge issue --out`.
    hexed = re.search(r'<pre class="hex">([^<]+)</pre>', answer.text).group(1)  # type: ignore[union-attr]
    assert ndef.grant_from_message(bytes.fromhex(hexed)) == data
    encoded = re.search(r'href="data:application/octet-stream;base64,([^"]+)"', answer.text)
    assert encoded and ndef.grant_from_message(base64.b64decode(encoded.group(1))) == data
    assert 'aria-label="QR code du badge"' in answer.text
    # The checkin takes it with its card, and refuses it on another.
    data_dir = str(place.config.data_dir)
    assert cli(["checkin", "--data", data_dir, "--grant", text, "--card-uid", "04A224B2"]) == 0
    assert cli(["checkin", "--data", data_dir, "--grant", text, "--card-uid", "04FFFFFF"]) == 1
    page = place.client.get("/equipe/membres/alice", headers=HTML).text
    assert "actif" in page and issued.grant_id in page


def test_a_badge_needs_a_readable_card_and_a_validity_in_bounds(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    for fields, said in (({"card_uid": "zz"}, "hexadécimal"), ({"days": "0"}, "de 1 à")):
        answer = place.client.post("/equipe/membres/alice/badge", data={"csrf": csrf, **fields})
        assert answer.status_code == 400 and said in answer.text
    assert place.query("SELECT COUNT(*) FROM grants")[0][0] == 0
    assert place.client.get("/equipe/membres/nobody", headers=HTML).status_code == 404
    assert place.client.get("/equipe/membres/coroutine", headers=HTML).status_code == 404


def test_a_revoked_badge_is_told_to_the_places_that_honour_it(
    place: InProcessNode, stand_in: StandIn
) -> None:
    # Another place follows ours: its doors may honour our badges, so it hears of revocations.
    other = stand_in.add_actor("/actors/fabrik", type="Organization")
    follow = {
        "id": f"{other}/follow/1",
        "type": "Follow",
        "actor": other,
        "object": place.actor_id(),
    }
    assert place.post_signed("/inbox", follow, stand_in.key, f"{other}#main-key").status_code == 202
    stand_in.wait_received(lambda b: b["type"] == "Accept")
    csrf = sign_in_as(place, "tom", "team")
    place.client.post("/equipe/membres/alice/badge", data={"csrf": csrf})
    grant_id = place.query("SELECT grant_id FROM grants")[0][0]
    done = place.client.post(
        "/equipe/membres/alice/badge/revoquer",
        data={"csrf": csrf, "grant": grant_id},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/equipe/membres/alice?fait=revoque"
    assert place.query("SELECT revoked_at IS NOT NULL FROM grants") == [(1,)]
    told = stand_in.wait_received(
        lambda b: b["type"] == "Create" and b["object"].get("type") == "tl:Revocation"
    )
    assert told["object"]["tl:grant"] == [grant_id]
    page = place.client.get(done.headers["location"], headers=HTML).text
    assert "révoqué" in page and "Badge révoqué ; les lieux pairs sont prévenus." in page
    # Twice, or a badge of someone else: nothing to revoke, said on the page.
    again = place.client.post(
        "/equipe/membres/alice/badge/revoquer", data={"csrf": csrf, "grant": grant_id}
    )
    assert again.status_code == 400 and "Aucun badge actif" in again.text
    other_member = place.client.post(
        "/equipe/membres/tom/badge/revoquer", data={"csrf": csrf, "grant": grant_id}
    )
    assert other_member.status_code == 400


def test_credit_sold_from_the_member_page(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    done = place.client.post(
        "/equipe/membres/alice/credit",
        data={
            "csrf": csrf,
            "account": "alice",
            "amount": "25,50",
            "currency": "EUR",
            "overdraft": "5",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    members = json.loads(
        place.query("SELECT members FROM credit_accounts WHERE name = 'alice'")[0][0]
    )
    assert members == [place.actor_id("alice")]
    assert place.query("SELECT account, amount_cents FROM ledger_entries ORDER BY id") == [
        ("bank", 2550),
        ("credit:alice", -2550),
    ]
    page = place.client.get(done.headers["location"], headers=HTML).text
    assert "alice — Disponible : 25,50 EUR" in page and "Crédit vendu." in page
    bad = place.client.post("/equipe/membres/alice/credit", data={"csrf": csrf, "amount": "dix"})
    assert bad.status_code == 400 and "dix" in bad.text
    bad = place.client.post(
        "/equipe/membres/alice/credit",
        data={"csrf": csrf, "account": "Métropole Lille", "amount": "10"},
    )
    assert bad.status_code == 400 and "Nom de compte" in bad.text
    assert place.query("SELECT COUNT(*) FROM ledger_entries")[0][0] == 2


def test_a_password_reset_link_for_a_member_who_has_one(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "tom", "team")
    answer = place.client.post("/equipe/membres/tom/lien", data={"csrf": csrf})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert "/invitation/" in answer.text
    assert place.query(
        "SELECT purpose FROM invitations WHERE handle = 'tom' ORDER BY id DESC LIMIT 1"
    ) == [("reset",)]


def test_only_an_administrator_makes_a_link_for_an_administrator(place: InProcessNode) -> None:
    sign_in_as(place, "adele", "admin")
    signed_out(place)
    csrf = sign_in_as(place, "tom", "team")
    before = place.query("SELECT COUNT(*) FROM invitations")[0][0]
    refused = place.client.post("/equipe/membres/adele/lien", data={"csrf": csrf})
    assert refused.status_code == 403 and "/invitation/" not in refused.text
    again = place.client.post("/equipe/membres", data={"csrf": csrf, "handle": "adele"})
    assert again.status_code == 400 and "/invitation/" not in again.text
    assert place.query("SELECT COUNT(*) FROM invitations")[0][0] == before
    # The team still makes links for the team and the members.
    assert place.client.post("/equipe/membres/alice/lien", data={"csrf": csrf}).status_code == 200


def test_credit_sold_without_a_name_goes_to_an_account_that_names_no_one(
    place: InProcessNode,
) -> None:
    csrf = sign_in_as(place, "tom", "team")
    for _ in range(2):  # the second sale tops up the member's account
        sold = place.client.post(
            "/equipe/membres/alice/credit",
            data={"csrf": csrf, "amount": "10"},
            follow_redirects=False,
        )
        assert sold.status_code == 303, sold.text
    [(name,)] = place.query("SELECT name FROM credit_accounts")
    assert re.fullmatch(r"c-[0-9a-f]{8}", name), name
    assert place.query("SELECT DISTINCT memo FROM ledger_transactions") == [("Vente de crédit",)]
    assert place.query("SELECT SUM(amount_cents) FROM ledger_entries WHERE account = ?",
                       (f"credit:{name}",)) == [(-2000,)]  # fmt: skip


def test_erasure_leaves_no_handle_in_the_books_when_the_team_sold_credit(
    place: InProcessNode,
) -> None:
    sign_in_as(place, "alice")
    signed_out(place)
    team = sign_in_as(place, "tina", "team")
    # The team's form, account name left empty.
    sold = place.client.post(
        "/equipe/membres/alice/credit", data={"csrf": team, "amount": "20"}, follow_redirects=False
    )
    assert sold.status_code == 303, sold.text
    signed_out(place)
    csrf = sign_in_as(place, "alice")
    erased = place.client.post(
        "/moi/donnees/effacer", data={"csrf": csrf, "handle": "alice"}, follow_redirects=False
    )
    assert erased.status_code == 303
    left = place.query("SELECT memo FROM ledger_transactions WHERE memo LIKE '%alice%'")
    left += place.query("SELECT account FROM ledger_entries WHERE account LIKE '%alice%'")
    left += place.query("SELECT name FROM credit_accounts WHERE name LIKE '%alice%'")
    assert left == [], left


def test_a_link_the_team_made_does_not_open_an_account_later_made_admin(
    place: InProcessNode,
) -> None:
    sign_in_as(place, "bob", "team")  # a colleague with a password
    signed_out(place)
    csrf = sign_in_as(place, "tom", "team")  # tom holds team, not admin
    made = place.client.post("/equipe/membres/bob/lien", data={"csrf": csrf})
    assert made.status_code == 200  # allowed: bob is no admin (yet)
    link = re.search(r'readonly value="([^"]+/invitation/[^"]+)"', made.text)
    assert link
    signed_out(place)
    admin = sign_in_as(place, "ada", "admin")
    promoted = place.client.post(
        "/equipe/membres/bob/roles",
        follow_redirects=False,
        data={"csrf": admin, "role_admin": "on", "role_team": "on"},
    )
    assert promoted.status_code == 303
    signed_out(place)
    path = link.group(1).removeprefix(place.config.base_url)
    page = place.client.get(path, headers=HTML)
    assert page.status_code == 410  # withdrawn with the promotion
    taken = place.client.post(path, data={"csrf": "x", "password": PASSWORD + "!",
                                          "confirmation": PASSWORD + "!"},
                              follow_redirects=False)  # fmt: skip
    assert taken.status_code != 303
    assert place.query("SELECT COUNT(*) FROM invitations WHERE handle = 'bob'"
                       " AND withdrawn_at IS NULL AND used_at IS NULL") == [(0,)]  # fmt: skip


def test_the_team_removes_the_passkeys_of_a_lost_phone(place: InProcessNode) -> None:
    sign_in_as(place, "alice")
    lost = Authenticator()
    add_from_me(place, lost)
    signed_out(place)
    csrf = sign_in_as(place, "tom", "team")
    page = html.unescape(place.client.get("/equipe/membres/alice", headers=HTML).text)
    assert "Clés d'accès enregistrées : <strong>1</strong>" in page
    assert "Retirer toutes les clés d'accès" in page
    done = place.client.post("/equipe/membres/alice/cles", data={"csrf": csrf},
                             follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    page = html.unescape(place.client.get(done.headers["location"], headers=HTML).text)
    assert "Clés d'accès retirées" in page and "<strong>0</strong>" in page
    assert passkey_sign_in(place, lost).status_code != 200


def test_only_an_administrator_removes_an_administrators_passkeys(place: InProcessNode) -> None:
    sign_in_as(place, "adele", "admin")
    add_from_me(place, Authenticator())
    signed_out(place)
    csrf = sign_in_as(place, "tom", "team")
    refused = place.client.post("/equipe/membres/adele/cles", data={"csrf": csrf})
    assert refused.status_code == 403
    assert place.query("SELECT COUNT(*) FROM passkeys WHERE handle = 'adele'") == [(1,)]
    signed_out(place)
    admin = sign_in_as(place, "ada", "admin")
    done = place.client.post("/equipe/membres/adele/cles", data={"csrf": admin},
                             follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert place.query("SELECT COUNT(*) FROM passkeys WHERE handle = 'adele'") == [(0,)]

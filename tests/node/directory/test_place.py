"""The place's details: checked, shown on the actor as Mastodon profile fields, federated."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import segno

from node.cli import main as cli
from node.directory import media
from node.directory.place import check_details, profile_fields
from node.errors import InvalidActivity
from tests.node.conftest import InProcessNode, StandIn

AS_JSON = "application/activity+json"
OFFERS = [
    {
        "type": "Equipment",
        "name": "Découpeuse laser",
        "pricing": [
            {"autonomyLevel": "accompagné", "price": "15.00", "priceCurrency": "EUR",
             "unitText": "heure"},
            {"autonomyLevel": "autonome", "price": "8.00", "priceCurrency": "EUR"},
        ],
    },
    {"type": "Space", "name": "Salle de réunion"},
]  # fmt: skip


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_details_show_as_profile_fields_and_the_icon_is_served(
    place: InProcessNode, tmp_path: Path
) -> None:
    icon = tmp_path / "logo.png"
    segno.make("La Coroutine").save(icon, kind="png", scale=4)
    offers = tmp_path / "offers.json"
    offers.write_text(json.dumps(OFFERS))
    code, printed, err = run_cli(
        "place", "--data", str(place.config.data_dir), "--street", "12 rue des Arts",
        "--postal-code", "59000", "--city", "Lille", "--opening-hours", "Mo-Fr 09:00-18:00",
        "--email", "bonjour@coroutine.example", "--website", "https://coroutine.example",
        "--icon", str(icon), "--offers", str(offers),
    )  # fmt: skip
    assert code == 0, err
    assert "Mise à jour envoyée aux abonnés (0 serveur)" in printed

    actor = place.client.get("/actors/coroutine", headers={"accept": AS_JSON}).json()
    fields = {f["name"]: f["value"] for f in actor["attachment"]}
    assert all(f["type"] == "PropertyValue" for f in actor["attachment"])
    assert fields["Adresse"] == "12 rue des Arts, 59000 Lille"
    assert fields["Horaires"] == "lun.–ven. 09:00–18:00"
    assert fields["Site web"].startswith('<a href="https://coroutine.example"')
    assert fields["Contact"] == "bonjour@coroutine.example"
    assert actor["offers"][0]["pricing"][0]["type"] == "PriceSpecification"

    assert actor["icon"]["type"] == "Image" and actor["icon"]["mediaType"] == "image/png"
    served = place.client.get(actor["icon"]["url"].removeprefix(place.config.base_url))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == icon.read_bytes()


def test_offers_that_do_not_fit_the_shape_are_refused_naming_the_property(
    place: InProcessNode, tmp_path: Path
) -> None:
    offers = tmp_path / "offers.json"
    bad = [
        {
            "type": "Equipment",
            "name": "Imprimante 3D",
            "pricing": [{"autonomyLevel": "autonome", "price": "cinq", "priceCurrency": "EUR"}],
        }
    ]
    offers.write_text(json.dumps(bad))  # fmt: skip
    code, _, err = run_cli("place", "--data", str(place.config.data_dir), "--offers", str(offers))
    assert code == 2
    assert '« offers[0].pricing.price » vaut "cinq" : attendu un nombre' in err
    actor = place.client.get("/actors/coroutine", headers={"accept": AS_JSON}).json()
    assert "offers" not in actor  # nothing was stored


def test_followers_receive_an_update_of_the_place(place: InProcessNode, stand_in: StandIn) -> None:
    follower = stand_in.add_actor("/actors/milan")
    follow = {"id": f"{follower}/follows/1", "type": "Follow", "actor": follower,
              "object": place.actor_id()}  # fmt: skip
    assert place.post_signed("/inbox", follow, stand_in.key, f"{follower}#main-key").status_code
    place.wait("SELECT 1 FROM follows WHERE follower = ? AND state = 'accepted'", (follower,))
    code, printed, err = run_cli(
        "place", "--data", str(place.config.data_dir), "--city", "Roubaix",
        "--opening-hours", "Sa 10:00-17:00",
    )  # fmt: skip
    assert code == 0, err
    assert "(1 serveur)" in printed
    update = stand_in.wait_received(lambda a: a.get("type") == "Update")
    place_document = update["object"]
    assert place_document["id"] == place.actor_id()
    assert place_document["address"]["addressLocality"] == "Roubaix"
    assert {"type": "PropertyValue", "name": "Horaires", "value": "sam. 10:00–17:00"} in (
        place_document["attachment"]
    )
    assert f"{place.actor_id()}/followers" in update["cc"]


def test_profile_field_values_are_escaped() -> None:
    fields = profile_fields(
        {"address": {"streetAddress": "<script>x</script>", "addressLocality": "Lille"},
         "url": 'https://a.example/?q="><img>'}
    )  # fmt: skip
    assert fields[0]["value"] == "&lt;script&gt;x&lt;/script&gt;, Lille"
    assert "<img>" not in fields[1]["value"] and "&quot;&gt;&lt;img&gt;" in fields[1]["value"]


@pytest.mark.parametrize(
    "details",
    [{"url": "coroutine.example"}, {"icon": {"url": "ftp://x"}}, {"offers": {"name": "x"}}],
)
def test_malformed_details_are_refused(details: dict[str, object]) -> None:
    with pytest.raises(InvalidActivity) as caught:
        check_details(details)
    assert caught.value.fr


def test_images_are_recognised_by_their_content_not_their_name(tmp_path: Path) -> None:
    assert media.kind_of(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("webp", "image/webp")
    assert media.kind_of(b"GIF89a...") == ("gif", "image/gif")
    fake = tmp_path / "logo.png"
    fake.write_text("<svg onload=alert(1)>")
    with pytest.raises(InvalidActivity, match="PNG, JPEG, GIF or WebP"):
        media.save(tmp_path, fake)
    with pytest.raises(Exception, match="no media"):
        media.path_of(tmp_path, "../config.json")

"""Comments on a step at its home: a Mastodon user's reply to the step's Note (captured, its
`inReplyTo` pointed at the step) is kept though nobody here follows its author, listed in the
step's `replies` collection and on its page, and gone from both once Mastodon deletes it; the
place's own comment is escaped, never markup."""

from __future__ import annotations

from tests.node.commons.test_step_support import step_of
from tests.node.commons.test_steps import _run
from tests.node.conftest import InProcessNode, StandIn
from tests.node.inbox.test_captured import load, send
from tests.node.web.session import HTML

AS_JSON = {"accept": "application/activity+json"}
MASTODON_NOTE = "https://mastodon/users/john/statuses/9876"


def _replies(place: InProcessNode, step: str) -> list[str]:
    collection = place.client.get(f"{step}/replies", headers=AS_JSON).json()
    if not collection["totalItems"]:
        return []
    page = place.client.get(collection["first"], headers=AS_JSON).json()
    return list(page["orderedItems"])


def test_a_mastodon_reply_to_a_step_is_a_comment_until_deleted(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = step_of(place)
    reply = load("mastodon/create_note.json", stand_in, place,
                 **{'"inReplyTo": null': f'"inReplyTo": "{step}"'})  # fmt: skip
    assert reply["object"]["inReplyTo"] == step
    assert send(place, stand_in, reply).status_code == 202
    note = reply["object"]["id"]
    place.wait("SELECT 1 FROM objects WHERE id = ?", (note,))
    assert _replies(place, step) == [note]
    page = place.client.get(step.removeprefix(place.config.base_url), headers=HTML)
    assert "Creating Test Data!!! :)" in page.text and ">john</a>" in page.text

    # Mastodon's Delete of a status (captured), of this very status by its author.
    deleted = load("mastodon/delete_note.json", stand_in, place,
                   **{"users/remote-user/statuses/109820990504": "users/john/statuses/9876",
                      "users/remote-user": "users/john"})  # fmt: skip
    assert deleted["object"]["id"] == note.replace("https://mastodon", stand_in.base_url)
    assert send(place, stand_in, deleted).status_code == 202
    place.wait("SELECT 1 FROM objects WHERE id = ? AND type = 'Tombstone'", (note,))
    assert _replies(place, step) == []
    page = place.client.get(step.removeprefix(place.config.base_url), headers=HTML)
    assert "Creating Test Data" not in page.text and "Aucun commentaire" in page.text


def test_the_places_comment_is_text_never_markup(place: InProcessNode) -> None:
    step = step_of(place)
    text = "Très utile <script>alert(1)</script>\n\nDeuxième paragraphe"
    data = str(place.config.data_dir)
    code, out = _run("step", "comment", "--data", data, "--step", step, "--text", text)
    assert code == 0, out
    note = out.strip().splitlines()[-1]
    served = place.client.get(note, headers=AS_JSON).json()
    assert served["inReplyTo"] == step and "<script>" not in served["content"]
    assert _replies(place, step) == [note]
    page = place.client.get(step.removeprefix(place.config.base_url), headers=HTML).text
    assert "<script>alert" not in page
    assert "<p>Très utile &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "<p>Deuxième paragraphe</p>" in page
    assert place.client.get(f"{place.config.base_url}/objects/nowhere/replies").status_code == 404

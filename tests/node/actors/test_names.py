"""An actor's name as pages show it: never blank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node.actors import local
from node.actors.names import display_name, names_of
from node.config import NodeConfig
from node.store import Store
from node.tables import remote_actors


async def test_a_member_without_a_name_is_shown_by_handle(tmp_path: Path) -> None:
    config = NodeConfig(data_dir=tmp_path, base_url="http://127.0.0.1:9", name="Pop",
                        handle="pop")  # fmt: skip
    store = await Store(config.database).open()
    try:
        async with store.write() as db:
            await local.create(db, config, "zoe", "", "Person")
            await local.create(db, config, "alice", "Alice", "Person")
        assert await display_name(store.reads, config.actor_id("zoe")) == "@zoe"
        assert await display_name(store.reads, config.actor_id("alice")) == "Alice"
        unknown = "https://ailleurs.example/actors/x"
        assert await display_name(store.reads, unknown) == "ailleurs.example"
    finally:
        await store.close()


async def test_a_page_of_names_is_two_queries_whatever_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = NodeConfig(data_dir=tmp_path, base_url="http://127.0.0.1:9", name="Pop",
                        handle="pop")  # fmt: skip
    store = await Store(config.database).open()
    fabrik, pseudo = "https://fabrik.example/actors/f", "https://pseudo.example/actors/p"
    try:
        async with store.write() as db:
            await local.create(db, config, "zoe", "", "Person")
            await local.create(db, config, "alice", "Alice", "Person")
            for actor, document in ((fabrik, {"name": "La Fabrik"}),
                                    (pseudo, {"preferredUsername": "mila"})):  # fmt: skip
                await remote_actors.save(
                    db, actor_id=actor, inbox=f"{actor}/inbox", shared_inbox=None,
                    followers=None, key_id=f"{actor}#main-key", public_key_pem="",
                    document=document, fetched_at=0.0,
                )  # fmt: skip
        unknown = [f"https://ailleurs{n}.example/actors/x" for n in range(600)]
        ids = [config.actor_id("zoe"), config.actor_id("alice"), fabrik, pseudo, *unknown]
        statements: list[str] = []
        execute = store.reads.execute

        def counted(sql: str, params: Any = ()) -> Any:
            statements.append(sql)
            return execute(sql, params)

        monkeypatch.setattr(store.reads, "execute", counted)
        names = await names_of(store.reads, ids + ids)  # a name repeats on a page
        # Two statements per 500 ids: the bound-parameter limit of older SQLite builds.
        assert len(statements) == 2 + 2
        monkeypatch.undo()
        assert names == {actor: await display_name(store.reads, actor) for actor in ids}
        assert [names[a] for a in ids[:4]] == ["@zoe", "Alice", "La Fabrik", "mila"]
        assert names[unknown[0]] == "ailleurs0.example"
        assert await names_of(store.reads, []) == {}
    finally:
        await store.close()

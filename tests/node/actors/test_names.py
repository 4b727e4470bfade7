"""An actor's name as pages show it: never blank."""

from __future__ import annotations

from pathlib import Path

from node.actors import local
from node.actors.names import display_name
from node.config import NodeConfig
from node.store import Store


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

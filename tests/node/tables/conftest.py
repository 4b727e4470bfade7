"""A node's SQLite file, opened with every table, for the owner modules' own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from node.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store(tmp_path / "node.sqlite3").open()
    yield opened
    await opened.close()

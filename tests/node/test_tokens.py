"""Bearer tokens: the one check every owner-only route makes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from node import tokens
from node.errors import AuthError, ForbiddenError
from node.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store(tmp_path / "node.sqlite3").open()
    async with opened.write() as db:  # a token belongs to an account: two bare ones suffice
        for handle in ("lieu", "alice"):
            await db.execute(
                "INSERT INTO local_actors (handle, id, type, name, rsa_private_pem,"
                " ed25519_private_pem, created_at) VALUES (?, ?, 'Person', ?, '', '', 0)",
                (handle, f"https://lieu.example/actors/{handle}", handle),
            )
    yield opened
    await opened.close()


async def test_the_owners_token_passes(store: Store) -> None:
    token = await tokens.issue(store, "lieu")
    await tokens.require(store, f"Bearer {token}", "lieu")


async def test_no_token_is_401_and_another_accounts_is_403_in_french(store: Store) -> None:
    with pytest.raises(AuthError):
        await tokens.require(store, None, "lieu")
    alice = await tokens.issue(store, "alice")
    with pytest.raises(ForbiddenError) as refused:
        await tokens.require(store, f"Bearer {alice}", "lieu")
    assert refused.value.status == 403
    assert "interlieux token --actor lieu" in refused.value.message("fr")


async def test_a_route_says_who_may_and_an_owner_that_is_not_there_refuses_all(
    store: Store,
) -> None:
    alice = await tokens.issue(store, "alice")
    with pytest.raises(ForbiddenError) as refused:
        await tokens.require(store, f"Bearer {alice}", None, fr="Seule l'équipe.", en="Team.")
    assert refused.value.message("fr") == "Seule l'équipe."
    assert refused.value.message("en") == "Team."

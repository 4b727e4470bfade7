"""A node backed up while it serves, restored into an empty folder, served again: the same
actor, the same keys, the same books."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from .network import AS_JSON, LocalPlace


def snapshot(place: LocalPlace) -> dict[str, Any]:
    """What the world and the team see of a node: actor documents (keys included) over HTTP,
    the books through the CLI."""

    def actor(handle: str) -> Any:
        return httpx.get(place.actor_id(handle), headers={"accept": AS_JSON}, timeout=10).json()

    def cli(*args: str) -> str:
        return place.cli(*args, "--data", str(place.data)).stdout

    host = place.base_url.removeprefix("http://")
    return {
        "place": actor(place.handle),
        "alice": actor("alice"),
        "webfinger": httpx.get(
            f"{place.base_url}/.well-known/webfinger",
            params={"resource": f"acct:alice@{host}"},
            timeout=10,
        ).json(),
        "balances": json.loads(cli("ledger", "--json")),
        "entries": cli("ledger", "--csv"),
        "credit": json.loads(cli("credit", "statement", "--account", "metropole", "--json")),
    }


def test_backup_of_a_running_node_restores_the_same_node(tmp_path: Path) -> None:
    original = LocalPlace(tmp_path / "avant", "coroutine", "La Coroutine").init()
    original.add_member("alice", "Alice Martin")
    original.start()
    try:
        for amount in ("50.00", "25.50"):  # ledger entries written beside the running server
            original.cli("credit", "sell", "--data", str(original.data), "--account",
                         "metropole", "--member", "alice", "--amount", amount)  # fmt: skip
        before = snapshot(original)
        archive = tmp_path / "coroutine.tar.gz"
        said = original.cli("backup", "--data", str(original.data), "--out", str(archive))
        assert "Sauvegarde de" in said.stdout
    finally:
        original.stop()

    # Another machine: an empty folder, the same base URL (the node's ids do not change).
    restored = LocalPlace(tmp_path / "apres", "coroutine", "La Coroutine", port=original.port)
    said = restored.cli("restore", "--data", str(restored.data), "--from", str(archive))
    assert "restauré" in said.stdout
    restored.start()
    try:
        after = snapshot(restored)
    finally:
        restored.stop()

    assert after == before
    assert after["place"]["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert after["credit"]["uses"][-1]["remaining"] == "75.50"
    assert restored.private_key_pem("coroutine") == original.private_key_pem("coroutine")

"""A bovine-herd user's and admin's actions, run by the third-party venv's Python.

Usage (cwd = the server's workdir, ``BOVINE_DB_URL`` pointing at its database)::

    python bovine_ctl.py register --domain http://127.0.0.1:8501 --name alice
    python bovine_ctl.py --domain URL --secret SECRET follow ACTOR_ID
    python bovine_ctl.py --domain URL --secret SECRET undo-follow ACTOR_ID
    python bovine_ctl.py --domain URL --secret SECRET note "text"
    python bovine_ctl.py --domain URL --secret SECRET accept
    python bovine_ctl.py --domain URL --secret SECRET {actor,inbox,outbox,followers,following}

Each command prints one JSON document on stdout (logs go to stderr).

* ``register`` is what the admin tool does: ``python -m bovine_tool.register NAME
  --domain URL`` followed by ``python -m bovine_tool.manage BOVINE_NAME --new_did_key``
  (same ``InlineBovineStore`` calls, in one process, so that we get the result as JSON
  instead of parsing prints).
* Every other command is a real client-to-server request, exactly as a bovine user's
  client makes it: ``bovine.BovineClient`` authenticates with Moo-Auth-1 (an Ed25519
  signature by the did:key registered above), POSTs activities to the actor's outbox,
  and reads collections through the actor's ``proxyUrl`` endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bovine_common import seed_jsonld_contexts

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def register(domain: str, name: str) -> dict[str, Any]:
    from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key
    from bovine_tool.store import InlineBovineStore

    async with InlineBovineStore(domain=domain) as store:
        bovine_name = await store.register(name)
        secret = generate_ed25519_private_key()
        did_key = private_key_to_did_key(secret)
        await store.add_identity_string_to_actor(bovine_name, "key-from-tool", did_key)
        actor = await store.actor_for_name(bovine_name)
        assert actor is not None
        actor_id = actor.actor_object.id
        # BovineStoreActor.from_database opened an aiohttp session we do not use.
        await actor.session.close()

    host = domain.split("://", 1)[-1]
    return {
        "bovine_name": bovine_name,
        "actor_id": actor_id,
        "handle": f"{name}@{host}",
        "secret": secret,
        "did_key": did_key,
    }


async def _collect(client: Any, collection_id: str, resolve: bool) -> list[Any]:
    return [item async for item in client.collection_helper(collection_id, resolve=resolve)]


def _object_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


async def _send(client: Any, activity: dict[str, Any]) -> dict[str, Any]:
    response = await client.send_to_outbox(activity)
    body = await response.text()
    if response.status >= 400:
        raise RuntimeError(f"outbox POST refused: {response.status} {body}")
    return {"status": response.status, "location": response.headers.get("location")}


async def client_command(domain: str, secret: str, command: str, args: list[str]) -> Any:
    from bovine import BovineClient

    async with BovineClient(domain=domain, secret=secret) as client:
        info = client.information
        activities, objects = client.factories
        if command == "actor":
            return info
        if command in ("inbox", "outbox"):
            return await _collect(client, info[command], resolve=True)
        if command in ("followers", "following"):
            items = await _collect(client, info[command], resolve=False)
            return [_object_id(x) for x in items]
        if command == "follow":
            (target,) = args
            return await _send(client, activities.follow(target).build())
        if command == "undo-follow":
            (target,) = args
            outbox = await _collect(client, info["outbox"], resolve=True)
            follows = [
                x
                for x in outbox
                if isinstance(x, dict)
                and x.get("type") == "Follow"
                and _object_id(x.get("object")) == target
            ]
            if not follows:
                raise RuntimeError(f"no Follow of {target} in the outbox")
            # The proxy returns the Follow compacted with bovine's own context; the
            # Undo carries its id only, addressed like the Follow.
            follow = follows[-1]
            undo = activities.undo(
                {"id": follow["id"], "actor": info["id"], "to": [target]}
            ).build()
            return await _send(client, undo)
        if command == "note":
            (text,) = args
            note = objects.note(content=text).as_public().build()
            return await _send(client, activities.create(note).build())
        if command == "accept":
            return await accept_pending(client, info)
        raise SystemExit(f"unknown command {command}")


async def accept_pending(client: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """Accept every Follow of this actor that is in its inbox and not yet accepted.

    bovine-herd never answers a Follow by itself (bovine_process.incoming has no
    Follow handler): the user's client must POST an Accept to the outbox, whose side
    effect (bovine_process.outgoing.following.accept_follow) adds the follower.
    """
    inbox = await _collect(client, info["inbox"], resolve=True)
    outbox = await _collect(client, info["outbox"], resolve=True)
    accepted = {
        _object_id(x.get("object"))
        for x in outbox
        if isinstance(x, dict) and x.get("type") == "Accept"
    }
    results = []
    activities = client.activity_factory
    for item in inbox:
        if not isinstance(item, dict) or item.get("type") != "Follow":
            continue
        if _object_id(item.get("object")) != info["id"] or item.get("id") in accepted:
            continue
        follow = {"id": item["id"], "actor": _object_id(item.get("actor"))}
        sent = await _send(client, activities.accept(follow).build())
        accepted.add(item["id"])
        results.append({"follow": item["id"], "actor": follow["actor"], **sent})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--domain", help="http://127.0.0.1:PORT of the bovine server")
    parser.add_argument("--secret", help="Moo-Auth-1 Ed25519 secret of the user")
    parser.add_argument("--name", help="handle name, for register")
    parser.add_argument("command")
    parser.add_argument("args", nargs="*")
    ns = parser.parse_args()

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    seed_jsonld_contexts()

    if ns.command == "register":
        result = asyncio.run(register(ns.domain, ns.name))
    else:
        result = asyncio.run(client_command(ns.domain, ns.secret, ns.command, ns.args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

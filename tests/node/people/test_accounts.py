"""Accounts, roles, sessions and invitations through the domain functions: the rules that the
pages rely on (hashing, expiry, revocation, one use)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from node.actors import local
from node.config import NodeConfig
from node.errors import ConfigError, InvalidParameter, NotFoundError, RateLimited
from node.limits import Limits, Rate, Throttles
from node.people import accounts, csrf, invitations, sessions
from node.store import Store
from node.tokens import token_hash

PASSWORD = "une phrase assez longue"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    config = NodeConfig(data_dir=tmp_path, base_url="http://127.0.0.1:9", name="Pop",
                        handle="pop")  # fmt: skip
    opened = await Store(config.database).open()
    async with opened.write() as db:
        await local.create(db, config, "pop", "Pop", "Organization")
        await local.create(db, config, "alice", "Alice", "Person")
    yield opened
    await opened.close()


async def joined(store: Store, password: str = PASSWORD) -> str:
    token, _ = await invitations.invite(store, "alice")
    return await invitations.accept(store, token, password, password)


def test_roles_include_the_ones_below_them() -> None:
    assert accounts.parse_roles("admin, team") == {"admin", "team"}
    assert accounts.parse_roles("") == frozenset()
    assert accounts.held(frozenset({"team"})) == {"team", "door", "member"}
    assert accounts.holds(frozenset({"admin"}), "door")
    assert not accounts.holds(frozenset({"door"}), "team")
    assert accounts.holds(frozenset(), "member")
    with pytest.raises(ConfigError) as refused:
        accounts.parse_roles("team,boss")
    assert "Rôle inconnu : boss" in refused.value.fr


def test_a_password_must_be_long_enough_and_typed_twice_alike() -> None:
    with pytest.raises(InvalidParameter, match="short"):
        accounts.check_password("court", "court")
    with pytest.raises(InvalidParameter, match="differ"):
        accounts.check_password(PASSWORD, PASSWORD + "!")
    with pytest.raises(InvalidParameter, match="long"):
        accounts.check_password("x" * 300, "x" * 300)
    assert accounts.check_password(PASSWORD, PASSWORD) == PASSWORD


async def test_the_password_is_kept_as_an_argon2id_hash(store: Store) -> None:
    assert await joined(store) == "alice"
    row = await accounts.accounts.by_handle(store.reads, "alice")
    assert row is not None and str(row["password_hash"]).startswith("$argon2id$")
    assert PASSWORD not in str(row["password_hash"])
    assert await accounts.verify(store, "alice", PASSWORD) is not None
    assert await accounts.verify(store, "alice", PASSWORD + "x") is None


async def test_unknown_accounts_cost_the_same_argon2_work_as_a_wrong_password(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await invitations.invite(store, "alice")  # an account without a password yet
    verified: list[str] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        verified.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for handle in ("nobody", "alice", None):
        assert await accounts.verify(store, handle, PASSWORD) is None
    assert len(verified) == 3 and all(h.startswith("$argon2id$") for h in verified)


async def test_an_old_hash_is_replaced_by_a_stronger_one_at_sign_in(store: Store) -> None:
    await joined(store)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with store.write() as db:
        await accounts.accounts.set_password(db, "alice", weak, time.time())
    assert await accounts.verify(store, "alice", PASSWORD) is not None
    row = await accounts.accounts.by_handle(store.reads, "alice")
    assert row is not None and row["password_hash"] != weak
    assert not accounts.hasher().check_needs_rehash(str(row["password_hash"]))


async def test_a_session_ends_when_idle_too_long_or_at_its_absolute_end(store: Store) -> None:
    await joined(store)
    session = await sessions.open_session(store, "alice", "Firefox")
    start = session.created_at
    assert len(session.token) >= 43  # 256 bits, base64url
    assert (await sessions.resolve(store, session.token, start + 10)) is not None
    assert await sessions.resolve(store, session.token, start + sessions.IDLE + 1) is None
    assert await sessions.resolve(store, session.token, start + 1) is None  # closed for good

    kept = await sessions.open_session(store, "alice")
    now = kept.created_at
    while now - kept.created_at < sessions.ABSOLUTE - sessions.IDLE:  # visited every 20 days
        now += 20 * 86400
        assert await sessions.resolve(store, kept.token, now) is not None, now
    assert await sessions.resolve(store, kept.token, kept.created_at + sessions.ABSOLUTE) is None


async def test_sessions_are_kept_hashed_and_can_be_closed(store: Store) -> None:
    await joined(store)
    one = await sessions.open_session(store, "alice")
    two = await sessions.open_session(store, "alice")
    row = await sessions.sessions.open_by_hash(store.reads, token_hash(one.token))
    assert row is not None and one.token not in tuple(str(v) for v in row)
    await sessions.close(store, one)
    assert await sessions.resolve(store, one.token) is None
    assert await sessions.resolve(store, two.token) is not None
    assert await sessions.close_all(store, "alice") == 1
    assert await sessions.resolve(store, two.token) is None
    assert await sessions.resolve(store, "forged") is None


async def test_an_invitation_serves_once_and_a_newer_one_replaces_it(store: Store) -> None:
    first, invitation = await invitations.invite(store, "alice", frozenset({"team"}))
    assert invitation.purpose == invitations.JOIN
    assert invitation.expires_at - time.time() == pytest.approx(invitations.VALID, abs=60)
    second, _ = await invitations.invite(store, "alice")
    assert await invitations.find(store, first) is None  # replaced
    await invitations.accept(store, second, PASSWORD, PASSWORD)
    with pytest.raises(NotFoundError) as gone:
        await invitations.accept(store, second, PASSWORD, PASSWORD)
    assert "déjà servi" in gone.value.fr
    account = await accounts.find(store.reads, "alice")
    assert account is not None and account.roles == {"team"}  # roles kept by a later link


async def test_an_expired_invitation_no_longer_serves(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = await invitations.invite(store, "alice")
    later = time.time() + invitations.VALID + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert await invitations.find(store, token) is None
    with pytest.raises(NotFoundError):
        await invitations.accept(store, token, PASSWORD, PASSWORD)


async def test_a_link_for_an_account_with_a_password_resets_it_and_signs_out_everywhere(
    store: Store,
) -> None:
    await joined(store)
    session = await sessions.open_session(store, "alice")
    token, invitation = await invitations.invite(store, "alice")
    assert invitation.purpose == invitations.RESET
    await invitations.accept(store, token, "une toute autre phrase", "une toute autre phrase")
    assert await sessions.resolve(store, session.token) is None
    assert await accounts.verify(store, "alice", PASSWORD) is None
    assert await accounts.verify(store, "alice", "une toute autre phrase") is not None


async def test_only_local_people_are_invited(store: Store) -> None:
    for handle in ("pop", "nobody"):
        with pytest.raises(NotFoundError):
            await invitations.invite(store, handle)


def test_the_csrf_token_is_bound_to_the_session_and_forms_come_from_the_site() -> None:
    assert csrf.for_session("a") == csrf.for_session("a") != csrf.for_session("b")
    assert not csrf.matches(csrf.for_session("a"), None)
    assert not csrf.matches(None, "")
    base = "https://popcafe.example"
    assert csrf.same_origin(None, base) and csrf.same_origin("https://popcafe.example", base)
    for other in ("https://evil.example", "null", "http://popcafe.example"):
        assert not csrf.same_origin(other, base)


def test_failed_sign_ins_are_throttled_per_account_and_per_address() -> None:
    now = [0.0]
    throttles = Throttles(
        Limits(signin_per_account=Rate(3, 1), signin_per_address=Rate(5, 1)), lambda: now[0]
    )
    for _ in range(3):
        throttles.signin("alice", "10.0.0.1")
        throttles.signin_failed("alice", "10.0.0.1")
    with pytest.raises(RateLimited) as refused:
        throttles.signin("alice", "10.0.0.2")  # another address: the account is held
    assert refused.value.retry_after == 60 and "réessayez dans 60 s" in refused.value.fr
    for name in ("bob", "carol"):  # other accounts from the same address, up to its limit
        throttles.signin(name, "10.0.0.1")
        throttles.signin_failed(name, "10.0.0.1")
    with pytest.raises(RateLimited):
        throttles.signin("dan", "10.0.0.1")
    throttles.signin("dan", "10.0.0.3")
    now[0] += 60
    throttles.signin("alice", "10.0.0.2")  # a try again a minute later


def test_development_nodes_on_one_host_keep_their_own_cookies() -> None:
    # Browsers share cookies across ports: two loopback nodes must not overwrite each other's.
    assert sessions.cookie_name("http://localhost:8001") != sessions.cookie_name(
        "http://localhost:8002"
    )
    assert csrf.form_cookie("http://localhost:8001") != csrf.form_cookie("http://localhost:8002")
    assert sessions.cookie_name("https://coroutine.example") == "__Host-session"
    assert csrf.form_cookie("https://coroutine.example") == "form_csrf"

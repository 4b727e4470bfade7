"""Sending a one-time link by SMTP, to a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
from email.message import Message

import pytest

from node.errors import ConfigError
from node.people import mail
from tests.node.people.smtp_server import free_port, smtp_server

LINK = "http://127.0.0.1:9/invitation/abc"


def body(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode()


def test_the_link_arrives_french_first() -> None:
    with smtp_server() as server:
        smtp = mail.Smtp("127.0.0.1", server.port, starttls=False, sender="lieu@coroutine.test")
        message = mail.link_message(smtp, "La Coroutine", "alice@example.org", LINK, "09/12/2026")
        assert asyncio.run(mail.send(smtp, message)) is True
    [got] = server.received
    assert got["To"] == "alice@example.org" and "lieu@coroutine.test" in got["From"]
    assert "bienvenue" in str(got["Subject"])
    text = body(got)
    assert LINK in text and text.index("Bonjour") < text.index("Welcome")


def test_sending_fails_without_raising() -> None:
    smtp = mail.Smtp("127.0.0.1", free_port(), starttls=False, sender="lieu@coroutine.test")
    message = mail.link_message(smtp, "La Coroutine", "alice@example.org", LINK, "demain")
    assert asyncio.run(mail.send(smtp, message)) is False
    assert asyncio.run(mail.send(None, message)) is False


def test_node_json_settings() -> None:
    assert mail.Smtp.from_config(None) is None and mail.Smtp.from_config({}) is None
    smtp = mail.Smtp.from_config({"host": "smtp.example.org", "from": "lieu@example.org",
                                  "user": "u", "password": "p"})  # fmt: skip
    assert smtp == mail.Smtp("smtp.example.org", 587, True, "u", "p", "lieu@example.org")
    for bad in ({"host": "x"}, {"host": "x", "from": "a@b", "port": "25"},
                {"host": "x", "from": "a@b", "tls": True}, {"from": "a@b"}):  # fmt: skip
        with pytest.raises(ConfigError):
            mail.Smtp.from_config(bad)


def test_what_looks_like_an_address() -> None:
    assert mail.looks_like_address("alice@example.org")
    assert not mail.looks_like_address("06 12 34 56 78")
    assert not mail.looks_like_address("alice@localhost")
    assert not mail.looks_like_address("a b@example.org")

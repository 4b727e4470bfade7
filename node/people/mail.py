"""Sending a member their one-time link by e-mail, when the place configured an SMTP server.

No e-mail server is assumed: without `node.json`'s `smtp`, or when sending fails, the team's
page shows the link to hand over as before (a link is never lost to a failed mail). With it:

    "smtp": {"host": "smtp.example.org", "port": 587, "starttls": true,
             "user": "lieu@example.org", "password": "…", "from": "lieu@example.org"}

`smtplib` blocks: a message is sent in a thread (`asyncio.to_thread`), bounded by `TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from ..errors import ConfigError

log = logging.getLogger(__name__)

TIMEOUT = 20.0  # seconds for the SMTP conversation: the team's page waits on it
DEFAULT_PORT = 587  # submission, with STARTTLS
KEYS = {"host", "port", "starttls", "user", "password", "from"}


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = DEFAULT_PORT
    starttls: bool = True
    user: str = ""
    password: str = ""
    sender: str = ""  # node.json's "from"

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Smtp | None:
        """`node.json`'s `smtp`, or None when absent (pure); a value we cannot take is a
        ConfigError said when the node starts."""
        if not raw:
            return None
        unknown = set(raw) - KEYS
        host, port, starttls = raw.get("host"), raw.get("port", DEFAULT_PORT), raw.get(
            "starttls", True)  # fmt: skip
        user, password, sender = raw.get("user", ""), raw.get("password", ""), raw.get("from")
        if unknown:
            raise _bad(f"unknown key(s) {', '.join(sorted(unknown))} (known: "
                       f"{', '.join(sorted(KEYS))})")  # fmt: skip
        if not isinstance(host, str) or not host:
            raise _bad("'host' must name the SMTP server")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise _bad("'port' must be a port number")
        if not isinstance(starttls, bool):
            raise _bad("'starttls' must be true or false")
        if not isinstance(user, str) or not isinstance(password, str):
            raise _bad("'user' and 'password' must be texts")
        if not isinstance(sender, str) or "@" not in sender:
            raise _bad("'from' must be the address messages are sent from")
        return cls(host, port, starttls, user, password, sender)


def _bad(log_text: str) -> ConfigError:
    return ConfigError(
        f"node.json smtp: {log_text}",
        fr=f"node.json, « smtp » : {log_text}. Corrigez la valeur, ou retirez « smtp » (les "
        "liens sont alors remis à la main).",
        en=f"node.json, 'smtp': {log_text}. Fix the value, or remove 'smtp' (links are then "
        "handed over by hand).",
    )


def looks_like_address(text: str) -> bool:
    """An e-mail address as far as sending to it goes: one @, a dot after it, no spaces or
    line breaks (pure; a phone number is not one)."""
    name, at, domain = text.strip().rpartition("@")
    return bool(at and name and "." in domain and not any(c.isspace() for c in text.strip()))


def link_message(
    smtp: Smtp, place: str, to: str, link: str, until: str, reset: bool = False
) -> EmailMessage:
    """The message carrying a one-time link, French first then English (pure)."""
    message = EmailMessage()
    message["From"] = formataddr((place, smtp.sender))
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    if reset:
        message["Subject"] = f"{place} : votre lien pour choisir un nouveau mot de passe"
        fr = "Voici votre lien pour choisir un nouveau mot de passe"
        en = "Here is your link to choose a new password"
    else:
        message["Subject"] = f"{place} : bienvenue, votre lien pour rejoindre le lieu"
        fr = "Bienvenue ! Voici votre lien pour choisir votre mot de passe et rejoindre le lieu"
        en = "Welcome! Here is your link to choose your password and join the place"
    message.set_content(
        f"Bonjour,\n\n{fr} « {place} » :\n\n{link}\n\n"
        f"Il ne sert qu'une fois, jusqu'au {until}. Ne le transmettez à personne : il ouvre "
        "votre compte. Si vous n'avez rien demandé, ignorez ce message.\n\n"
        f"L'équipe de {place}\n\n-- \n\n{en} '{place}':\n\n{link}\n\n"
        f"It works once, until {until}. Do not pass it on: it opens your account. If you did "
        "not ask for anything, ignore this message.\n"
    )
    return message


def _send(smtp: Smtp, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(message)


async def send(smtp: Smtp | None, message: EmailMessage) -> bool:
    """Send the message; False when SMTP is not configured or sending failed (logged, the
    caller then shows the link to hand over)."""
    if smtp is None:
        return False
    try:
        await asyncio.to_thread(_send, smtp, message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("sending mail to %s through %s:%s failed: %s", message["To"], smtp.host,
                    smtp.port, error)  # fmt: skip
        return False
    return True

"""A node's settings: where it lives on disk and the URL it answers at."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .limits import Limits
from .people.mail import Smtp

CONFIG_FILE = "node.json"
DATABASE_FILE = "interlieux.sqlite3"
HANDLE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# Where `serve` listens when the base URL is https: on this machine only, behind the reverse proxy
# that holds the certificate (Caddy, nginx). 8000 is uvicorn's own default and the image's port.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_TIMEZONE = "Europe/Paris"  # where most places of the network are
# Claims this place receives (issue 10, visits a peer cannot invent). A visit is paid only if the
# visited place reported it within this many hours of the tap: long enough for a door or a node
# offline over a weekend, short enough that visits made up at the end of the month and dated
# back are refused.
DEFAULT_CLAIM_REPORT_WINDOW_HOURS = 48.0
# One paid visit per grant per place within this many hours: further taps are the same stay.
DEFAULT_CLAIM_VISIT_SPACING_HOURS = 4.0


def graph_dir(database: Path) -> Path:
    """Where the knowledge graph of the node whose database is `database` lives (an Oxigraph
    store and its bookkeeping): beside the database, rebuilt from it whenever it is missing,
    so a backup leaves it out."""
    return database.with_name(database.name + ".graph")


@dataclass(frozen=True)
class NodeConfig:
    data_dir: Path
    base_url: str  # no trailing slash
    name: str
    handle: str  # the place's own actor
    # The place's IANA time zone: its events' default `timezone`, and the VTIMEZONE of its
    # calendars. Absent from older node.json files, hence the default.
    timezone: str = DEFAULT_TIMEZONE
    # Rate limits changed from their defaults (`node/limits.py`): absent from most files.
    limits: dict[str, Any] = field(default_factory=dict)
    # What this place pays for in the claims it receives (see the defaults above); absent from
    # older node.json files, hence the defaults. `interlieux claims rules` changes them.
    claim_report_window_hours: float = DEFAULT_CLAIM_REPORT_WINDOW_HOURS
    claim_visit_spacing_hours: float = DEFAULT_CLAIM_VISIT_SPACING_HOURS
    # The SMTP server that sends members their one-time links (`node/people/mail.py`): absent
    # from most files (the team hands links over by hand).
    smtp: dict[str, Any] = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def host(self) -> str:
        """The authority as it appears in `Host` headers and WebFinger (`host[:port]`)."""
        return urlsplit(self.base_url).netloc

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.base_url).hostname or "")

    def actor_id(self, handle: str) -> str:
        return f"{self.base_url}/actors/{handle}"

    @property
    def place_id(self) -> str:
        return self.actor_id(self.handle)

    @property
    def rate_limits(self) -> Limits:
        return Limits.from_config(self.limits)

    @property
    def mail(self) -> Smtp | None:
        return Smtp.from_config(self.smtp)

    def is_local(self, url: str) -> bool:
        return url == self.base_url or url.startswith(self.base_url + "/")

    def save(self) -> None:
        data = asdict(self)
        del data["data_dir"]
        if not data["limits"]:
            del data["limits"]
        if not data["smtp"]:
            del data["smtp"]
        (self.data_dir / CONFIG_FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, data_dir: Path) -> NodeConfig:
        path = data_dir / CONFIG_FILE
        if not path.is_file():
            raise ConfigError(
                f"no node at {data_dir}",
                fr=f"Aucun nœud dans {data_dir} : créez-le avec "
                f"« interlieux init --data {data_dir} » ou vérifiez le chemin donné à --data.",
                en=f"No node in {data_dir}: create it with 'interlieux init --data {data_dir}'"
                " or check the --data path.",
            )
        data = json.loads(path.read_text())
        check_timezone(str(data.get("timezone", DEFAULT_TIMEZONE)))
        Limits.from_config(data.get("limits"))
        Smtp.from_config(data.get("smtp"))
        config = cls(data_dir=data_dir, **data)
        check_claim_rules(config.claim_report_window_hours, config.claim_visit_spacing_hours)
        return config


def listen_address(config: NodeConfig, host: str | None, port: int | None) -> tuple[str, int]:
    """Where `serve` listens: `--host`/`--port` when given; else, for an `http://` loopback base
    URL (development, tests, the demo), the base URL's own host and port, since no proxy sits
    in front; else 127.0.0.1:8000 for the reverse proxy. Never the base URL's https port: plain
    HTTP on :443 answers no one."""
    parts = urlsplit(config.base_url)
    if parts.scheme == "http" and config.is_loopback:
        return host or parts.hostname or DEFAULT_HOST, port or parts.port or 80
    return host or DEFAULT_HOST, port or DEFAULT_PORT


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """`https://…`, or `http://…` on a loopback host only, with no path, query or fragment."""
    url = url.rstrip("/")
    parts = urlsplit(url)
    loopback = is_loopback_host(parts.hostname or "")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ConfigError(
            f"base URL {url!r} must be https (http only on a loopback host)",
            fr=f"L'adresse {url} doit commencer par https:// (http:// n'est permis que pour "
            "127.0.0.1, localhost ou [::1], en développement).",
            en=f"The address {url} must start with https:// (http:// is only allowed on "
            "127.0.0.1, localhost or [::1], for development).",
        )
    if not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ConfigError(
            f"base URL {url!r} must be scheme://host[:port] only",
            fr=f"L'adresse {url} doit être de la forme https://nom-du-lieu.exemple, "
            "sans chemin ni paramètres.",
            en=f"The address {url} must look like https://place.example, with no path.",
        )
    return url


def check_handle(handle: str) -> str:
    if not HANDLE_PATTERN.match(handle):
        raise ConfigError(
            f"invalid handle {handle!r}",
            fr=f"L'identifiant « {handle} » n'est pas valable : lettres minuscules, chiffres, "
            "« _ », « . » ou « - », 64 caractères au plus, en commençant par une lettre ou "
            "un chiffre.",
            en=f"The handle '{handle}' is not valid: lower-case letters, digits, '_', '.' or '-', "
            "at most 64 characters, starting with a letter or digit.",
        )
    return handle


def check_timezone(name: str) -> str:
    """An IANA zone the calendars can describe (a made-up TZID breaks calendar clients)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}",
            fr=f"Fuseau horaire « {name} » inconnu dans node.json : indiquez un nom IANA, "
            "par exemple « Europe/Paris » ou « America/Cayenne ».",
            en=f"Unknown time zone '{name}' in node.json: give an IANA name such as "
            "'Europe/Paris' or 'America/Cayenne'.",
        ) from None
    return name


def check_claim_rules(report_window_hours: float, visit_spacing_hours: float) -> None:
    """A report window of some hours at least (a door reports within seconds when online), a
    spacing of zero (no limit) or more."""
    if not (isinstance(report_window_hours, int | float) and report_window_hours >= 1):
        raise ConfigError(
            f"claim report window {report_window_hours!r} h is not at least 1 hour",
            fr=f"Délai de signalement des passages « {report_window_hours} » h : il faut au "
            "moins 1 heure (48 par défaut).",
            en=f"Visit report window '{report_window_hours}' h: it must be at least 1 hour "
            "(48 by default).",
        )
    if not (isinstance(visit_spacing_hours, int | float) and visit_spacing_hours >= 0):
        raise ConfigError(
            f"claim visit spacing {visit_spacing_hours!r} h is negative",
            fr=f"Écart entre deux passages payés « {visit_spacing_hours} » h : il faut un nombre "
            "d'heures positif ou nul (0 : sans limite ; 4 par défaut).",
            en=f"Spacing between paid visits '{visit_spacing_hours}' h: it must be zero (no "
            "limit) or more (4 by default).",
        )


def tuning(name: str, default: float) -> float:
    """A timing knob read from the environment (`INTERLIEUX_<NAME>`): tests shorten retries."""
    raw = os.environ.get(f"INTERLIEUX_{name.upper()}")
    return float(raw) if raw else default

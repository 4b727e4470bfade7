"""Third-party ActivityPub server for the federation tests: bovine-herd, run on loopback.

See ``server.py`` for the API and ``README.md`` for why bovine-herd and what was checked.
"""

from .server import (
    PUBLIC,
    PUBLIC_FORMS,
    SERVER_NAME,
    SERVER_VERSION,
    BovineUser,
    ThirdPartyError,
    ThirdPartyServer,
    ensure_installed,
    http_get,
    is_public,
    object_id,
    venv_dir,
    venv_python,
    wait_until,
)

__all__ = [
    "PUBLIC",
    "PUBLIC_FORMS",
    "SERVER_NAME",
    "SERVER_VERSION",
    "BovineUser",
    "ThirdPartyError",
    "ThirdPartyServer",
    "ensure_installed",
    "http_get",
    "is_public",
    "object_id",
    "venv_dir",
    "venv_python",
    "wait_until",
]

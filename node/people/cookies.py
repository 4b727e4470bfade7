"""The names of the node's cookies, one rule for all of them (pure).

On an https node a cookie set for the whole site (`Path=/`, `Secure`) takes the `__Host-`
prefix: browsers then refuse it from a subdomain or over plain http. A cookie scoped to one
path (a form's double-submit token, an IndieAuth flow's state) cannot have the prefix and keeps
its stem. A plain-http node is a development one on a loopback host, where several nodes differ
only by port and browsers share cookies across ports: the port goes into the name, so signing
in at one node does not sign out of another.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def cookie_name(stem: str, base_url: str, *, whole_site: bool) -> str:
    """`__Host-<stem>` (`whole_site`) or `<stem>` on https; `<stem>-<port>` on plain http."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return f"__Host-{stem}" if whole_site else stem
    return f"{stem}-{parts.port}" if parts.port else stem

"""Signing a test's client in as a member of an in-process place, the way a browser does it
(the team's invitation link, then a password), for the pages of the member's and the team's
spaces."""

from __future__ import annotations

import contextlib
import io
import re

import httpx

from node.cli import main as cli
from tests.node.conftest import InProcessNode

PASSWORD = "une phrase assez longue"
HTML = {"accept": "text/html"}


def run(*args: str) -> str:
    """An `interlieux` command's output (it must succeed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(list(args)) == 0
    return out.getvalue()


def form_token(page: httpx.Response) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in_as(place: InProcessNode, handle: str = "alice", roles: str = "") -> str:
    """Create `handle` (holding `roles`, e.g. "team" or "admin,door") if need be, sign the
    place's client in as them, and return the CSRF token their forms carry."""
    more = ("--name", handle.capitalize()) + (("--role", roles) if roles else ())
    out = run("member", "invite", "--data", str(place.config.data_dir), "--handle", handle, *more)
    path = out.strip().splitlines()[-1].removeprefix(place.config.base_url)
    page = place.client.get(path, headers=HTML)
    data = {"csrf": form_token(page), "password": PASSWORD, "confirmation": PASSWORD}
    answer = place.client.post(path, data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return form_token(place.client.get("/moi", headers=HTML))

"""The errors a node raises, each with a message a place's team can act on.

    InterlieuxError                 `log` for logs, `fr`/`en` for people, `status` for HTTP
    ├── ConfigError                 the data folder or a setting is wrong (CLI, start-up)
    ├── AuthError                   a bearer token is missing, unknown or revoked (401)
    ├── ForbiddenError              the caller may not do this (403)
    │   └── VoteRefused             a vote after the close, from a non-member, or malformed
    ├── NotFoundError               no such actor, object or activity (404)
    ├── InvalidActivity             malformed JSON or activity (400)
    ├── InvalidParameter            a query parameter is malformed or out of range (400)
    │   └── InvalidField            a form's value is wrong; `field` names the input to fix
    ├── PayloadTooLarge             body over the size limit (413)
    ├── RateLimited                 a sender over its rate limit (429, with Retry-After)
    ├── RequestTimeout              the client did not send its request in time (408)
    └── FederationError             talking to another server went wrong
        ├── SignatureError          an HTTP signature is missing, malformed or does not verify (401)
        ├── FetchError              a remote document could not be fetched or was refused
        │   └── UnsafeAddress       the target resolves to an address a node must not reach
        └── DeliveryError           a POST to a remote inbox failed (the queue retries it)

Errors from httpx, cryptography and sqlite are translated at the boundary, with `from exc`.
"""

from __future__ import annotations


class InterlieuxError(Exception):
    """Base of every error the node raises on purpose."""

    status = 500

    def __init__(self, log: str, fr: str | None = None, en: str | None = None) -> None:
        super().__init__(log)
        self.log = log
        self.fr = fr or log
        self.en = en or log

    def message(self, lang: str = "fr") -> str:
        return self.en if lang.startswith("en") else self.fr

    @property
    def headers(self) -> dict[str, str]:
        """Headers the HTTP answer carries besides the message (none but for a few)."""
        return {}


class ConfigError(InterlieuxError):
    """The data folder, a command-line value or a setting is wrong."""

    status = 400


class AuthError(InterlieuxError):
    """A bearer token is missing, unknown or revoked."""

    status = 401


class ForbiddenError(InterlieuxError):
    """The caller is known but may not do this."""

    status = 403


class VoteRefused(ForbiddenError):
    """A network refuses a vote; `reason` is the word the decision's tally lists it under."""

    def __init__(self, log: str, *, reason: str, fr: str, en: str) -> None:
        super().__init__(log, fr=fr, en=en)
        self.reason = reason


class NotFoundError(InterlieuxError):
    """No such actor, object or activity on this node."""

    status = 404


class InvalidActivity(InterlieuxError):
    """The body is not JSON, or not an activity this node can take."""

    status = 400


class InvalidParameter(InterlieuxError):
    """A query parameter is malformed or out of range."""

    status = 400


class InvalidField(InvalidParameter):
    """A value typed in a form is wrong; `field` names the input to fix (a page links to it
    and marks it)."""

    def __init__(self, log: str, *, field: str, fr: str, en: str) -> None:
        super().__init__(log, fr=fr, en=en)
        self.field = field


def too_long(limit: int, fr: str, en: str, feminine: bool = False) -> InvalidParameter:
    """A typed text over its limit, named as the form names it ("Le titre", "The title")."""
    return InvalidParameter(
        f"{en.lower()} too long",
        fr=f"{fr} dépasse {limit} caractères : raccourcissez-{'la' if feminine else 'le'}.",
        en=f"{en} is longer than {limit} characters: shorten it.",
    )


class PayloadTooLarge(InterlieuxError):
    """The body is over the size limit."""

    status = 413


class RateLimited(InterlieuxError):
    """A remote origin, actor or token sent more than its limit (`node/limits.py`)."""

    status = 429

    def __init__(self, log: str, *, fr: str, en: str, retry_after: int) -> None:
        super().__init__(log, fr=fr, en=en)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.retry_after)}


class RequestTimeout(InterlieuxError):
    """The client did not finish sending its request within the server's deadline."""

    status = 408


class FederationError(InterlieuxError):
    """Talking to another server went wrong."""

    status = 502


class SignatureError(FederationError):
    """An HTTP signature is missing, malformed, stale, or does not verify."""

    status = 401


class FetchError(FederationError):
    """A remote document could not be fetched, or was refused as unsafe or invalid."""


class UnsafeAddress(FetchError):
    """The target resolves to a private, loopback or otherwise forbidden address."""


class DeliveryError(FederationError):
    """A POST to a remote inbox failed; `retry` says whether the queue should try again."""

    def __init__(
        self, log: str, *, retry: bool, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(log)
        self.retry = retry
        self.retry_after = retry_after
        self.peer_status = status  # the peer's HTTP status; None when it did not answer

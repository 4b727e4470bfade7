"""Images a place shows (its icon): kept in the data folder under a name that is their hash.

A content-addressed name lets the route answer with a year-long cache: a new image is a new
URL, which is also what makes Mastodon fetch the new icon after an `Update`.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..errors import InvalidActivity, NotFoundError

MAX_BYTES = 2 * 1024 * 1024  # Mastodon refuses avatars over 2 MB (its default limit)
_KINDS = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|gif|webp)$")


def kind_of(content: bytes) -> tuple[str, str] | None:
    """(extension, media type) from the file's first bytes, never from its name (pure)."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp", "image/webp"
    for magic, extension, media_type in _KINDS:
        if content.startswith(magic):
            return extension, media_type
    return None


def save(data_dir: Path, source: Path) -> tuple[str, str]:
    """Copy an image into the node's media folder; its (file name, media type)."""
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise InvalidActivity(
            f"cannot read {source}: {exc}",
            fr=f"Impossible de lire l'image {source} : vérifiez le chemin.",
            en=f"Cannot read the image {source}: check the path.",
        ) from exc
    kind = kind_of(content)
    if kind is None or len(content) > MAX_BYTES:
        raise InvalidActivity(
            f"{source} is not a PNG, JPEG, GIF or WebP image of at most 2 MB",
            fr=f"{source} doit être une image PNG, JPEG, GIF ou WebP de 2 Mo au plus.",
            en=f"{source} must be a PNG, JPEG, GIF or WebP image of at most 2 MB.",
        )
    extension, media_type = kind
    name = f"{hashlib.sha256(content).hexdigest()[:32]}.{extension}"
    folder = data_dir / "media"
    folder.mkdir(exist_ok=True)
    partial = folder / f".{name}.part"
    partial.write_bytes(content)
    os.replace(partial, folder / name)  # never a half-written image behind a published URL
    return name, media_type


def path_of(data_dir: Path, name: str) -> Path:
    """The stored file for a requested name; only names this module makes are served."""
    path = data_dir / "media" / name
    if not _NAME.match(name) or not path.is_file():
        raise NotFoundError(f"no media {name}", fr="Image introuvable.", en="No such image.")
    return path

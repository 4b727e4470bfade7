"""The pages' words: French first, English when asked (pure).

Templates and page modules write French; `say(text, lang)` gives the English of it from the
catalogue, or the French itself when no English is written yet (a page never shows a key).
Each page module adds its own sentences with `english({...})` at import: the catalogue stays
beside the pages that use it.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("fr", "en")
_ENGLISH: dict[str, str] = {}


def english(pairs: Mapping[str, str]) -> None:
    """Add French → English pairs to the catalogue."""
    _ENGLISH.update(pairs)


def say(text: str, lang: str) -> str:
    return _ENGLISH.get(text, text) if lang == "en" else text


def choose(asked: str | None, cookie: str | None, accept_language: str) -> str:
    """The page's language: `?lang=`, then the visitor's saved choice, then the first of
    French or English in Accept-Language; French when nothing says (pure)."""
    for value in (asked, cookie):
        if value in LANGS:
            return str(value)
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGS and q > 0:
            ranked.append((-q, n, base))
    return sorted(ranked)[0][2] if ranked else "fr"


english(
    {
        "Aller au contenu": "Skip to content",
        "Accueil": "Home",
        "Agenda": "Agenda",
        "Résidents": "Residents",
        "Besoins": "Needs",
        "Réseau": "Network",
        "Questions": "Questions",
        "Langue": "Language",
        "Navigation principale": "Main navigation",
        "Un lieu du réseau Interlieux": "A place of the Interlieux network",
        "Données ouvertes": "Open data",
        "Page introuvable": "Page not found",
    }
)

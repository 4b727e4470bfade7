"""Checking a document against its shape (`shapes.json`): pure, with messages in fr and en.

The shapes are a small declarative form rather than SHACL: they are checked on the compacted
JSON that clients post and peers send (where a missing `startTime` must be named as such), in
microseconds, with a French message per property that says what is expected.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import skills

SHAPES_FILE = Path(__file__).parent / "shapes.json"

# What each kind of value must look like, said to a place's team.
EXPECTED: dict[str, tuple[str, str]] = {
    "text": ("un texte", "a text"),
    "datetime": (
        "une date et heure ISO 8601 avec fuseau, par ex. 2025-03-14T18:00:00+01:00",
        "an ISO 8601 date-time with offset, e.g. 2025-03-14T18:00:00+01:00",
    ),
    "timezone": ("un fuseau horaire, par ex. Europe/Paris", "a time zone, e.g. Europe/Paris"),
    "integer": ("un nombre entier", "a whole number"),
    "decimal": ("un nombre", "a number"),
    "iri": ("une adresse web (https://…)", "a web address (https://…)"),
    "reference": (
        "une adresse web (https://…) ou un nom",
        "a web address (https://…) or a name",
    ),
    "currency": ("un code de devise ISO 4217, par ex. EUR", "an ISO 4217 currency code, e.g. EUR"),
    "enum": ("une des valeurs", "one of"),
    "object": ("un objet", "an object"),
    "skill": (
        "une compétence de la nomenclature (voir /ns)",
        "a skill from the nomenclature (see /ns)",
    ),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Violation:
    """One failing property: where, and what was expected, in both languages."""

    path: str
    fr: str
    en: str

    def message(self, lang: str = "fr") -> str:
        return self.en if lang.startswith("en") else self.fr


@cache
def shapes() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SHAPES_FILE.read_text())
    loaded.pop("_comment", None)
    return loaded


def label(shape: str, lang: str = "fr") -> str:
    return str(shapes()[shape]["label"]["en" if lang.startswith("en") else "fr"])


def check(document: Any, shape: str, prefix: str = "") -> list[Violation]:
    """Every violation of `shape` by `document` (empty when it conforms)."""
    spec = shapes()[shape]
    if not isinstance(document, dict):
        return [Violation(prefix or shape, "attendu : un objet JSON", "expected: a JSON object")]
    found: list[Violation] = []
    for name, rule in spec["properties"].items():
        path = f"{prefix}{name}"
        value = document.get(name)
        if value is None or value == "" or value == []:
            if rule.get("required"):
                fr, en = _expected(rule)
                found.append(Violation(path, f"« {path} » manque : attendu {fr}",
                                       f"'{path}' is missing: expected {en}"))  # fmt: skip
            continue
        values = value if isinstance(value, list) and rule.get("list") else [value]
        for item in values:
            found.extend(_check_value(item, rule, path, document))
    return found


def _expected(rule: dict[str, Any]) -> tuple[str, str]:
    fr, en = EXPECTED[rule["kind"]]
    if rule["kind"] == "enum":
        values = ", ".join(rule["values"])
        return f"{fr} : {values}", f"{en}: {values}"
    if "min" in rule:
        return f"{fr} supérieur ou égal à {rule['min']}", f"{en} of at least {rule['min']}"
    return fr, en


def _check_value(
    value: Any, rule: dict[str, Any], path: str, document: dict[str, Any]
) -> list[Violation]:
    kind = rule["kind"]
    if kind == "object":
        return check(value, rule["shape"], prefix=f"{path}.")
    if _valid(value, rule, document):
        return []
    fr, en = _expected(rule)
    shown = json.dumps(value, ensure_ascii=False)[:60]
    if kind == "datetime" and "after" in rule and _datetime(value):
        fr, en = f"une date après « {rule['after']} »", f"a date after '{rule['after']}'"
    if kind == "text" and isinstance(value, str) and "max" in rule:
        fr, en = f"au plus {rule['max']} caractères", f"at most {rule['max']} characters"
    return [Violation(path, f"« {path} » vaut {shown} : attendu {fr}",
                      f"'{path}' is {shown}: expected {en}")]  # fmt: skip


def _valid(value: Any, rule: dict[str, Any], document: dict[str, Any]) -> bool:
    kind = rule["kind"]
    if kind == "text":
        return isinstance(value, str) and len(value) <= rule.get("max", 100_000)
    if kind == "datetime":
        moment = _datetime(value)
        if moment is None:
            return False
        earlier = _datetime(document.get(rule["after"])) if "after" in rule else None
        return earlier is None or moment >= earlier
    if kind == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            return False
        return True
    if kind in ("integer", "decimal"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return False
        try:
            number = int(value) if kind == "integer" else float(value)
        except ValueError:
            return False
        return bool(number >= rule.get("min", float("-inf")))
    if kind == "iri":
        return isinstance(value, str) and value.startswith(("https://", "http://"))
    if kind == "reference":
        return (isinstance(value, str) and bool(value.strip())) or (
            isinstance(value, dict) and isinstance(value.get("id") or value.get("name"), str)
        )
    if kind == "currency":
        return isinstance(value, str) and bool(_CURRENCY.match(value))
    if kind == "enum":
        return bool(value in rule["values"])
    if kind == "skill":
        return isinstance(value, str) and skills.known(value)
    raise ValueError(f"unknown kind {kind!r} in shapes.json")


def _datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time with an offset: a naive time is ambiguous across places."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def describe(violations: list[Violation], shape: str, lang: str = "fr") -> str:
    """One message that names every failing property, for a 400 body or a CLI error."""
    parts = " ; ".join(v.message(lang) for v in violations)
    if lang.startswith("en"):
        return f"{label(shape, 'en')} is not valid: {parts}. Nothing was stored or sent."
    return f"{label(shape)} n'est pas valide : {parts}. Rien n'a été enregistré ni envoyé."

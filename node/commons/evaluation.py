"""Peer evaluation and support of an improvement step (seed 001). Pure functions.

Seed 001 asks that each step be "supported by the places that already use the solution" and
"analysed collectively, by peers, notably the budget asked and the contributors mobilised". So:

- the step's author publishes, with the step, the criteria it asks to be evaluated on
  (`criteria`, in order; `DEFAULT_CRITERIA` when the team names none, and for a step published
  before criteria existed);
- a place evaluates the step with a `Review` (schema.org): one `Rating` per criterion
  (`reviewAspect`, `ratingValue` from 1 to 5), an optional comment (`reviewBody`), signed by
  the place's Ed25519 key as pledges are;
- a place supports the step with a `Like` of it (AS2: "likes, recommends or endorses"), signed
  the same way, and takes it back with an `Undo`.

`summary` and `supporters` compute what every node shows from the rows it holds, whatever
order they arrived in:

- one evaluation per place counts: its latest, by `published` then id (as votes, so two of the
  same second are decided the same way everywhere); an earlier one is replaced;
- an evaluation published after the step's close does not count; nor one whose ratings are not
  exactly one integer from 1 to 5 per criterion of the step;
- per criterion, the average of the counted scores, rounded half up to the hundredth, as text
  (`"3.50"`), so that no float formatting differs between nodes;
- a place supports the step while one of its Likes of it stands (not undone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..activity import id_of
from ..errors import ConfigError
from ..ledger.money import figure
from ..timestamps import posix_to_wire, wire_to_posix

REVIEW = "Review"
RATING = "Rating"
WORST, BEST = 1, 5
# Seed 001: the budget asked, the contributors mobilised, and whether it serves the places.
DEFAULT_CRITERIA = ("Budget réaliste", "Contributeurs compétents", "Utilité pour le réseau")
MAX_CRITERIA = 10  # a form a place's team fills in one sitting
MAX_CRITERION = 100  # a criterion is a short phrase, not a paragraph
MAX_COMMENT = 2_000  # as a vote's reason: a paragraph
HUNDREDTH = Decimal("0.01")


def _wrong_criteria(log: str) -> ConfigError:
    return ConfigError(
        log,
        fr=f"Les critères d'évaluation : de 1 à {MAX_CRITERIA}, chacun un texte court (au plus "
        f"{MAX_CRITERION} caractères), sans doublon, par exemple « Budget réaliste ».",
        en=f"The evaluation criteria: 1 to {MAX_CRITERIA}, each a short text (at most "
        f"{MAX_CRITERION} characters), no duplicate, for example 'Realistic budget'.",
    )


def checked_criteria(names: Iterable[Any]) -> tuple[str, ...]:
    """The criteria a team typed, trimmed, in order. Raises ConfigError saying what to fix."""
    found: list[str] = []
    for name in names:
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_CRITERION:
            raise _wrong_criteria(f"criterion {name!r} is empty, long or not text")
        if name.strip().casefold() in (f.casefold() for f in found):
            raise _wrong_criteria(f"criterion {name!r} twice")
        found.append(name.strip())
    if not 1 <= len(found) <= MAX_CRITERIA:
        raise _wrong_criteria(f"{len(found)} criteria")
    return tuple(found)


def criteria_of(step: Mapping[str, Any]) -> tuple[str, ...]:
    """The criteria a step document publishes; the default ones when it names none. Raises
    ConfigError when it names malformed ones."""
    given = step.get("criteria")
    if given is None or given == []:
        return DEFAULT_CRITERIA
    return checked_criteria(given if isinstance(given, list) else [given])


# --- evaluations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """A place's evaluation of a step: a score per criterion, in the order it signed them."""

    id: str
    place: str
    step: str
    published: float
    ratings: tuple[tuple[str, int], ...]
    comment: str = ""

    @classmethod
    def from_json(cls, data: Any) -> Evaluation:
        """Raises ValueError, KeyError or TypeError on a malformed evaluation."""
        ratings = data["reviewRating"]
        if not isinstance(ratings, list) or not ratings:
            raise ValueError("reviewRating is not a list of ratings")
        comment = data.get("reviewBody") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise ValueError(f"reviewBody is not a text of at most {MAX_COMMENT} characters")
        return cls(
            id=_text(data["id"]),
            place=_text(id_of(data["attributedTo"])),
            step=_text(id_of(data["itemReviewed"])),
            published=wire_to_posix(_text(data["published"])),
            ratings=tuple((_text(r["reviewAspect"]), _score(r["ratingValue"])) for r in ratings),
            comment=comment,
        )

    @property
    def scores(self) -> dict[str, int]:
        return dict(self.ratings)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _score(value: Any) -> int:
    # "4" and 4.0 are not scores: one spelling, so that every node reads the same number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def rating_problem(ratings: Sequence[tuple[str, int]], criteria: Sequence[str]) -> str | None:
    """Why the ratings do not score the criteria, one integer from 1 to 5 each, or None."""
    named = [criterion for criterion, _ in ratings]
    if sorted(named) != sorted(criteria) or len(set(named)) != len(named):
        return f"the ratings name {named}, the step's criteria are {list(criteria)}"
    bad = [score for _, score in ratings if not WORST <= score <= BEST]
    return f"scores {bad} are not from {WORST} to {BEST}" if bad else None


def review(
    step: str, scores: Mapping[str, int], criteria: Sequence[str], comment: str = ""
) -> dict[str, Any]:
    """The evaluation a place's team posts to its outbox (the node mints its id, date and
    signature): a `Rating` per criterion, in the step's order. Raises ConfigError."""
    ratings = [(criterion, scores[criterion]) for criterion in criteria if criterion in scores]
    problem = rating_problem(
        ratings + [(c, s) for c, s in scores.items() if c not in criteria], criteria
    )
    if problem is not None:
        listed = " ; ".join(f"« {c} »" for c in criteria)
        raise ConfigError(
            problem,
            fr=f"Donnez une note de {WORST} à {BEST} à chaque critère de l'étape, et à eux "
            f"seuls : {listed}.",
            en=f"Give a score from {WORST} to {BEST} to each of the step's criteria, and to "
            f"them only: {listed}.",
        )
    if len(comment) > MAX_COMMENT:
        raise ConfigError(
            "comment too long",
            fr=f"Le commentaire fait au plus {MAX_COMMENT} caractères.",
            en=f"The comment is at most {MAX_COMMENT} characters.",
        )
    document: dict[str, Any] = {
        "type": REVIEW,
        "itemReviewed": step,
        "reviewRating": [
            {
                "type": RATING,
                "reviewAspect": criterion,
                "ratingValue": score,
                "worstRating": WORST,
                "bestRating": BEST,
            }
            for criterion, score in ratings
        ],
    }
    if comment.strip():
        document["reviewBody"] = comment.strip()
    return document


def scores_typed(given: Iterable[str]) -> dict[str, int]:
    """`"Budget réaliste=4"` → `{"Budget réaliste": 4}` (the command's `--score`). Raises
    ConfigError."""
    scores: dict[str, int] = {}
    for item in given:
        criterion, sep, score = item.rpartition("=")
        if not sep or not criterion.strip() or not score.strip().isdigit():
            raise ConfigError(
                f"score {item!r} is not CRITERION=SCORE",
                fr=f"La note « {item} » doit s'écrire CRITÈRE=NOTE, par ex. "
                f"« Budget réaliste=4 » (de {WORST} à {BEST}).",
                en=f"The score '{item}' must read CRITERION=SCORE, e.g. 'Realistic "
                f"budget=4' ({WORST} to {BEST}).",
            )
        scores[criterion.strip()] = int(score)
    return scores


def counted(
    criteria: Sequence[str], evaluations: Iterable[Evaluation], step: str,
    closes: float | None,
) -> list[Evaluation]:  # fmt: skip
    """The evaluations that count: each place's latest valid one, by place."""
    latest: dict[str, Evaluation] = {}
    for evaluation in evaluations:
        if evaluation.step != step or rating_problem(evaluation.ratings, criteria) is not None:
            continue
        if closes is not None and evaluation.published > closes:
            continue
        known = latest.get(evaluation.place)
        if known is None or (evaluation.published, evaluation.id) > (known.published, known.id):
            latest[evaluation.place] = evaluation
    return [latest[place] for place in sorted(latest)]


def average(scores: Sequence[int]) -> str | None:
    """The mean, rounded half up to the hundredth, as text; None for no score."""
    if not scores:
        return None
    mean = Decimal(sum(scores)) / Decimal(len(scores))
    return str(mean.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def summary(
    criteria: Sequence[str], evaluations: Iterable[Evaluation], step: str,
    closes: float | None,
) -> dict[str, Any]:  # fmt: skip
    """What `interlieux step evaluations URL --json` prints; the same on every node."""
    kept = counted(criteria, evaluations, step, closes)
    return {
        "criteria": [
            {
                "criterion": criterion,
                "count": len(kept),
                "average": average([e.scores[criterion] for e in kept]),
            }
            for criterion in criteria
        ],
        "count": len(kept),
        "evaluations": [
            {
                "id": e.id,
                "place": e.place,
                "published": posix_to_wire(e.published),
                "ratings": [{"criterion": c, "score": s} for c, s in e.ratings],
                "comment": e.comment,
            }
            for e in sorted(kept, key=lambda e: (e.published, e.id))
        ],
    }


def score_text(average: str | None, lang: str = "fr") -> str:
    """`"3.50"` → `3,5 / 5` (pure): trailing zeros dropped, the reader's decimal mark; a dash
    when nobody scored."""
    if average is None:
        return "—"
    number = average.rstrip("0").rstrip(".") if "." in average else average
    return f"{figure(number, lang)} / {BEST}"


# --- support -------------------------------------------------------------------------------


def supporters(supports: Iterable[tuple[str, str, str, float, bool]], step: str) -> list[str]:
    """The places that support the step: those with a Like of it not undone, by id.
    `supports`: rows of (like id, step, place, published, undone)."""
    return sorted({place for _, of, place, _, undone in supports if of == step and not undone})

"""Needs surveys and the census (seed 001). Pure functions: the survey, the answer, the
aggregate, the prefill.

    survey create (a place, or a network Group) ─► Create of a `Survey`, public, to the
        network's members or to the author's followers
    survey answer (each place) ─► Create of an `Answer` of the answering place, addressed to
        the survey's author; answering again is an Update of the same Answer; taken at its
        arrival, or refused with its reason (after the close, a place that may not answer)
    survey results (the author) ─► counts per choice, sum and average of numbers, the texts:
        a table, a CSV, and a public `SurveyResults` in the knowledge graph

Who sees what. The aggregate is public: a network's needs are what it shows to funders and
to its members, and no place can be read out of a count. An answer of a needs survey is
addressed to the author alone (not public): a place tells its network its difficulties,
its figures, which it need not publish to the fediverse; the author and the answering place
see it. The census is the exception on purpose: "who uses what" is the commons directory
itself, so a census answer is public (and reaches the graph and SPARQL at every node that
follows the place).

A question has a `questionKey`, stable across surveys ("surface-m2", "outil-billetterie"):
a place's earlier answer to the same key prefills the next survey's (nothing typed twice).
A census question is a `usage` question about one item of the commons (equipment, software,
data, plans, shared infrastructure): "on l'utilise" and/or "ça nous intéresse".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import spreadsheet
from ..errors import ConfigError, ForbiddenError, InvalidActivity
from ..timestamps import posix_to_wire, wire_to_posix

SURVEY = "Survey"
QUESTION = "SurveyQuestion"
ANSWER = "Answer"
RESULTS = "SurveyResults"
KINDS = ("needs", "census")  # a needs survey closes; a census stands
ANSWERED_BY = ("members", "followers")  # a network's member places, or the author's followers
QUESTION_KINDS = ("single", "multiple", "number", "text", "usage")
USAGE = ("uses", "interested")  # "on l'utilise", "ça nous intéresse"
CATEGORIES = ("equipment", "software", "data", "plans", "infrastructure")
MAX_TITLE = 300
MAX_TEXT = 5_000
MAX_QUESTIONS = 200  # a census lists many items; a needs survey far fewer
MAX_OPTIONS = 30
MAX_LABEL = 300
MAX_ANSWER_TEXT = 2_000  # a paragraph
MAX_NUMBER = Decimal("1e12")  # a surface, a budget, a head count: far below
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")

USAGE_FR = {"uses": "on l'utilise", "interested": "ça nous intéresse"}
CATEGORY_FR = {"equipment": "Matériel", "software": "Logiciel", "data": "Données",
               "plans": "Plans", "infrastructure": "Infrastructure partagée"}  # fmt: skip
CATEGORY_EN = {"equipment": "Equipment", "software": "Software", "data": "Data",
               "plans": "Plans", "infrastructure": "Shared infrastructure"}  # fmt: skip


def _bad(fr: str, en: str) -> ConfigError:
    return ConfigError(f"survey: {en}", fr=f"Enquête : {fr}.", en=f"Survey: {en}.")


def _refused(fr: str, en: str) -> InvalidActivity:
    return InvalidActivity(f"answer refused: {en}", fr=f"Réponse refusée : {fr}.",
                           en=f"Answer refused: {en}.")  # fmt: skip


def after_close(closes: float) -> ForbiddenError:
    when = posix_to_wire(closes)
    return ForbiddenError(
        f"answer refused: the survey closed at {when}",
        fr=f"Réponse refusée : l'enquête est close depuis {when} ; elle ne prend plus de "
        "réponse ni de modification.",
        en=f"Answer refused: the survey closed at {when}; it takes no more answers or edits.",
    )


def not_asked(place: str) -> ForbiddenError:
    return ForbiddenError(
        f"answer refused: {place} is not asked by this survey",
        fr="Réponse refusée : ce lieu n'est pas de ceux à qui l'enquête est posée (membres du "
        "réseau, ou lieux qui suivent son auteur).",
        en="Answer refused: this place is not one the survey asks (the network's members, or "
        "places following its author).",
    )


# --- the survey ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    name: str
    kind: str
    options: tuple[str, ...] = ()
    category: str = ""  # a census item's: equipment, software, data, plans, infrastructure

    @property
    def choices(self) -> tuple[str, ...]:
        return USAGE if self.kind == "usage" else self.options

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"type": QUESTION, "questionKey": self.key,
                                    "name": self.name, "questionKind": self.kind}  # fmt: skip
        if self.options:
            document["options"] = list(self.options)
        if self.category:
            document["commonsCategory"] = self.category
        return document


def question(key: str, name: str, kind: str, options: Sequence[str] = (),
             category: str = "") -> Question:  # fmt: skip
    """A question as its author writes it. Raises ConfigError, in French first."""
    key, name = key.strip(), name.strip()
    if not _KEY.match(key):
        raise _bad(f"la clé « {key} » : lettres minuscules, chiffres et tirets (ex. "
                   "surface-m2)", f"the key '{key}': lower-case letters, digits and dashes "
                   "(e.g. surface-m2)")  # fmt: skip
    if not name or len(name) > MAX_LABEL:
        raise _bad(f"l'intitulé de « {key} » doit faire de 1 à {MAX_LABEL} caractères",
                   f"the wording of '{key}' must be 1 to {MAX_LABEL} characters")  # fmt: skip
    if kind not in QUESTION_KINDS:
        raise _bad(f"le type « {kind} » de « {key} » doit être single, multiple, number, "
                   "text ou usage", f"the kind '{kind}' of '{key}' must be single, multiple, "
                   "number, text or usage")  # fmt: skip
    cleaned = tuple(o.strip() for o in options if o.strip())
    if kind in ("single", "multiple"):
        if not 2 <= len(cleaned) <= MAX_OPTIONS or len(set(cleaned)) != len(cleaned):
            raise _bad(f"« {key} » : de 2 à {MAX_OPTIONS} choix, tous différents",
                       f"'{key}': 2 to {MAX_OPTIONS} choices, all different")  # fmt: skip
        if any(len(o) > MAX_LABEL for o in cleaned):
            raise _bad(f"« {key} » : un choix trop long", f"'{key}': a choice is too long")
    elif cleaned:
        raise _bad(f"« {key} » : seules les questions à choix ont des choix",
                   f"'{key}': only choice questions have choices")  # fmt: skip
    if category and category not in CATEGORIES:
        raise _bad(f"la catégorie « {category} » doit être " + ", ".join(CATEGORIES),
                   f"the category '{category}' must be " + ", ".join(CATEGORIES))  # fmt: skip
    return Question(key, name, kind, cleaned, category)


@dataclass(frozen=True)
class Survey:
    id: str
    author: str
    kind: str  # needs | census
    title: str
    text: str
    answered_by: str  # members | followers
    questions: tuple[Question, ...]
    closes: float | None  # None: a standing census
    published: float

    def to_json(self, to: Sequence[str] = ()) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id, "type": SURVEY, "attributedTo": self.author, "surveyKind": self.kind,
            "name": self.title, "content": self.text, "answeredBy": self.answered_by,
            "questions": [q.to_json() for q in self.questions],
            "published": posix_to_wire(self.published),
        }  # fmt: skip
        if self.closes is not None:
            document["endTime"] = posix_to_wire(self.closes)
        if to:
            document["to"] = list(to)
        return document

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def open_at(self, moment: float) -> bool:
        return self.closes is None or moment <= self.closes

    @classmethod
    def from_json(cls, data: Any) -> Survey:
        """Raises ValueError, KeyError or TypeError on a malformed survey."""
        if not isinstance(data, dict) or data.get("type") not in (SURVEY, f"tl:{SURVEY}"):
            raise ValueError("not a Survey")
        raw = data["questions"]
        if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
            raise ValueError("questions is not a list")
        questions: list[Question] = []
        for q in raw:
            options = q.get("options", [])
            if not isinstance(options, list):
                raise ValueError("options is not a list")
            questions.append(question(_text(q["questionKey"]), _text(q["name"]),
                                      _text(q["questionKind"]), [_text(o) for o in options],
                                      _text(q.get("commonsCategory", ""))))  # fmt: skip
        end = data.get("endTime")
        survey = cls(
            id=_text(data["id"]), author=_text(data["attributedTo"]),
            kind=_text(data["surveyKind"]), title=_text(data["name"]),
            text=_text(data.get("content", "")), answered_by=_text(data["answeredBy"]),
            questions=tuple(questions),
            closes=wire_to_posix(_text(end)) if end is not None else None,
            published=wire_to_posix(_text(data["published"])),
        )  # fmt: skip
        if survey.kind not in KINDS or survey.answered_by not in ANSWERED_BY:
            raise ValueError("unknown survey kind or audience")
        return survey


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def new_survey(
    survey_id: str, author: str, kind: str, title: str, text: str, answered_by: str,
    questions: Sequence[Question], closes: float | None, published: float,
) -> Survey:  # fmt: skip
    """A survey as its author opens it. Raises ConfigError, in French first."""
    if kind not in KINDS:
        raise _bad(f"le type « {kind} » doit être needs ou census",
                   f"the kind '{kind}' must be needs or census")  # fmt: skip
    if answered_by not in ANSWERED_BY:
        raise _bad("qui répond : members (les lieux membres du réseau) ou followers (les lieux "
                   "qui suivent l'auteur)", "who answers: members (the network's member "
                   "places) or followers (the places following the author)")  # fmt: skip
    if not title.strip() or len(title) > MAX_TITLE:
        raise _bad(f"le titre doit faire de 1 à {MAX_TITLE} caractères",
                   f"the title must be 1 to {MAX_TITLE} characters")  # fmt: skip
    if len(text) > MAX_TEXT:
        raise _bad(f"la présentation doit faire au plus {MAX_TEXT} caractères",
                   f"the introduction must be at most {MAX_TEXT} characters")  # fmt: skip
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise _bad(f"de 1 à {MAX_QUESTIONS} questions", f"1 to {MAX_QUESTIONS} questions")
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise _bad("deux questions ont la même clé", "two questions have the same key")
    if kind == "census":
        if any(q.kind != "usage" for q in questions):
            raise _bad(
                "un recensement ne pose que des questions d'usage (un outil, un "
                "équipement… : on l'utilise / ça nous intéresse)",
                "a census asks only "
                "usage questions (a tool, an item…: we use it / we are interested)",
            )
        closes = None  # a standing survey: answered and corrected at any time
    elif closes is None or closes <= published:
        raise _bad("la clôture doit être dans le futur", "the close must be in the future")
    return Survey(survey_id, author, kind, title.strip(), text.strip(), answered_by,
                  tuple(questions), closes, published)  # fmt: skip


# --- the answer ----------------------------------------------------------------------------

# A response's value: the options chosen (single, multiple, usage), a number, a text.
Value = tuple[str, ...] | Decimal | str


def _number(text: str, key: str) -> Decimal:
    try:
        number = Decimal(text.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except InvalidOperation as exc:
        raise _refused(f"« {key} » attend un nombre", f"'{key}' expects a number") from exc
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise _refused(f"« {key} » : nombre hors limites", f"'{key}': number out of bounds")
    return number


def check_value(q: Question, value: Any) -> Value | None:
    """A response's value as the question allows it; None: not answered. Raises
    InvalidActivity with what is wrong."""
    if q.kind in ("single", "multiple", "usage"):
        chosen = [value] if isinstance(value, str) else value
        if not isinstance(chosen, (list, tuple)) or not all(isinstance(c, str) for c in chosen):
            raise _refused(f"« {q.key} » : choix mal formé", f"'{q.key}': malformed choice")
        picked = tuple(c for c in q.choices if c in chosen)  # in the question's order
        if len(picked) != len(set(chosen)):
            raise _refused(f"« {q.key} » : choix inconnu", f"'{q.key}': unknown choice")
        if q.kind == "single" and len(picked) > 1:
            raise _refused(f"« {q.key} » : un seul choix", f"'{q.key}': one choice only")
        return picked or None
    if not isinstance(value, str):
        raise _refused(f"« {q.key} » : réponse mal formée", f"'{q.key}': malformed answer")
    if not value.strip():
        return None
    if q.kind == "number":
        return _number(value, q.key)
    if len(value) > MAX_ANSWER_TEXT:
        raise _refused(f"« {q.key} » : au plus {MAX_ANSWER_TEXT} caractères",
                       f"'{q.key}': at most {MAX_ANSWER_TEXT} characters")  # fmt: skip
    return value.strip()


def responses_json(survey: Survey, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer's `responses`, from values by question key (checked, in the survey's
    order; questions left empty are left out)."""
    unknown = set(values) - {q.key for q in survey.questions}
    if unknown:
        raise _refused(f"question inconnue « {sorted(unknown)[0]} »",
                       f"unknown question '{sorted(unknown)[0]}'")  # fmt: skip
    out: list[dict[str, Any]] = []
    for q in survey.questions:
        value = check_value(q, values[q.key]) if q.key in values else None
        if value is None:
            continue
        if isinstance(value, tuple):
            out.append({"question": q.key, "selected": list(value)})
        elif isinstance(value, Decimal):
            out.append({"question": q.key, "numberValue": str(value)})
        else:
            out.append({"question": q.key, "textValue": value})
    return out


def values_of(responses: Any) -> dict[str, Any]:
    """Values by question key from an answer's `responses` (as `responses_json` wrote them),
    unchecked: the survey checks them."""
    out: dict[str, Any] = {}
    if not isinstance(responses, list):
        raise _refused("réponses mal formées", "malformed responses")
    for r in responses:
        if not isinstance(r, dict) or not isinstance(r.get("question"), str):
            raise _refused("réponses mal formées", "malformed responses")
        if "selected" in r:
            out[r["question"]] = r["selected"]
        elif "numberValue" in r:
            out[r["question"]] = str(r["numberValue"])
        else:
            out[r["question"]] = r.get("textValue", "")
    return out


def answer(answer_id: str, place: str, survey: Survey, values: Mapping[str, Any],
           published: float, public: bool) -> dict[str, Any]:  # fmt: skip
    """The place's answer, addressed to the survey's author (and to Public for a census).
    The close is the author's to judge, at the answer's arrival (`receive_answer`)."""
    to = [survey.author]
    if public:
        to.append("https://www.w3.org/ns/activitystreams#Public")
    return {
        "id": answer_id, "type": ANSWER, "attributedTo": place, "inReplyTo": survey.id,
        "responses": responses_json(survey, values), "published": posix_to_wire(published),
        "to": to,
    }  # fmt: skip


@dataclass(frozen=True)
class Taken:
    """An answer as the author takes it."""

    id: str
    place: str
    values: dict[str, Value]


def receive_answer(survey: Survey, document: Any, asked: bool, received_at: float) -> Taken:
    """An answer reaching the survey's author: refused after the close (by its time of
    arrival: a place cannot backdate an edit), from a place not asked, or malformed."""
    if not survey.open_at(received_at):
        raise after_close(survey.closes or 0)
    if not isinstance(document, dict):
        raise _refused("réponse mal formée", "malformed answer")
    place = document.get("attributedTo")
    if not isinstance(place, str) or not isinstance(document.get("id"), str):
        raise _refused("réponse mal formée", "malformed answer")
    if not asked:
        raise not_asked(place)
    if document.get("inReplyTo") != survey.id:
        raise _refused("réponse à une autre enquête", "answer to another survey")
    values = values_of(document.get("responses"))
    checked: dict[str, Value] = {}
    for key, value in values.items():
        q = survey.question(key)
        if q is None:
            raise _refused(f"question inconnue « {key} »", f"unknown question '{key}'")
        found = check_value(q, value)
        if found is not None:
            checked[key] = found
    return Taken(str(document["id"]), place, checked)


def latest_by_place(answers: Iterable[tuple[str, float, Taken]]) -> dict[str, Taken]:
    """(place, published, taken) → each place's latest answer: a place that sent a second
    Create instead of an Update still counts once."""
    out: dict[str, tuple[float, str, Taken]] = {}
    for place, published, taken in answers:
        known = out.get(place)
        if known is None or (published, taken.id) >= known[:2]:
            out[place] = (published, taken.id, taken)
    return {place: found[2] for place, found in sorted(out.items())}


# --- prefill ------------------------------------------------------------------------------


def prefill(survey: Survey, history: Iterable[Any], current: Any = None) -> dict[str, Any]:
    """What the form shows before the place types anything: its answer to this survey if it
    answered already, else its latest answer to the same question key in earlier surveys
    (`history`, the place's answers oldest first). Values no longer allowed (a choice the new
    survey does not offer) are left out."""
    found: dict[str, Any] = {}
    for document in [*history, current]:
        if not isinstance(document, dict):
            continue
        try:
            values = values_of(document.get("responses"))
        except InvalidActivity:
            continue
        for key, value in values.items():
            q = survey.question(key)
            if q is None:
                continue
            try:
                checked = check_value(q, value)
            except InvalidActivity:
                continue
            if checked is not None:
                found[key] = checked
    return found


# --- the aggregate ------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    total: Decimal | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        if self.total is None or not self.answered:
            return None
        return (self.total / self.answered).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Results:
    survey: Survey
    places: tuple[str, ...]  # the places whose answer counts
    questions: tuple[QuestionResult, ...]


def aggregate(survey: Survey, answers: Mapping[str, Taken]) -> Results:
    """Counts per choice, sum and average of numbers, texts listed: from each place's latest
    answer (`latest_by_place`)."""
    results = [QuestionResult(q, counts={c: 0 for c in q.choices}) for q in survey.questions]
    for taken in answers.values():
        for result in results:
            value = taken.values.get(result.question.key)
            if value is None:
                continue
            result.answered += 1
            if isinstance(value, tuple):
                for choice in value:
                    result.counts[choice] = result.counts.get(choice, 0) + 1
            elif isinstance(value, Decimal):
                result.total = (result.total or Decimal(0)) + value
            else:
                result.texts.append(value)
    for result in results:
        result.texts.sort()  # not in the places' order: the aggregate names no place
    return Results(survey, tuple(sorted(answers)), tuple(results))


def results_json(results: Results, results_id: str, published: float) -> dict[str, Any]:
    """The public aggregate (a `SurveyResults`), for the graph and for anyone."""
    out: list[dict[str, Any]] = []
    for r in results.questions:
        item: dict[str, Any] = {"question": r.question.key, "name": r.question.name,
                                "answerCount": r.answered}  # fmt: skip
        if r.question.choices:
            item["counts"] = [{"option": c, "count": n} for c, n in r.counts.items()]
        if r.question.kind == "number":
            item["sum"] = str(r.total if r.total is not None else 0)
            if r.average is not None:
                item["average"] = str(r.average)
        if r.question.kind == "text":
            item["texts"] = list(r.texts)
        out.append(item)
    return {
        "id": results_id, "type": RESULTS, "attributedTo": results.survey.author,
        "about": results.survey.id, "name": results.survey.title,
        "answerCount": len(results.places), "results": out,
        "updated": posix_to_wire(published),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }  # fmt: skip


def results_csv(results: Results) -> str:
    """One line per choice, per number statistic, per text: question, kind, answer, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["question", "intitule", "type", "reponse", "valeur"])
    for r in results.questions:
        q = r.question
        if q.choices:
            for choice, count in r.counts.items():
                writer.writerow([q.key, q.name, q.kind, choice, count])
        elif q.kind == "number":
            writer.writerow([q.key, q.name, q.kind, "reponses", r.answered])
            writer.writerow([q.key, q.name, q.kind, "somme", r.total or 0])
            writer.writerow([q.key, q.name, q.kind, "moyenne", r.average or ""])
        else:
            for text in r.texts:
                writer.writerow([q.key, q.name, q.kind, "texte", spreadsheet.cell(text)])
    return buffer.getvalue()


def matrix(
    survey: Survey, answers: Mapping[str, Taken]
) -> list[tuple[Question, dict[str, tuple[str, ...]]]]:
    """The census as the commons directory: each item, and for each place its usage."""
    return [
        (q, {place: v for place, t in answers.items()
             if isinstance(v := t.values.get(q.key), tuple) and v})
        for q in survey.questions
    ]  # fmt: skip

"""What an anonymous caller may ask `/sparql` (pure): read-only questions about this node's copy.

Refused before anything is evaluated, with 400:
- `SERVICE`: it makes the server fetch an address the caller chooses (an internal one, or one
  that never answers) and hand back what it got;
- `LOAD` and every update form (`INSERT`, `DELETE`, `CLEAR`, `DROP`, `CREATE`, `ADD`, `MOVE`,
  `COPY`, `WITH`): the graph is the node's, not the caller's.

The check reads the query the way SPARQL's grammar cuts it: comments, string literals and IRIs
are set aside first, so that `"service"` in a literal, `<http://x/load>` or `?insert` as a
variable are not taken for keywords, and a keyword hidden in them cannot get through either.
"""

from __future__ import annotations

import re

# SPARQL 1.1 §19.8: IRIREF allows no spaces, quotes or angle brackets inside, which is what
# tells an IRI from a `<` comparison.
_SET_ASIDE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
# A keyword is a whole word that is not a variable (?x, $x), nor part of a prefixed name
# (ex:service, service:x). A `.` before it does not make it a name: `{} .SERVICE <…>` is a
# SERVICE after a triple's end, and `ex:a.service` is refused with it (harmless).
_REFUSED = re.compile(
    r"(?<![\w?$:-])(SERVICE|LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:-])",
    re.IGNORECASE,
)

UPDATE_FORMS = frozenset({"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                          "WITH", "LOAD"})  # fmt: skip


class Refused(Exception):
    """A query this endpoint does not evaluate; `keyword` says which form."""

    def __init__(self, keyword: str) -> None:
        super().__init__(keyword)
        self.keyword = keyword


def check(query: str) -> None:
    """Raise Refused if `query` uses SERVICE, LOAD or an update form anywhere."""
    bare = _SET_ASIDE.sub(" ", query)
    found = _REFUSED.search(bare)
    if found is not None:
        raise Refused(found.group(1).upper())

"""`audience.is_public` as an SQL condition, for the collections paged in SQL (an actor's
outbox, the agenda, the needs and pledges): the same rule over a stored JSON `document`
column. `tests/node/test_audience.py` holds the two forms to the same answers."""

from __future__ import annotations

from vocab.context import PUBLIC_FORMS

from ..activity import ADDRESS_FIELDS

_PUBLIC_VALUES = ", ".join(f"'{form}'" for form in sorted(PUBLIC_FORMS))


def _public_in(field: str) -> str:
    # A property holds one reference or a list of them, each a string or an embedded object
    # with an id (as `recipients` reads them): json_each walks a list or yields a lone value
    # as its one row, and an object is read by its id. The alias keeps `type` and `value`
    # from meaning the outer table's columns.
    return (
        f"EXISTS (SELECT 1 FROM json_each(document, '$.{field}') AS ref WHERE"
        " (CASE WHEN ref.type = 'object' THEN json_extract(ref.value, '$.id') ELSE ref.value END)"
        f" IN ({_PUBLIC_VALUES}))"
    )


# `is_public` as an SQL condition on the JSON `document` column of the table queried.
PUBLIC_SQL = "(" + " OR ".join(_public_in(field) for field in ADDRESS_FIELDS) + ")"

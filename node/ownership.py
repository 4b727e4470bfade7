"""What a sender may say about whom (pure): a received object speaks only for its own origin.

A signed peer is trusted for the objects of its own origin, nothing more. A received object is
stored, served in collections, and read into the public graph and its exports; so every
statement it carries must be about a subject of the sender's origin, and every author it names
must be of that origin. Three ways around that are closed here:

- authorship: `attributedTo` given as a list (or as embedded actors) naming another server's
  actors, or the receiving node's own (`activity.authorize` checks the entries);
- embedded nodes: an object nested in the created one (a `location`, a `tag`) with an `id` on
  another origin and properties of its own states them about that other subject;
- JSON-LD keywords that introduce other subjects: `@included` (more nodes beside the object),
  `@reverse` (statements whose subject is the node referred to), `@graph` (a named graph),
  `@nest` (properties moved into the node from elsewhere), written as such or aliased by a
  term of an inline `@context`.

The JSON walk (`check_received`) sees what the node's own code reads, and refuses what it could
not read for what it is (an inline context aliasing `@id` or `attributedTo`, an `attributedTo`
written as an IRI): 403 with the reason, before anything is stored. `query.convert.
foreign_statement` looks at what JSON-LD reading actually makes of a received object, where a
context's aliases and scoped terms have been resolved: the graph engine runs it when it reads
the object, and leaves out an object with any statement about an IRI off the sender's origin,
any named graph, any `attributedTo` pointing elsewhere. It runs there and not in the inbox
because reading JSON-LD costs, and the engine does it in its own process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .activity import attributions, id_of, on_origin, type_of
from .errors import ForbiddenError

SUBJECT_KEYWORDS = frozenset({"@included", "@reverse", "@graph", "@nest"})
ATTRIBUTED_TO = "https://www.w3.org/ns/activitystreams#attributedTo"
# Activities whose object the node keeps (the `objects` table, the public graph).
KEEPING = frozenset({"Create", "Update"})
# `attributedTo` written as an IRI, which the JSON checks would not read as one.
_ATTRIBUTION_IRIS = frozenset({"as:attributedTo", ATTRIBUTED_TO})
# A node reduced to these keys only points at its subject: it says nothing about it.
_REFERENCE_KEYS = frozenset({"id", "@id"})


def check_received(activity: dict[str, Any], signer: str) -> None:
    """Refuse (ForbiddenError) a received activity that speaks for other subjects than its
    sender's origin's, as the JSON says it. `authorize` has checked the activity's own id,
    actor and object id."""
    keyword = _subject_keyword(activity)
    if keyword is not None:
        raise ForbiddenError(f"JSON-LD keyword {keyword} introduces other subjects: refused")
    obj = activity.get("object")
    if type_of(activity) not in KEEPING or not isinstance(obj, dict) or id_of(obj) == signer:
        return  # an actor's Update of itself is checked when its document is taken
    foreign = next((ref for ref in embedded_ids(obj) if not on_origin(ref, signer)), None)
    if foreign is not None:
        raise ForbiddenError(f"embedded node {foreign} is not on {signer}'s origin")
    # Authors at any depth, as for a member's own posts (`authorize` sees the top level only).
    author = next(
        (a for a in _all_attributions(obj) if a is not None and not on_origin(a, signer)), None
    )
    if author is not None:
        raise ForbiddenError(f"an embedded node is attributed to {author}, not {signer}'s origin")


def kept_object(activity: dict[str, Any], signer: str) -> dict[str, Any] | None:
    """The object the node will keep from this activity, with the context it is read in (as
    the public graph reads it), or None: the only part whose triples need checking."""
    obj = activity.get("object")
    if type_of(activity) not in KEEPING or not isinstance(obj, dict) or id_of(obj) == signer:
        return None
    if "@context" in obj or "@context" not in activity:
        return obj
    return {"@context": activity["@context"], **obj}


def embedded_ids(obj: dict[str, Any]) -> list[str]:
    """Ids of the nodes nested in `obj` (not `obj` itself, not its contexts) that say
    something about their subject: more keys than the id."""
    found: list[str] = []
    stack: list[Any] = [v for k, v in obj.items() if k != "@context"]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            ref = value.get("id", value.get("@id"))
            if isinstance(ref, str) and set(value) - _REFERENCE_KEYS:
                found.append(ref)
            stack.extend(v for k, v in value.items() if k != "@context")
    return found


def _subject_keyword(document: Any) -> str | None:
    """A keyword of SUBJECT_KEYWORDS used as a key, or defined by an inline context's term."""
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        value, in_context = stack.pop()
        if isinstance(value, list):
            stack.extend((v, in_context) for v in value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key in SUBJECT_KEYWORDS or key in _ATTRIBUTION_IRIS:
                    return str(key)
                # A term of a context, or a definition's container (`"@container": "@graph"`);
                # a definition's other keywords (`"@type": "@id"`) define no term.
                term = in_context and (not str(key).startswith("@") or key == "@container")
                if term and _aliases_keyword(inner) and not _as_named(key, inner):
                    return f"{_aliased(inner)} (as {key!r})"
                if isinstance(inner, dict | list):
                    stack.append((inner, in_context or key == "@context"))
    return None


def _aliases_keyword(definition: Any) -> bool:
    """A term the JSON walk would not read for what it is: an alias of a keyword that brings
    in other subjects, of `@id` (a node's subject under another name), or `attributedTo`
    under another name."""
    return _aliased(definition) in _HIDDEN


def _as_named(term: str, definition: Any) -> bool:
    """An inline copy of the standard terms (`"id": "@id"`): read by those names already."""
    aliased = _aliased(definition)
    return (term == "id" and aliased == "@id") or (
        term == "attributedTo" and aliased in _ATTRIBUTION_IRIS
    )


# What an inline context's term may not stand for: the node's checks read `id`/`@id` and
# `attributedTo` by those names, and refuse the subject keywords outright.
_HIDDEN = SUBJECT_KEYWORDS | {"@id", "as:attributedTo", ATTRIBUTED_TO}


def _aliased(definition: Any) -> str | None:
    """What a context's term definition maps its term to: a keyword, an IRI, or None."""
    if isinstance(definition, str):
        return definition
    if isinstance(definition, list):  # an `@container` list: ["@graph", "@index"]
        return next((d for d in definition if d in SUBJECT_KEYWORDS), None)
    if isinstance(definition, dict):
        if "@reverse" in definition:
            return "@reverse"
        ref = definition.get("@id")
        return ref if isinstance(ref, str) else None
    return None


# --- a member's own activities (client to server) ---------------------------------------------

# Activities that may carry an object the node does not mint (Create mints its object).
EMBEDDING = frozenset({"Announce", "Like", "Add", "Remove", "Update"})
_REFERS = frozenset({"Announce", "Like", "Add", "Remove"})


def check_published(
    activity: dict[str, Any], actor: str, is_local: Callable[[str], bool]
) -> str | None:
    """A member speaks only for itself: refuse (ForbiddenError) an object it publishes or
    embeds that the node would serve as another local actor's. Returns the local id of an
    embedded object the caller must still find to be the actor's own publication (that needs
    the store), or None.

    - every `attributedTo` on the node's origin, at any depth, is the actor itself: nobody
      writes in the place's or another member's name;
    - a node nested in the object (a tag, a location) never describes one of the node's own
      ids: the node holds those documents, the client names them by id;
    - an `Announce`, `Like`, `Add` or `Remove` embedding an object with one of the node's ids
      describes it only if it is the actor's own (checked by the caller); an `Update`'s is
      checked so by `objects`, which then sets its id and attribution as a Create's are. (An
      embedded object without id is refused by `normalize`: only a Create brings one into
      being, with the id and attribution the node mints.)
    """
    obj = activity.get("object")
    if not isinstance(obj, dict) or id_of(obj) == actor:
        return None  # an actor's Update of itself: the node sends its own document instead
    for author in _all_attributions(obj):
        if author is not None and is_local(author) and author != actor:
            raise _not_yours(f"embedded object attributed to {author}")
    for ref in embedded_ids(obj):
        if is_local(ref) and ref != actor:
            raise _not_yours(f"embedded node {ref} describes one of the node's objects")
    kind = type_of(activity)
    if kind not in EMBEDDING:
        return None
    obj_id = id_of(obj)
    describes = bool(set(obj) - _REFERENCE_KEYS)
    if kind in _REFERS and obj_id is not None and is_local(obj_id) and describes:
        return obj_id
    return None


def not_own(obj_id: str) -> ForbiddenError:
    """The refusal of an embedded object of the node's that is not the actor's own."""
    return _not_yours(f"embedded object {obj_id} is not the actor's own")


def _not_yours(log: str) -> ForbiddenError:
    return ForbiddenError(
        log,
        fr="On ne publie qu'en son propre nom : un objet du lieu ou d'un autre membre se "
        'désigne par son identifiant (« object »: "https://…"), sans le recopier.',
        en="One publishes only in one's own name: an object of the place or of another "
        "member is named by its id ('object': \"https://…\"), not copied.",
    )


def _all_attributions(obj: dict[str, Any]) -> list[str | None]:
    found: list[str | None] = []
    stack: list[Any] = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            found += attributions(value)
            stack.extend(v for k, v in value.items() if k != "@context")
    return found

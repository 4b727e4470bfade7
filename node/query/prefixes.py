"""The prefixes every query may use without declaring them, and that the exports write."""

PREFIXES = {
    "as": "https://www.w3.org/ns/activitystreams#",
    "tl": "https://w3id.org/interlieux/ns#",
    "sk": "https://w3id.org/interlieux/skills#",
    "schema": "http://schema.org/",
    "vf": "https://w3id.org/valueflows/ont/vf#",
    "mz": "https://joinmobilizon.org/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sec": "https://w3id.org/security#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}

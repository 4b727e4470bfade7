"""Compensation between places: claims, the double-entry books, settlements, Crédit Inter-Lieux.

Pure parts: `money`, `proof`, `claim`, `netting`. Edges: `exchange` (claims and answers as
activities), `settlement`, `credit`, `scheduler`, `cli`, `routes`. Nothing is imported here, so
that `node.store` can read `schema` without importing the rest.
"""

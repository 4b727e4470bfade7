"""Actors: the place (Organization) and its members (Person), and the remote actors we know."""

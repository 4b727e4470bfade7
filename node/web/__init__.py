"""Pages for people, French first."""

"""Volunteer calls and service requests: a place's calls, members' offers, matching, hours."""

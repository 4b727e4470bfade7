"""The place's agenda: events shaped as Mobilizon publishes them, Join/Leave with capacity,
iCalendar and Atom feeds."""

"""The door: reads a member's card through PC/SC, verifies its grant offline, reports visits."""

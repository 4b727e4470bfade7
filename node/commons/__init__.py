"""What a place asks for and what it commits to: needs, and co-financing pledges."""

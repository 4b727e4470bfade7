"""How the places of a network decide together: proposals, signed votes, results anyone recounts."""

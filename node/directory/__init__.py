"""The place's directory: its own details, its residents (résidentothèque) and their skills."""

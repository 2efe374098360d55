"""Rasa NLU components of ours and the Danish spaCy pipeline they run on (built at setup)."""

"""Arbejdsmiljøguiden: the domain knowledge and logic behind the Rasa bot.

Nothing here imports Rasa; `actions/` and the NLU component adapt it to Rasa.
"""

"""Arbejdsmiljøguiden: the Rasa bot's own code, in folders by role.

- `domain/`   the offers, the path through a conversation and every sentence built from data (pure Python)
- `data/`     the knowledge as data: catalogue, places, institutions, the record schema
- `nlu/`      Rasa NLU components and the Danish spaCy pipeline
- `channels/` input channels and the checks every message passes
- `server/`   the launcher, the servers, stores and patches of Rasa
- `records/`  filed records, delivery, receipts, conversations and their deletion
"""

"""The domain: what the offers are and how a conversation goes, as pure Python.

Nothing here imports Rasa, Sanic, SQLAlchemy or reads the environment; only the standard
library and PyYAML (tests/domain/test_purity.py checks it). Rasa's side is in `actions/`,
`bot/nlu` and `bot/channels`; storage is in `bot/records`.
"""

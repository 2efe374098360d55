"""Rasa input channels (REST, web chat, Slack, the privacy page) and what all of them check first."""

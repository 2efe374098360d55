"""Thin rasa-sdk actions: read slots, call `bot/`, send replies, return events."""

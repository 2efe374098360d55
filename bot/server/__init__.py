"""Running the bot: the launcher, the Rasa server and action server, their stores and patches."""

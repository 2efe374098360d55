"""What the bot keeps: filed records and their outbox, delivery and receipts, conversations and their deletion."""

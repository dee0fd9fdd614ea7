"""Sending what the bot says on its own: the outbox dispatcher, its pure rules, and the clock."""

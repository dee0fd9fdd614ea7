"""The Telegram channel (python-telegram-bot 22): long polling or webhook, rendering, a Sender."""

CHANNEL = "telegram"

"""The WhatsApp Cloud API channel: a typed Graph client, webhook parsing, rendering, a Sender."""

CHANNEL = "whatsapp"

"""Every word a user reads: Jinja2 templates per locale and the functions that render them."""

from messages.markup import to_plain, to_telegram_html, to_whatsapp
from messages.render import LOCALES, RenderedChoice, RenderedReply, Renderer

__all__ = [
    "LOCALES",
    "RenderedChoice",
    "RenderedReply",
    "Renderer",
    "to_plain",
    "to_telegram_html",
    "to_whatsapp",
]

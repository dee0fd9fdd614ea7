"""Formatting written once in templates, converted per channel.

Templates use WhatsApp's markers: `*bold*` and `_italic_`. Telegram gets HTML
(escaped first, so user text can never inject tags); the console gets plain text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])", re.DOTALL)


def to_whatsapp(text: str) -> str:
    return text


@lru_cache(maxsize=256)
def to_telegram_html(text: str) -> str:
    """Pure, and a broadcast converts the same text for every recipient: the last few are kept."""
    escaped = html.escape(text, quote=False)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _ITALIC.sub(r"<i>\1</i>", escaped)


def to_plain(text: str) -> str:
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


def split_text(text: str, limit: int) -> list[str]:
    """Split long text under `limit` characters, at paragraph, then line, then word breaks."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts

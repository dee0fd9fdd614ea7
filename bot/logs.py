"""Structured logging: one line per event, `key=value` pairs, personal data redacted.

Log calls name an event and pass fields: `log.info("message.handled", extra={"user_id": 7})`.
Message texts are never logged; as a second line of defence any run of 16 digits
(the shape of a NIK, also written with spaces, dots or dashes) is replaced before a
line is written.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}
# 16 digits, also as owners type them: "6372 0245 0190 0003", "6372.0245.0190.0003".
_NIK_LIKE = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")
_NEEDS_QUOTES = re.compile(r"[\s\"=]")


def _value(value: object) -> str:
    text = str(value)
    if not text or _NEEDS_QUOTES.search(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def redact(text: str) -> str:
    return _NIK_LIKE.sub("[redacted]", text)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        parts = [f"ts={at}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        parts.append(f"event={_value(record.getMessage())}")
        parts.extend(
            f"{key}={_value(value)}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and value is not None
        )
        if record.exc_info:
            parts.append(f"exc={_value(self.formatException(record.exc_info))}")
        return redact(" ".join(parts))


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries' chatter (HTTP request lines carry bot tokens in URLs) stays out below WARNING.
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))

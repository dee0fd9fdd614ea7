"""Long polling: getUpdates in a loop; each batch is stored (deduplicated by update_id),
then confirmed by the next offset, then processed from the store like a webhook delivery.

The updates are read as the Bot API's JSON, as a webhook receives them: they are stored as
such, so building PTB's `Update` objects here (and turning them back into dicts) would be
work thrown away. `BaseRequest.post` still raises PTB's errors for an error answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.inbound import InboundProcessor
from bot.channels.telegram.channel import retry_seconds
from bot.channels.telegram.ingest import ALLOWED_UPDATES, store_updates
from bot.channels.telegram.request import FormFields

log = logging.getLogger(__name__)

POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates open
BACKOFF_MAX = 30.0


class Poller:
    def __init__(self, bot: Bot, processor: InboundProcessor, *, timeout: int = POLL_TIMEOUT) -> None:
        self.bot = bot
        self.processor = processor
        self.timeout = timeout
        self.offset: int | None = None
        self.last_error: str | None = None

    async def run(self) -> None:
        """Poll until cancelled. Network trouble backs off and retries; a bad token stops."""
        backoff = 1.0
        while True:
            try:
                updates = await self._get_updates()
                rows = await self.processor.write(partial(store_updates, updates=updates))
                ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
                if ids:
                    self.offset = max(ids) + 1
                self.processor.submit(rows)
                self.last_error = None
                backoff = 1.0
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                self.last_error = "invalid token"
                log.error("telegram.polling_stopped", extra={"error": "invalid token"})
                raise
            except RetryAfter as exc:
                self.last_error = str(exc)
                await asyncio.sleep(retry_seconds(exc))
            except (Conflict, NetworkError, TelegramError, OSError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("telegram.polling_error", extra={"error": self.last_error, "retry_in": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            except Exception as exc:  # the database: do not confirm, retry the same updates
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("telegram.polling_store_failed")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    async def _get_updates(self) -> list[dict[str, Any]]:
        fields = {"timeout": str(self.timeout), "allowed_updates": json.dumps(list(ALLOWED_UPDATES))}
        if self.offset is not None:
            fields["offset"] = str(self.offset)
        answer = await self.bot.request.post(
            f"{self.bot.base_url}/getUpdates",
            request_data=FormFields(fields),
            read_timeout=self.timeout + 10,
        )
        if not isinstance(answer, list):
            raise TelegramError(f"getUpdates answered {type(answer).__name__}, not a list of updates")
        return [update for update in answer if isinstance(update, dict)]

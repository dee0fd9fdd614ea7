"""What every messaging channel offers the rest of the app, and its one error tree.

Platform clients translate their status and error codes into these exceptions
where they enter (`raise … from exc`); nothing logs an error and returns None.

    ChannelError
    ├── RateLimited          429, WhatsApp 130429 / 131056: pause the channel, retry after `retry_after`
    ├── RecipientBlocked     Telegram 403 (blocked the bot, deactivated): stop sending to this user
    ├── OutsideWindow        WhatsApp 131047: more than 24 h since the user wrote; send a template instead
    ├── Undeliverable        WhatsApp 131026: the number cannot receive this message
    ├── AuthenticationFailed bad token (Telegram 401, Graph 190): fix the settings, retrying will not help
    ├── TemporaryFailure     5xx, timeouts, connection errors: retry with backoff
    └── PermanentFailure     any other refusal (bad request): do not retry
        └── NoTemplate       no approved template for this kind of message: do not retry
"""

from __future__ import annotations

from typing import Protocol

from messages import RenderedReply


class ChannelError(Exception):
    """A platform refused or failed a call. `code` is the platform's own error code, if any."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RateLimited(ChannelError):
    def __init__(self, message: str, *, retry_after: float, code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class RecipientBlocked(ChannelError):
    pass


class OutsideWindow(ChannelError):
    pass


class Undeliverable(ChannelError):
    pass


class AuthenticationFailed(ChannelError):
    pass


class TemporaryFailure(ChannelError):
    pass


class PermanentFailure(ChannelError):
    pass


class NoTemplate(PermanentFailure):
    """The channel has no approved template for this kind of message; the text names the kind."""


class Sender(Protocol):
    """Sends rendered messages to one user of one channel; used by replies and the outbox alike."""

    channel: str

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        """Send one reply (split, buttons, attachment as the platform needs); return the provider
        message id of the last message sent. Raises a `ChannelError`."""
        ...

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        """Send `text` as the platform-approved template for outbox rows of `kind` (WhatsApp,
        outside the 24-hour window). Channels without templates raise `PermanentFailure`; a
        channel with no approved template for `kind` raises `NoTemplate`."""
        ...

"""The 24-hour customer service window: outside it, WhatsApp takes only approved template messages.

Meta refuses a free-form send outside the window (Graph error 131047) either at once, or, more
often, accepts it and reports the failure later in a status webhook. The outbox handles the
first case when it sends; the second is decided here, where the status webhook comes in.
Either way the row goes again as the approved template for its kind, its text the one body
parameter (`template_parameter`).
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.channels.whatsapp import CHANNEL
from bot.outbox.flags import as_template, sends_as_template
from messages import to_whatsapp
from storage.models.outbox import FAILED, PENDING
from storage.repositories import Transaction

# Graph error code of a send outside the 24-hour customer service window.
OUTSIDE_WINDOW = 131047

_REPORTED = f"outside the 24-hour window, reported by a status webhook (code {OUTSIDE_WINDOW})"

# A WhatsApp template body parameter may hold no newline or tab and at most four spaces in a
# row, and a template body is at most 1,024 characters: the text is cut at 1,000, leaving a
# little room for the template's own words.
TEMPLATE_PARAMETER_MAX = 1000
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_SPACES = re.compile(r"\s+")


def template_parameter(text: str) -> str:
    """A rendered message as one template body parameter: WhatsApp markup on one line, cut short."""
    flat = _SPACES.sub(" ", _LINE_BREAKS.sub(" · ", to_whatsapp(text).strip()))
    if len(flat) <= TEMPLATE_PARAMETER_MAX:
        return flat
    return flat[: TEMPLATE_PARAMETER_MAX - 1].rstrip() + "…"


async def outside_window(tx: Transaction, external_id: str, wamid: str, now: datetime) -> str | None:
    """A send that was accepted, then reported failed with WhatsApp 131047 (a status webhook).

    A row sent as free-form text goes back to pending at once, flagged to go as its
    template; a row already sent as the template ends failed. Only a `sent` row whose
    provider id matches is touched, so a replayed status (the row is pending again, or
    holds the template's id by then) changes nothing. Returns the row's new status, or
    None when the id is no outbox row's (a direct reply) or the status was handled before.
    """
    row = await tx.outbox.find_sent(CHANNEL, external_id, wamid)
    if row is None:
        return None
    if sends_as_template(row.payload):
        failed = await tx.outbox.fail_sent(row.id, wamid, f"the template was refused too: {_REPORTED}")
        return FAILED if failed else None
    requeued = await tx.outbox.requeue_sent(
        row.id, wamid, payload=as_template(row.payload), reason=_REPORTED, now=now
    )
    return PENDING if requeued else None

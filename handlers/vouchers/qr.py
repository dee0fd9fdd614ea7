"""The voucher's QR code: a PNG whose content is PUBLIC_URL/v/CODE, the courier's scan page."""

from __future__ import annotations

import io

import segno

from handlers.types import Attachment
from handlers.vouchers import codes


def scan_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/v/{codes.display(code)}"


def qr_image(public_url: str, code: str) -> Attachment:
    """A PNG a phone camera reads from another phone's screen or a printout (error correction M)."""
    buffer = io.BytesIO()
    segno.make(scan_url(public_url, code), error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return Attachment(f"voucher-{codes.display(code)}.png", buffer.getvalue(), "image/png")

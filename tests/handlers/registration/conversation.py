"""Scripted registration conversations shared by the registration tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.router import Router
from handlers.types import Incoming
from messages import Renderer, to_plain

NIK = "6372024501900003"  # Kota Banjarbaru, Kec. Landasan Ulin; female, born 5 January 1990
OTHER_NIK = "6372021203850001"

Send = Callable[[str], Awaitable[list[str]]]

# (what the owner types, a piece of what the bot must answer) from "halo" to the summary.
HAPPY_PATH: list[tuple[str, str]] = [
    ("halo", "Menu utama"),
    ("Daftar usaha", "Pemberitahuan data pribadi"),
    ("Setuju", "nama lengkap"),
    ("Siti Aminah", "Tulis *NIK*"),
    (NIK, "Landasan Ulin"),
    ("Benar", "Nomor *HP*"),
    ("0812-3456-7890", "nama usaha"),
    ("Warung Bu Tini", "bidang"),
    ("Kuliner (makanan & minuman)", "KBLI 2020"),
    ("56101", "kecamatan"),
    ("Landasan Ulin", "kelurahan/desa"),
    ("Guntung Payung", "alamat jalan"),
    ("Jl. A. Yani Km. 5 No. 12", "mulai tahun"),
    ("2019", "tenaga kerja"),
    ("3 orang", "omzet"),
    ("150jt", "modal usaha"),
    ("Rp 20 juta", "NIB"),
    ("belum punya", "Mau dibantu?"),
    ("Ya", "Ringkasan pendaftaran"),
]


def router_sender(router: Router, renderer: Renderer, channel: str, user: str) -> Send:
    async def send(text: str) -> list[str]:
        response = await router.handle(Incoming(channel=channel, external_user_id=user, text=text))
        return [to_plain(renderer.render_reply(r, response.locale).text) for r in response.replies]

    return send


async def to_summary(send: Send, nik: str = NIK) -> str:
    """Walk the happy path up to the summary; return the summary text."""
    replies: list[str] = []
    for text, expected in HAPPY_PATH:
        replies = await send(nik if text == NIK else text)
        joined = "\n".join(replies)
        assert expected.replace("*", "") in joined, f"after {text!r}: {joined}"
    return "\n".join(replies)

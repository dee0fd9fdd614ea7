"""Trainings over each platform, through the real HTTP paths and the outbox: the announcement's
"Daftar" button, the waiting list and a seat offer taken with "Terima kursi", the reminder, HADIR
with the code of the day, and after the end the feedback buttons and the PDF certificate as a
document (Telegram sendDocument; WhatsApp a media upload, or the approved template outside the
24-hour window). The app runs on the real clock: the training starts 50 minutes from now (check-in
is open); "the day after signing up" moves the sign-ups a day back (the two-hour reminder is
then due for them), and "after the end" moves the training into the past.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import update

from bot.runner import Service
from handlers.trainings import TrainingPlanner
from handlers.trainings.attendance import code_of_the_day
from handlers.trainings.schedule import announce, create_training
from handlers.types import utcnow
from storage.models.trainings import Enrolment, Training
from tests.bot.channels.conftest import (
    StartService,
    post_whatsapp,
    settle,
    telegram_settings,
    whatsapp_settings,
)
from tests.bot.channels.test_update_round_over_platforms import _settings
from tests.fakes import FakeTelegram, FakeWhatsApp, button_reply_payload, status_payload, text_message_payload
from tests.handlers.trainings.helpers import enrolments, plan, register_owner, seating

SITI, BUDI = 70011, 70012
WA_SITI, WA_BUDI = "6281355500011", "6281355500012"


async def _training(service: Service, capacity: int = 1) -> int:
    """Starting in 50 minutes, announced to the registered owners."""
    now = utcnow()
    async with service.app.db.transaction() as tx:
        training = await create_training(
            tx,
            officer="officer:test",
            plan=plan(
                capacity=capacity, starts_at=now + timedelta(minutes=50), ends_at=now + timedelta(hours=3)
            ),
            now=now,
        )
        await announce(
            tx, seating(service.app.agency), officer="officer:test", training_id=training.id, now=now
        )
    return training.id


async def _plan(service: Service) -> int:
    app = service.app
    return await TrainingPlanner(app.db, app.agency, app.router.config).plan(utcnow())


async def _end(service: Service, training_id: int) -> None:
    """The training is over: it ran from three hours ago until a minute ago."""
    now = utcnow()
    async with service.app.db.transaction() as tx:
        await tx.session.execute(
            update(Training)
            .where(Training.id == training_id)
            .values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(minutes=1))
        )


async def _signed_up_yesterday(service: Service) -> None:
    """Time passes: the participants signed up before the two-hour reminder's time."""
    async with service.app.db.transaction() as tx:
        await tx.session.execute(update(Enrolment).values(confirmed_at=utcnow() - timedelta(days=1)))


async def _code(service: Service, training_id: int) -> str:
    async with service.app.db.transaction() as tx:
        training = await tx.trainings.get(training_id)
        assert training is not None
    return code_of_the_day(training, service.app.agency, utcnow())


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def plain(message: dict[str, Any]) -> str:
    """A Telegram message's text (or caption) without its HTML bold."""
    return re.sub(r"</?b>", "", str(message.get("text") or message.get("caption") or ""))


class TelegramUser:
    def __init__(self, service: Service, tg: FakeTelegram, chat: int) -> None:
        self.service, self.tg, self.chat = service, tg, chat

    def messages(self) -> list[dict[str, Any]]:
        return self.tg.sent_messages(self.chat)

    async def wait(self, words: str) -> dict[str, Any]:
        """The first message the bot sent on its own that contains `words`, once it has come."""

        def came(calls: object) -> bool:
            return any(words in plain(m) for m in self.messages())

        await self.tg.wait_for_async(came, timeout=15)
        return next(m for m in self.messages() if words in plain(m))

    async def _exchange(self, update: dict[str, Any]) -> str:
        before = len(self.messages())
        self.tg.push_update(update)
        await self.tg.wait_for_messages_async(before + 1, chat_id=self.chat, timeout=10)
        await settle(self.service)
        return "\n".join(plain(m) for m in self.messages()[before:])

    async def say(self, text: str) -> str:
        return await self._exchange(self.tg.text_update(self.chat, text))

    async def press(self, message: dict[str, Any], label: str) -> str:
        keyboard = message["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in keyboard for b in row if label in b["text"])
        message_id = self.tg.bot_messages(self.chat)[-1]["message_id"]
        return await self._exchange(self.tg.callback_update(self.chat, data, message_id=message_id))


async def test_trainings_over_telegram(start_service: StartService, tg: FakeTelegram, tmp_path: Path) -> None:
    service = await start_service(
        **_settings(tmp_path, telegram_settings(tg)), outbox_telegram_per_chat_seconds=0
    )
    db = service.app.db
    await register_owner(db, str(SITI), 1, channel="telegram", name="Siti Aminah")
    await register_owner(db, str(BUDI), 2, channel="telegram")
    siti, budi = TelegramUser(service, tg, SITI), TelegramUser(service, tg, BUDI)
    training_id = await _training(service)

    announcement = await siti.wait("Pelatihan: Sablon kaos untuk pemula")
    assert f"DAFTAR {training_id}" in plain(announcement)
    assert "Anda terdaftar" in await siti.press(announcement, "Daftar")
    assert "daftar tunggu nomor 1" in await budi.press(await budi.wait("Pelatihan: Sablon"), "Daftar")

    await siti.say("menu")
    await siti.say("Pelatihan saya")
    await siti.say("1")
    await siti.say("Batalkan pendaftaran")
    assert "dibatalkan" in await siti.say("Ya")
    offer = await budi.wait("Ada kursi kosong untuk Anda")
    assert "sekarang milik Anda" in await budi.press(offer, "Terima kursi")

    await _signed_up_yesterday(service)
    assert await _plan(service) >= 1  # the two-hour reminder is due
    reminder = await budi.wait("Pengingat pelatihan")
    assert "dua jam lagi" in plain(reminder) and "Aula Diskopumnaker" in plain(reminder)
    assert "tercatat hadir" in await budi.say(f"HADIR {await _code(service, training_id)}")

    await _end(service, training_id)
    await _plan(service)  # the feedback request and the certificate
    await tg.wait_for_async(lambda calls: any(c.method == "sendDocument" for c in calls), timeout=15)
    [document] = tg.calls_to("sendDocument")
    assert str(document["chat_id"]) == str(BUDI)
    pdf = document["document"]
    assert pdf.content_type == "application/pdf" and pdf.filename.endswith(".pdf")
    assert "Pemilik 2" in _pdf_text(pdf.data) and "Sablon kaos untuk pemula" in _pdf_text(pdf.data)
    feedback = await budi.wait("Seberapa bermanfaat")
    assert "saran" in (await budi.press(feedback, "5")).lower()
    assert "Terima kasih atas penilaian" in await budi.say("Praktiknya banyak, bagus")
    [_, rated] = await enrolments(db, training_id)
    assert (rated.rating, rated.comment) == (5, "Praktiknya banyak, bagus")


async def test_trainings_over_whatsapp(start_service: StartService, wa: FakeWhatsApp, tmp_path: Path) -> None:
    service = await start_service(
        **_settings(tmp_path, whatsapp_settings(wa)), outbox_whatsapp_per_user_seconds=0
    )
    db = service.app.db
    await register_owner(db, WA_SITI, 1, channel="whatsapp", name="Siti Aminah")
    await register_owner(db, WA_BUDI, 2, channel="whatsapp")

    async def say(payload: dict[str, Any], to: str) -> str:
        before = len(wa.sent_messages(to=to))
        assert (await post_whatsapp(service, payload)).status_code == 200
        await settle(service)
        return "\n".join(str(m) for m in wa.sent_messages(to=to)[before:]).replace("*", "")

    training_id = await _training(service, capacity=2)
    for wa_id in (WA_SITI, WA_BUDI):
        await wa.wait_for_messages_async(1, to=wa_id, timeout=15)
        [announcement] = wa.sent_messages(to=wa_id)
        buttons = announcement["interactive"]["action"]["buttons"]
        assert [b["reply"]["id"] for b in buttons] == [f"tr:join:{training_id}"]
        joined = await say(button_reply_payload(wa_id, f"tr:join:{training_id}", "Daftar"), wa_id)
        assert "Anda terdaftar" in joined
        code = await _code(service, training_id)
        assert "tercatat hadir" in await say(text_message_payload(wa_id, f"hadir {code}"), wa_id)

    await _end(service, training_id)
    await _plan(service)
    for wa_id in (WA_SITI, WA_BUDI):
        await wa.wait_for_async(lambda calls, to=wa_id: _documents(wa, to) == 1, timeout=15)
    [document] = [m for m in wa.sent_messages(to=WA_SITI) if m["type"] == "document"]
    assert document["document"]["filename"].endswith(".pdf")
    uploaded = wa.uploaded_media[document["document"]["id"]]
    assert uploaded.content_type == "application/pdf"
    text = _pdf_text(uploaded.data)
    assert "Siti Aminah" in text and "Nomor verifikasi: BJB-PLT" in text

    # Meta accepted Budi's document, then reports him outside the 24-hour window: the approved
    # template carries the message's words (where else to get the PDF), without the file.
    wamid = wa.message_ids(to=WA_BUDI)[-1]
    assert (
        await post_whatsapp(service, status_payload(wamid, "failed", WA_BUDI, error_code=131047))
    ).status_code == 200
    await wa.wait_for_async(lambda calls: any(c.params.get("type") == "template" for c in calls), timeout=15)
    [template] = [m for m in wa.sent_messages(to=WA_BUDI) if m["type"] == "template"]
    assert template["template"]["name"] == "pemberitahuan_dinas"
    assert "Kirim sertifikat" in str(template["template"]["components"])


def _documents(wa: FakeWhatsApp, to: str) -> int:
    return sum(1 for m in wa.sent_messages(to=to) if m["type"] == "document")

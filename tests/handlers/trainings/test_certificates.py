"""After the end: those who attended are asked for a rating and get a PDF certificate (name,
training, date, agency, verification number), built when the outbox sends it; the PDF is opened
here and its text read."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from bot.app import App, declared_kinds
from bot.outbox.dispatcher import ChannelDispatcher, DispatchConfig
from bot.outbox.ratelimit import ChannelLimits
from handlers.capability import quiet_kinds
from messages import RenderedReply, Renderer
from storage.models.outbox import FAILED, SENT
from tests.handlers.trainings.helpers import (
    ENDS,
    STARTS,
    Clock,
    Scene,
    add_training,
    enrolments,
    option,
    outbox_rows,
    register_owner,
)

TG = "telegram"


@dataclass
class RecordingSender:
    """A channel's Sender that keeps what it was asked to send."""

    channel: str = TG
    sent: list[tuple[str, RenderedReply]] = field(default_factory=list)

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append((external_id, reply))
        return f"{external_id}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("no template expected")


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


async def sweep(app: App, clock: Clock, sender: RecordingSender) -> None:
    dispatcher = ChannelDispatcher(
        app.db,
        sender,
        Renderer(app.agency.time_zone, app.agency.template_values(), clock=clock),
        app.agency,
        limits=ChannelLimits(500.0, 0.0),
        config=DispatchConfig(quiet_kinds=quiet_kinds(declared_kinds())),
        clock=clock,
        attachments=app.attachments(),
    )
    await dispatcher.sweep()


async def _attended_and_no_show(scene: Scene) -> tuple[int, int, int]:
    """Siti attended, Budi did not come; returns the training's id and their user ids."""
    db, chat = scene.db, scene.chat
    training = await add_training(db, title="Pemasaran digital lewat WhatsApp", topic="pemasaran_digital")
    siti = await register_owner(db, "701", 1, channel=TG, name="Siti Aminah")
    budi = await register_owner(db, "702", 2, channel=TG)
    for user in ("701", "702"):
        await chat.send(user, f"daftar {training.id}", channel=TG)
    scene.clock.now = STARTS
    await scene.officer.run("training", "checkin", str(training.id), "BJB-2026-000001")
    return training.id, siti, budi


async def test_attendees_get_a_feedback_request_and_their_certificate_once(app: App, scene: Scene) -> None:
    db, clock = scene.db, scene.clock
    training_id, siti, _budi = await _attended_and_no_show(scene)
    plan = scene.planner()
    assert await plan.plan(ENDS - timedelta(minutes=1)) == 0
    assert await plan.plan(ENDS) == 2
    assert await plan.plan(ENDS + timedelta(minutes=5)) == 0
    assert {(r.user_id, r.kind) for r in await outbox_rows(db)} >= {
        (siti, "training.feedback"),
        (siti, "training.certificate"),
    }
    assert {r.user_id for r in await outbox_rows(db, "training.certificate")} == {siti}, "no-shows get none"

    clock.now = ENDS + timedelta(hours=1)  # 17:00 WITA, outside quiet hours
    sender = RecordingSender()
    await sweep(app, clock, sender)
    [(chat_id, feedback), (_, certificate)] = sorted(sender.sent, key=lambda s: s[1].document is not None)
    assert chat_id == "701" and feedback.choices[0].label.endswith("1")
    assert certificate.document is not None and certificate.document.mime_type == "application/pdf"
    assert "Sertifikat pelatihan Pemasaran digital lewat WhatsApp" in certificate.text
    [number] = [e.certificate_no for e in await enrolments(db) if e.user_id == siti]
    assert number is not None and number.startswith(f"BJB-PLT{training_id}-")
    text = pdf_text(certificate.document.content)
    for expected in (
        "SERTIFIKAT",
        "Siti Aminah",
        "Pemasaran digital lewat WhatsApp",
        "Sabtu, 14 Maret 2026",
        "Dinas Koperasi, Usaha Mikro dan Tenaga Kerja Kota Banjarbaru",
        number,
    ):
        assert expected in text, (expected, text)
    assert {r.status for r in await outbox_rows(db, user_id=siti) if r.kind != "training.reminder"} == {SENT}


async def test_a_rating_from_the_request_is_kept_at_once_and_a_comment_follows(scene: Scene) -> None:
    db, chat, clock = scene.db, scene.chat, scene.clock
    training_id, _siti, _budi = await _attended_and_no_show(scene)
    clock.now = ENDS + timedelta(hours=2)
    asked = await chat.press("701", f"tr:rate:{training_id}:5", channel=TG)
    assert "saran" in asked.lower() and "Lewati" in asked
    assert [e.rating for e in await enrolments(db)] == [5, None]
    done = await chat.send("701", "Materinya jelas, ingin kelas lanjutan", channel=TG)
    assert "Terima kasih atas penilaian" in done
    first = (await enrolments(db))[0]
    assert (first.rating, first.comment) == (5, "Materinya jelas, ingin kelas lanjutan")
    refused = await chat.press("702", f"tr:rate:{training_id}:1", channel=TG)
    assert "hanya untuk peserta yang hadir" in refused


async def test_the_certificate_can_be_asked_for_again_and_an_officer_can_resend_or_print_it(
    app: App, scene: Scene, tmp_path: Path
) -> None:
    db, chat, clock, officer = scene.db, scene.chat, scene.clock, scene.officer
    training_id, siti, _budi = await _attended_and_no_show(scene)
    clock.now = ENDS + timedelta(days=2)
    replies = await chat.send("701", "menu", channel=TG)
    replies = await chat.send("701", option(replies, "Pelatihan saya"), channel=TG)
    replies = await chat.send("701", "1", channel=TG)
    assert "Beri nilai" in replies
    coming = await chat.send("701", option(replies, "Kirim sertifikat"), channel=TG)
    assert "sebagai dokumen PDF" in coming
    printed = await officer.run("training", "certificate", str(training_id), "BJB-2026-000001")
    assert "dikirim lagi" in printed
    assert len(await outbox_rows(db, "training.certificate", siti)) == 2
    sender = RecordingSender()
    await sweep(app, clock, sender)
    assert [bool(reply.document) for _, reply in sender.sent] == [True, True]

    path = tmp_path / "sertifikat.pdf"
    written = await officer.run(
        "training", "certificate", str(training_id), "0812-3456-7801", "-o", str(path)
    )
    assert "ditulis ke" in written and "Siti Aminah" in pdf_text(path.read_bytes())


async def test_a_certificate_of_someone_erased_meanwhile_is_not_sent(app: App, scene: Scene) -> None:
    db, clock = scene.db, scene.clock
    _training_id, siti, _budi = await _attended_and_no_show(scene)
    await scene.planner().plan(ENDS)
    async with db.transaction() as tx:  # the rows are queued; the person's name goes before they are sent
        await tx.trainings.erase_person(siti)
    clock.now = ENDS + timedelta(hours=1)
    sender = RecordingSender()
    await sweep(app, clock, sender)
    assert all(reply.document is None for _, reply in sender.sent)
    [certificate] = await outbox_rows(db, "training.certificate")
    assert certificate.status == FAILED and "unavailable" in (certificate.last_error or "")

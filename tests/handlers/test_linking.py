"""One person on Telegram and WhatsApp: offered a link, linked only on yes, never nagged after no."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from handlers.types import Incoming
from messages import to_plain
from storage.models import AuditEntry, ChannelIdentity, Owner
from tests.handlers.registration.conversation import to_summary

PHONE = "+6281234567890"
WA_ID = "6281234567890"


async def say(app: App, incoming: Incoming) -> tuple[list[str], list[str]]:
    """(templates, visible choice labels) of the reply."""
    response = await app.router.handle(incoming)
    offered = next((r.choices for r in reversed(response.replies) if r.choices), ())
    labels = [to_plain(app.renderer.render_choice(c, response.locale).label) for c in offered]
    return [r.template for r in response.replies], labels


def whatsapp(text: str) -> Incoming:
    return Incoming("whatsapp", WA_ID, text=text, sender_phone="+" + WA_ID)


def telegram(text: str = "", **kw: str) -> Incoming:
    return Incoming("telegram", "555", text=text, **kw)


async def register_on_whatsapp(app: App) -> None:
    async def send(text: str) -> list[str]:
        response = await app.router.handle(whatsapp(text))
        return [to_plain(app.renderer.render_reply(r, response.locale).text) for r in response.replies]

    await to_summary(send)
    await send("Simpan")


async def test_a_telegram_user_sharing_the_same_number_is_offered_a_link_and_sees_the_registration(
    app: App,
) -> None:
    await register_on_whatsapp(app)
    _, labels = await say(app, telegram("halo"))
    assert "Gabungkan akun Telegram & WhatsApp" not in labels  # no number vouched for yet
    _, labels = await say(app, telegram(shared_phone="+62 812-3456-7890"))
    assert "Gabungkan akun Telegram & WhatsApp" in labels
    assert "Daftar usaha" in labels  # still a separate, unregistered user
    templates, _ = await say(app, telegram("Gabungkan akun Telegram & WhatsApp"))
    assert templates == ["linking/offer"]
    templates, labels = await say(app, telegram("Ya, gabungkan"))
    assert templates[0] == "linking/done"
    assert "Data saya" in labels and "Daftar usaha" not in labels
    async with app.db.transaction() as tx:
        identities = (await tx.session.execute(select(ChannelIdentity))).scalars().all()
        assert len({i.user_id for i in identities}) == 1  # both channels, one user
        owner = (await tx.session.execute(select(Owner))).scalar_one()
        assert owner.user_id == identities[0].user_id
        actions = (await tx.session.execute(select(AuditEntry.action))).scalars().all()
        assert "identity.linked" in actions
    templates, _ = await say(app, whatsapp("menu"))  # WhatsApp keeps working for the same person
    assert templates == ["menu/main"]


async def test_no_means_no_and_is_not_asked_again(app: App) -> None:
    await say(app, whatsapp("halo"))
    await say(app, telegram(shared_phone=PHONE))
    await say(app, telegram("Gabungkan akun Telegram & WhatsApp"))
    templates, labels = await say(app, telegram("Tidak"))
    assert templates[0] == "linking/declined"
    assert "Gabungkan akun Telegram & WhatsApp" not in labels
    _, labels = await say(app, telegram("menu"))
    assert "Gabungkan akun Telegram & WhatsApp" not in labels
    async with app.db.transaction() as tx:
        users = (await tx.session.execute(select(ChannelIdentity.user_id))).scalars().all()
        assert len(set(users)) == 2


async def test_a_different_number_is_never_offered(app: App) -> None:
    await say(app, whatsapp("halo"))
    _, labels = await say(app, telegram(shared_phone="+6281298765432"))
    assert "Gabungkan akun Telegram & WhatsApp" not in labels

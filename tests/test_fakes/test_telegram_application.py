"""A whole PTB Application polling the fake: updates in, answers recorded."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes import FakeTelegram


async def _greet(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_text(f"Halo {update.effective_user.first_name}, ketik menu")


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"Anda menulis: {update.effective_message.text}")


async def _pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Pilihan: {query.data}")


async def test_application_polling_answers_pushed_updates(tg: FakeTelegram) -> None:
    app = (
        Application.builder()
        .token(tg.token)
        .base_url(tg.api_base_url)
        .base_file_url(tg.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", _greet))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    app.add_handler(CallbackQueryHandler(_pressed))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=2)
        tg.push_update(tg.text_update(7001, "/start", first_name="Rina"))
        tg.push_update(tg.text_update(7001, "daftar usaha"))

        await tg.wait_for_messages_async(2, chat_id=7001)
        greeting = tg.bot_messages(7001)[0]
        tg.push_update(tg.callback_update(7001, "warung", message_id=greeting["message_id"]))
        await tg.wait_for_async(lambda calls: any(c.method == "editMessageText" for c in calls))

        await app.updater.stop()
        await app.stop()

    assert [m["text"] for m in tg.sent_messages(7001)] == [
        "Halo Rina, ketik menu",
        "Anda menulis: daftar usaha",
    ]
    assert [m["text"] for m in tg.bot_messages(7001)] == ["Pilihan: warung", "Anda menulis: daftar usaha"]
    assert len(tg.calls_to("answerCallbackQuery")) == 1
    assert tg.pending_updates == []  # the updater confirmed everything on stop

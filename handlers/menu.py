"""The main menu, language choice and help: what every user has from the first message."""

from __future__ import annotations

from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow
from handlers.types import Choice, Reply

LANGUAGES = ("id", "en")


class LanguageFlow(OneStepFlow):
    """Ganti bahasa: Bahasa Indonesia or English, for every later message."""

    name = "language"

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        choices = [Choice(f"lang:{code}", template=f"language/name_{code}") for code in LANGUAGES]
        return [Reply("language/ask", choices=choices)]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        code = (answer.choice_id or "").removeprefix("lang:")
        if code not in LANGUAGES:
            return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]
        ctx.user.locale = code
        await ctx.tx.users.set_locale(ctx.user.id, code)
        conv.finish()
        return [Reply("language/changed"), *await ctx.nav.main_menu(ctx, conv)]


async def _language(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, LanguageFlow.name)


async def _help(ctx: Context, conv: Conversation) -> list[Reply]:
    return [Reply("help/general"), *await ctx.nav.main_menu(ctx, conv)]


LANGUAGE_ENTRY = MenuEntry("language", "menu/language", _language)
HELP_ENTRY = MenuEntry("help", "menu/help", _help)

"""One person, several channels (gabungkan akun).

When a channel vouches for a number (a WhatsApp sender, a Telegram contact shared
with the share-contact button) and another channel's user has the same number,
the main menu offers to link them. Nothing is linked without the owner's yes; a
no is remembered and not asked again. Linking is refused when both sides hold a
registration, since one person registers one business here.
"""

from __future__ import annotations

from handlers.context import PHONE_LINKABLE, Context, known_not
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow
from handlers.registration import service as registration
from handlers.types import Choice, Reply

CANDIDATE = "linking:candidate"
YES, NO = "link:yes", "link:no"


async def candidate(ctx: Context) -> int | None:
    """The other user this one could be linked with, looked up once per message."""

    async def look_up() -> int | None:
        if known_not(ctx, PHONE_LINKABLE):
            return None
        return await ctx.tx.links.candidate(ctx.identity)

    found = await ctx.remember(CANDIDATE, look_up)
    return found if isinstance(found, int) else None


async def _offered(ctx: Context) -> bool:
    return await candidate(ctx) is not None


class LinkFlow(OneStepFlow):
    name = "link"

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        choices = [Choice(YES, template="linking/choice_yes"), Choice(NO, template="linking/choice_no")]
        return [Reply("linking/offer", {"phone": ctx.identity.phone or ""}, choices=choices)]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        other = await candidate(ctx)
        if answer.choice_id == NO:
            ctx.identity.link_declined = True
            ctx.memo.pop(CANDIDATE, None)
            conv.finish()
            return [Reply("linking/declined"), *await ctx.nav.main_menu(ctx, conv)]
        if answer.choice_id != YES:
            return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]
        conv.finish()
        if other is None:
            return await ctx.nav.main_menu(ctx, conv)
        if await registration.is_registered(ctx) and await ctx.tx.owners.is_registered(other):
            return [Reply("linking/both_registered"), *await ctx.nav.main_menu(ctx, conv)]
        await ctx.tx.links.absorb(ctx.user.id, other)
        await ctx.tx.audit.record(
            actor=ctx.actor,
            action="identity.linked",
            subject=ctx.actor,
            details={"absorbed": f"user:{other}"},
        )
        ctx.memo.clear()
        return [Reply("linking/done"), *await ctx.nav.main_menu(ctx, conv)]


async def _start(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, LinkFlow.name)


LINK_ENTRY = MenuEntry("link", "linking/menu", _start, _offered)

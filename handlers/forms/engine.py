"""Runs a `Form` one message at a time; all progress lives in the conversation state.

Steps: a field name while asking it; `_summary` while the owner reviews and
confirms; `_pick` while choosing which answer to change; `_resume` after a long
pause or a return to an unfinished form (continue or start over).
"""

from __future__ import annotations

import copy
from typing import Any

from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.forms.fields import Field, Form, Option, resolve
from handlers.result import Invalid
from handlers.types import Choice, Reply

PAGE_SIZE = 10
SUMMARY, PICK, RESUME = "_summary", "_pick", "_resume"
NEXT_PAGE, PREV_PAGE = "nav:next", "nav:prev"
SKIP = "f:skip"
CONFIRM, CHANGE, CANCEL = "f:confirm", "f:change", "f:cancel"
CONTINUE, RESTART = "f:continue", "f:restart"
OPTION_PREFIX, FIELD_PREFIX = "o:", "e:"
# The answers a form started from (a correction starts from the stored data); "start over" returns to them.
ORIGIN = "origin"
# The questions asked so far, so `kembali` goes back only to one the owner saw; and, while one answer
# is being corrected from the summary, the answers before it and the questions asked since.
ASKED, CORRECTION = "asked", "correction"
PROGRESS = (ASKED, CORRECTION)


class FormFlow:
    """A flow driven by a declarative `Form`."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.name = form.name

    # Flow protocol -------------------------------------------------------

    async def start(
        self, ctx: Context, conv: Conversation, initial: dict[str, Any] | None = None
    ) -> list[Reply]:
        """Begin the form; with `initial` answers (correcting saved data) go straight to the summary.

        An unfinished draft of this form is offered first (continue, or start over). Starting
        over begins again from `initial` (the data as stored now), or from nothing.
        """
        draft = conv.drafts.get(self.name)
        if draft:
            conv.enter(
                self.name,
                RESUME,
                {
                    "answers": draft.get("answers", {}),
                    "resume_step": draft.get("step"),
                    ORIGIN: initial if initial is not None else draft.get(ORIGIN),
                    **{key: draft[key] for key in PROGRESS if key in draft},
                },
            )
            return [self._resume_prompt()]
        self._begin(conv, initial or {}, initial)
        replies = await self.form.intro(ctx, self._answers(conv)) if self.form.intro and not initial else []
        return replies + await self._advance(ctx, conv)

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        step = conv.step
        if step == RESUME:
            return await self._on_resume(ctx, conv, answer)
        if step == SUMMARY:
            return await self._on_summary(ctx, conv, answer)
        if step == PICK:
            return await self._on_pick(ctx, conv, answer)
        if step is None or not self.form.has_field(step):
            return await self._advance(ctx, conv)
        return await self._on_field(ctx, conv, self.form.field(step), answer)

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        step = conv.step
        if step == RESUME:
            return [self._resume_prompt()]
        if step == SUMMARY:
            return [await self._summary(ctx, conv)]
        if step == PICK:
            return [self._pick_prompt(conv)]
        if step is None or not self.form.has_field(step):
            return await self._advance(ctx, conv)
        return [await self._ask(ctx, conv, self.form.field(step))]

    async def back(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """Go to the previous question the owner was asked (its current answer is shown and can be
        kept by sending it again). While correcting one answer from the summary, back from that
        question returns to the summary with the answers as they were; from the summary, to the
        last question asked; with none asked before, leave the form (the main menu)."""
        correction = conv.data.get(CORRECTION)
        if conv.step == PICK:
            conv.step = SUMMARY
            return [await self._summary(ctx, conv)]
        if conv.step == SUMMARY:
            previous = self._asked_before(conv, None, self._asked(conv))
        elif conv.step is not None and self.form.has_field(conv.step):
            asked = correction["asked"] if correction else self._asked(conv)
            previous = self._asked_before(conv, conv.step, asked)
            if previous is None and correction:
                conv.data["answers"] = correction["answers"]
                conv.data.pop(CORRECTION)
                conv.step = SUMMARY
                return [await self._summary(ctx, conv)]
        else:
            return await self.reprompt(ctx, conv)
        if previous is None:
            # The menu leaves through `suspend`, so a flow's own rule for leaving holds here too.
            return await ctx.nav.main_menu(ctx, conv)
        return [await self._go_to(ctx, conv, previous)]

    def _begin(self, conv: Conversation, answers: dict[str, Any], origin: dict[str, Any] | None) -> None:
        """Enter the form afresh, from `answers` (prefilled ones were not asked); `origin` is what
        "start over" returns to."""
        conv.enter(self.name, None, {"answers": dict(answers), ORIGIN: origin, ASKED: []})

    def _asked(self, conv: Conversation) -> list[str]:
        """The questions asked so far. A form saved before they were kept (a conversation going
        on when this version was deployed) counts every answered question as asked."""
        asked: list[str] | None = conv.data.get(ASKED)
        if asked is None:
            asked = conv.data[ASKED] = [f.name for f in self.form.fields if f.name in self._answers(conv)]
        return asked

    def _asked_before(self, conv: Conversation, step: str | None, asked: list[str]) -> Field | None:
        """The last question in `asked` that still applies and comes before `step` (None: the end)."""
        answers = self._answers(conv)
        order = [f for f in self.form.fields if f.applies(answers)]
        end = next((i for i, f in enumerate(order) if f.name == step), len(order))
        return next((f for f in reversed(order[:end]) if f.name in asked), None)

    async def idle(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """After a long pause: offer to continue or start over, keeping every answer meanwhile."""
        if conv.step == RESUME:
            return [self._resume_prompt()]
        conv.data["resume_step"] = conv.step
        conv.step = RESUME
        return [self._resume_prompt()]

    def suspend(self, conv: Conversation) -> None:
        """Leave the form for now (menu, another flow, `kembali` before the first question), keeping
        the answers as a draft. The router calls it whichever way the form is left; a flow that
        keeps nothing (browsing) overrides it."""
        if conv.flow == self.name:
            step = conv.data.get("resume_step") if conv.step == RESUME else conv.step
            conv.drafts[self.name] = {
                "answers": self._answers(conv),
                "step": step,
                ORIGIN: conv.data.get(ORIGIN),
                **{key: conv.data[key] for key in PROGRESS if key in conv.data},
            }
        conv.finish()

    def cancel(self, conv: Conversation) -> None:
        conv.drafts.pop(self.name, None)
        conv.finish()

    # Steps -------------------------------------------------------------

    async def _on_field(self, ctx: Context, conv: Conversation, field: Field, answer: Answer) -> list[Reply]:
        choice = answer.choice_id or ""
        if choice in (NEXT_PAGE, PREV_PAGE):
            conv.data["page"] = max(0, int(conv.data.get("page", 0)) + (1 if choice == NEXT_PAGE else -1))
            return [await self._ask(ctx, conv, field)]
        value = await self._value_of(ctx, conv, field, answer)
        if isinstance(value, Invalid):
            return [Reply(f"errors/{value.key}", value.values), await self._ask(ctx, conv, field)]
        self._store(conv, field, value)
        return await self._advance(ctx, conv)

    async def _value_of(self, ctx: Context, conv: Conversation, field: Field, answer: Answer) -> Any:
        if answer.choice_id == SKIP and field.optional:
            return None
        if answer.choice_id and answer.choice_id.startswith(OPTION_PREFIX):
            option = await self._option(ctx, conv, field, answer.choice_id[len(OPTION_PREFIX) :])
            if option is not None:
                for name in option.clears:
                    conv.data["answers"].pop(name, None)
                return option.value
        if field.request_phone and answer.shared_phone and field.parse is not None:
            return await resolve(field.parse(answer.shared_phone, ctx, self._answers(conv)))
        if field.parse is not None and answer.text.strip():
            return await resolve(field.parse(answer.text.strip(), ctx, self._answers(conv)))
        if field.parse is None:
            return Invalid("choose_option")
        return Invalid("empty_answer")

    async def _on_summary(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if answer.choice_id == CONFIRM:
            answers = self._answers(conv)
            missing = self._next_field(answers)
            if missing is not None:
                return [await self._go_to(ctx, conv, missing)]
            return await self._complete(ctx, conv)
        if answer.choice_id == CHANGE:
            conv.step, conv.data["page"] = PICK, 0
            return [self._pick_prompt(conv)]
        if answer.choice_id == CANCEL:
            self.cancel(conv)
            return [Reply("form/cancelled"), *await ctx.nav.main_menu(ctx, conv)]
        return [Reply("errors/choose_option"), await self._summary(ctx, conv)]

    async def _on_pick(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        choice = answer.choice_id or ""
        if choice in (NEXT_PAGE, PREV_PAGE):
            conv.data["page"] = max(0, int(conv.data.get("page", 0)) + (1 if choice == NEXT_PAGE else -1))
            return [self._pick_prompt(conv)]
        name = choice[len(FIELD_PREFIX) :] if choice.startswith(FIELD_PREFIX) else ""
        if not self.form.has_field(name):
            return [Reply("errors/choose_option"), self._pick_prompt(conv)]
        conv.data[CORRECTION] = {"answers": copy.deepcopy(self._answers(conv)), "asked": []}
        return [await self._go_to(ctx, conv, self.form.field(name))]

    async def _on_resume(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if answer.choice_id == CONTINUE:
            step = conv.data.pop("resume_step", None)
            if step in (SUMMARY, PICK) or (step and self.form.has_field(step)):
                conv.step = step
                return await self.reprompt(ctx, conv)
            return await self._advance(ctx, conv)
        if answer.choice_id == RESTART:
            origin = conv.data.get(ORIGIN)
            conv.drafts.pop(self.name, None)
            self._begin(conv, origin or {}, origin)
            return await self._advance(ctx, conv)
        return [Reply("errors/choose_option"), self._resume_prompt()]

    # Moving through the fields ---------------------------------------------

    def _answers(self, conv: Conversation) -> dict[str, Any]:
        answers: dict[str, Any] = conv.data.setdefault("answers", {})
        return answers

    def _next_field(self, answers: dict[str, Any]) -> Field | None:
        return next((f for f in self.form.fields if f.applies(answers) and f.name not in answers), None)

    async def _advance(self, ctx: Context, conv: Conversation) -> list[Reply]:
        answers = self._answers(conv)
        field = self._next_field(answers)
        if field is None:
            confirm = self.form.confirm_when
            if confirm is not None and not confirm(answers):
                return await self._complete(ctx, conv)
            conv.step = SUMMARY
            conv.data.pop(CORRECTION, None)  # the correction is done: its answers stand
            return [await self._summary(ctx, conv)]
        return [await self._go_to(ctx, conv, field)]

    async def _complete(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """Every applicable answer is given (and confirmed, where the form asks): run `on_complete`
        with them, then show the main menu."""
        answers = self._answers(conv)
        final = {
            f.name: answers[f.name] for f in self.form.fields if f.applies(answers) and f.name in answers
        }
        conv.drafts.pop(self.name, None)
        conv.finish()
        replies = await self.form.on_complete(ctx, final)
        return replies + await ctx.nav.completed(ctx, conv)

    async def _go_to(self, ctx: Context, conv: Conversation, field: Field) -> Reply:
        conv.step, conv.data["page"] = field.name, 0
        # A correction's questions are its own: `kembali` from the summary retraces the way in.
        correction = conv.data.get(CORRECTION)
        asked: list[str] = correction["asked"] if correction else self._asked(conv)
        if field.name not in asked:
            asked.append(field.name)
        return await self._ask(ctx, conv, field)

    def _store(self, conv: Conversation, field: Field, value: Any) -> None:
        answers = self._answers(conv)
        changed = answers.get(field.name, object()) != value
        answers[field.name] = value
        if changed:
            pending = list(field.clears)
            while pending:
                name = pending.pop()
                if answers.pop(name, None) is not None and self.form.has_field(name):
                    pending.extend(self.form.field(name).clears)

    # Replies ---------------------------------------------------------------

    async def _options(self, ctx: Context, conv: Conversation, field: Field) -> list[Option]:
        if field.options is None:
            return []
        if callable(field.options):
            return list(await resolve(field.options(ctx, self._answers(conv))))
        return list(field.options)

    async def _option(self, ctx: Context, conv: Conversation, field: Field, option_id: str) -> Option | None:
        return next((o for o in await self._options(ctx, conv, field) if o.id == option_id), None)

    async def _ask(self, ctx: Context, conv: Conversation, field: Field) -> Reply:
        answers = self._answers(conv)
        values: dict[str, Any] = {"answers": answers, "has_current": field.name in answers, "shown": {}}
        if values["has_current"] and self.form.shows_current and self.form.summary_values is not None:
            # Asked again (kembali, a correction): the prompt shows the current answer as the summary
            # does, from the same values, so what the owner reads can be sent back as it is.
            values["shown"] = dict(await resolve(self.form.summary_values(ctx, answers)))
        if field.prompt_values is not None:
            values.update(await resolve(field.prompt_values(ctx, answers)))
        options = [o.choice(OPTION_PREFIX) for o in await self._options(ctx, conv, field)]
        if field.optional:
            options.append(Choice(SKIP, template="choices/skip"))
        choices, page, pages = _page(options, int(conv.data.get("page", 0)))
        conv.data["page"] = page
        values.update(page=page + 1, pages=pages)
        return Reply(field.prompt, values, choices=choices, request_phone=field.request_phone)

    async def _summary(self, ctx: Context, conv: Conversation) -> Reply:
        answers = self._answers(conv)
        values: dict[str, Any] = {"answers": answers}
        if self.form.summary_values is not None:
            values.update(await resolve(self.form.summary_values(ctx, answers)))
        choices = [
            Choice(CONFIRM, template="choices/confirm"),
            Choice(CHANGE, template="choices/change"),
            Choice(CANCEL, template="choices/cancel"),
        ]
        return Reply(self.form.summary, values, choices=choices)

    def _pick_prompt(self, conv: Conversation) -> Reply:
        answers = self._answers(conv)
        options = [
            Choice(f"{FIELD_PREFIX}{f.name}", template=f.label)
            for f in self.form.fields
            if f.editable and f.applies(answers)
        ]
        choices, page, pages = _page(options, int(conv.data.get("page", 0)))
        conv.data["page"] = page
        return Reply("form/pick_field", {"page": page + 1, "pages": pages}, choices=choices)

    def _resume_prompt(self) -> Reply:
        return Reply(
            "form/resume",
            {"form": self.name},
            choices=[
                Choice(CONTINUE, template="choices/continue"),
                Choice(RESTART, template="choices/restart"),
            ],
        )


def _page(options: list[Choice], page: int) -> tuple[list[Choice], int, int]:
    """One page of at most PAGE_SIZE options, with next/previous where there is more."""
    if len(options) <= PAGE_SIZE:
        return options, 0, 1
    pages = -(-len(options) // PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    shown = options[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if page > 0:
        shown.append(Choice(PREV_PAGE, template="choices/prev"))
    if page < pages - 1:
        shown.append(Choice(NEXT_PAGE, template="choices/next"))
    return shown, page, pages

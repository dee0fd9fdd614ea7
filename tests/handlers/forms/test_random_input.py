"""Whatever an owner types, at whatever step, the bot answers and nothing raises."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from storage.database import Database
from tests.handlers.forms.sample_form import sample_flow
from tests.handlers.forms.test_engine import SAMPLE_ENTRY
from tests.handlers.harness import Harness

# Messages that bring a new user to each step of the sample form.
PATHS = {
    "menu": ["halo"],
    "language": ["halo", "2"],
    "name": ["halo", "1"],
    "has_workers": ["halo", "1", "Budi"],
    "workers": ["halo", "1", "Budi", "Ya"],
    "region": ["halo", "1", "Budi", "Ya", "4"],
    "note": ["halo", "1", "Budi", "Ya", "4", "3"],
    "summary": ["halo", "1", "Budi", "Ya", "4", "3", "Lewati"],
    "pick": ["halo", "1", "Budi", "Ya", "4", "3", "Lewati", "2"],
    "resume": ["halo", "1", "Budi", "menu", "1"],
}

ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "\x00", "🙂" * 50, "１２", "ｍｅｎｕ", "/"]),
    st.integers().map(str),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=st.sampled_from(sorted(PATHS)), text=ANY_TEXT, as_button=st.booleans())
async def test_any_text_at_any_step_gets_a_reply(
    db: Database, agency, step: str, text: str, as_button: bool
) -> None:
    h = Harness(
        db,
        agency,
        [sample_flow(), LanguageFlow()],
        [SAMPLE_ENTRY, LANGUAGE_ENTRY, HELP_ENTRY],
        user=uuid.uuid4().hex,
    )
    for message in PATHS[step]:
        await h.say(message)
        assert "errors/internal" not in h.templates
    reply = await h.say(text, choice=text[:64] if as_button else None)
    assert h.templates and "errors/internal" not in h.templates, h.templates
    assert reply.strip()

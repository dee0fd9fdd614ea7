"""Registration by chat (pendaftaran usaha), the owner's profile, NIB help, and the owner's rights (UU PDP).

See README.md for the conversation diagram.
"""

from handlers.capability import Capability
from handlers.registration.admin import NOTICE
from handlers.registration.commands import NIB_QUEUE_COMMAND, OWNERS_COMMAND
from handlers.registration.confirm import greet
from handlers.registration.flows import EraseFlow, RegistrationFlow, flows, menu_entries
from handlers.registration.invitation import INVITE
from handlers.registration.pages import PAGES, PANELS

CAPABILITY = Capability(
    name="registration",
    flows=flows,
    menu=tuple(menu_entries()),
    commands=(OWNERS_COMMAND, NIB_QUEUE_COMMAND),
    outbox_kinds=(NOTICE, INVITE),
    pages=PAGES,
    panels=PANELS,
    # Hapus data (service.erase_registration) changes these; conversation_states holds the
    # unfinished forms, channel_identities the numbers the platforms vouched for.
    erases_from=("owners", "businesses", "nib_help_requests", "channel_identities", "conversation_states"),
    greet=greet,
)

__all__ = ["CAPABILITY", "EraseFlow", "RegistrationFlow", "flows", "menu_entries"]

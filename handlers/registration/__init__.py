"""Registration by chat (pendaftaran usaha), the owner's profile, NIB help, and the owner's rights (UU PDP).

See README.md for the conversation diagram.
"""

from handlers.registration.flows import EraseFlow, RegistrationFlow, flows, menu_entries

__all__ = ["EraseFlow", "RegistrationFlow", "flows", "menu_entries"]

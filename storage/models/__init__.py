"""All models; importing this package registers every table on `Base.metadata`.

Each capability keeps its models in its own module and adds one import line here.
"""

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.core import AuditEntry, ChannelIdentity, ConversationState, Counter, User

__all__ = [
    "AuditEntry",
    "Base",
    "ChannelIdentity",
    "ConversationState",
    "Counter",
    "UTCDateTime",
    "User",
    "utcnow",
]

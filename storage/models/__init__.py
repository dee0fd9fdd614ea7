"""All models; importing this package registers every table on `Base.metadata`.

Each capability keeps its models in its own module and adds one import line here.
"""

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.channels import InboundMessage, OutboundMessage
from storage.models.core import AuditEntry, ChannelIdentity, ConversationState, Counter, User
from storage.models.outbox import Broadcast, OutboxMessage, OutboxSender, UnreachableRecipient
from storage.models.registration import Business, NibHelpRequest, Owner, OwnerSource
from storage.models.update_round import UpdateAnswer, UpdateRound

__all__ = [
    "AuditEntry",
    "Base",
    "Broadcast",
    "Business",
    "ChannelIdentity",
    "ConversationState",
    "Counter",
    "InboundMessage",
    "NibHelpRequest",
    "OutboundMessage",
    "OutboxMessage",
    "OutboxSender",
    "Owner",
    "OwnerSource",
    "UTCDateTime",
    "UnreachableRecipient",
    "UpdateAnswer",
    "UpdateRound",
    "User",
    "utcnow",
]

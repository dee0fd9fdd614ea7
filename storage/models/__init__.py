"""All models; importing this package registers every table on `Base.metadata`.

Each capability keeps its models in its own module and adds one import line here.
"""

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.channels import InboundMessage, OutboundMessage
from storage.models.core import AuditEntry, ChannelIdentity, ConversationState, Counter, User
from storage.models.dashboard import DashboardSession, LoginFailures, OfficerAccount
from storage.models.outbox import Broadcast, OutboxMessage, OutboxSender, UnreachableRecipient
from storage.models.registration import Business, NibHelpRequest, Owner, OwnerSource
from storage.models.trainings import Enrolment, Training
from storage.models.update_round import UpdateAnswer, UpdateRound
from storage.models.vouchers import (
    Courier,
    CourierLink,
    CourierStaff,
    RedeemAttempt,
    Voucher,
    VoucherProgram,
    VoucherWaiter,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Broadcast",
    "Business",
    "ChannelIdentity",
    "ConversationState",
    "Counter",
    "Courier",
    "CourierLink",
    "CourierStaff",
    "DashboardSession",
    "Enrolment",
    "InboundMessage",
    "LoginFailures",
    "NibHelpRequest",
    "OfficerAccount",
    "OutboundMessage",
    "OutboxMessage",
    "OutboxSender",
    "Owner",
    "OwnerSource",
    "RedeemAttempt",
    "Training",
    "UTCDateTime",
    "UnreachableRecipient",
    "UpdateAnswer",
    "UpdateRound",
    "User",
    "Voucher",
    "VoucherProgram",
    "VoucherWaiter",
    "utcnow",
]

"""Repositories: the only code that writes SQL. One module per domain noun.

A `Transaction` gives every repository over one session; capabilities add a
property for theirs.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Cipher
from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.channels import InboundRepository, OutboundRepository
from storage.repositories.core import (
    AuditRepository,
    CounterRepository,
    LinkRepository,
    StateRepository,
    UserRepository,
)
from storage.repositories.couriers import CourierRepository
from storage.repositories.imports import ImportRepository
from storage.repositories.officers import LoginFailureRepository, OfficerRepository, SessionRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.registration import NibQueueRepository, OwnerRepository
from storage.repositories.sender_leases import SenderLeaseRepository
from storage.repositories.trainings import TrainingRepository
from storage.repositories.unreachable import UnreachableRepository
from storage.repositories.update_rounds import UpdateRoundRepository
from storage.repositories.vouchers import VoucherRepository


class Transaction:
    """One unit of work over one session."""

    def __init__(self, session: AsyncSession, *, sqlite: bool, cipher: Cipher | None = None) -> None:
        self.session = session
        self.sqlite = sqlite
        self._cipher = cipher
        # The named (advisory) locks held until the end of the transaction (PostgreSQL).
        self.locks: set[str] = set()

    @property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @property
    def links(self) -> LinkRepository:
        return LinkRepository(self.session)

    @property
    def states(self) -> StateRepository:
        return StateRepository(self.session)

    @property
    def counters(self) -> CounterRepository:
        return CounterRepository(self.session, sqlite=self.sqlite)

    @property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @property
    def cipher(self) -> Cipher:
        """Encrypts personal data (the NIK); the database is given one built from SECRET_KEY."""
        if self._cipher is None:
            raise RuntimeError("this database was opened without a cipher (SECRET_KEY)")
        return self._cipher

    @property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.session, sqlite=self.sqlite)

    @property
    def broadcasts(self) -> BroadcastRepository:
        return BroadcastRepository(self.session, sqlite=self.sqlite)

    @property
    def update_rounds(self) -> UpdateRoundRepository:
        return UpdateRoundRepository(self.session, sqlite=self.sqlite)

    @property
    def vouchers(self) -> VoucherRepository:
        return VoucherRepository(self.session, sqlite=self.sqlite)

    @property
    def couriers(self) -> CourierRepository:
        return CourierRepository(self.session)

    @property
    def trainings(self) -> TrainingRepository:
        return TrainingRepository(self.session, sqlite=self.sqlite)

    @property
    def sender_leases(self) -> SenderLeaseRepository:
        return SenderLeaseRepository(self.session, sqlite=self.sqlite)

    @property
    def unreachable(self) -> UnreachableRepository:
        return UnreachableRepository(self.session)

    @property
    def owners(self) -> OwnerRepository:
        return OwnerRepository(self.session)

    @property
    def imports(self) -> ImportRepository:
        return ImportRepository(self.session, sqlite=self.sqlite)

    @property
    def nib_queue(self) -> NibQueueRepository:
        return NibQueueRepository(self.session)

    @property
    def officers(self) -> OfficerRepository:
        """Dashboard accounts (petugas)."""
        return OfficerRepository(self.session)

    @property
    def dashboard_sessions(self) -> SessionRepository:
        return SessionRepository(self.session)

    @property
    def login_failures(self) -> LoginFailureRepository:
        return LoginFailureRepository(self.session)

    @property
    def inbound(self) -> InboundRepository:
        return InboundRepository(self.session, sqlite=self.sqlite, cipher=self.cipher)

    @property
    def outbound(self) -> OutboundRepository:
        return OutboundRepository(self.session, sqlite=self.sqlite)


__all__ = ["AuditRepository", "CounterRepository", "StateRepository", "Transaction", "UserRepository"]

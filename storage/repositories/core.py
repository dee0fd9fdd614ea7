"""Users, identities, conversation state, counters and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    delete,
    exists,
    func,
    inspect,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from storage.models import (
    AuditEntry,
    Base,
    ChannelIdentity,
    ConversationState,
    Counter,
    Owner,
    User,
    utcnow,
)
from storage.models.registration import OwnerSource
from storage.models.trainings import Enrolment
from storage.models.vouchers import CourierStaff

_OTHER = aliased(ChannelIdentity)


def unclaimed_import(phone: Any) -> tuple[ColumnElement[bool], ...]:
    """An imported record no chat user holds yet, waiting for whoever writes from `phone` (a
    number, or a column): the confirmation's look-up and the menu's fact say it once."""
    return (
        Owner.phone == phone,
        Owner.source == OwnerSource.IMPORT,
        Owner.user_id.is_(None),
        Owner.deleted_at.is_(None),
        Owner.wrong_number_at.is_(None),
    )


def same_number_elsewhere(
    other: Any, phone: Any, channel: Any, user_id: Any
) -> tuple[ColumnElement[bool], ...]:
    """`other` is an identity of another user, on another channel, with the number `phone`
    (values or columns): linking's candidate and the menu's fact say it once."""
    return (other.phone == phone, other.channel != channel, other.user_id != user_id)


# Yes-or-no facts about the user that the main menu asks on every message, read by the first
# statement of the message so the common answer ("no") costs no query of its own: is the user a
# registered owner, a courier partner's staff, signed up for any training? A handler that changes
# one during a message forgets it (handlers.context.forget_fact), and then the full look-up runs.
USER_FACTS = {
    "registered": exists().where(Owner.user_id == User.id, Owner.deleted_at.is_(None)),
    "courier_staff": exists().where(CourierStaff.user_id == User.id, CourierStaff.revoked_at.is_(None)),
    "enrolled": exists().where(Enrolment.user_id == User.id),
    # The user holds an imported record they have not confirmed yet (the menu offers to).
    "unconfirmed_import": exists().where(
        Owner.user_id == User.id,
        Owner.source == OwnerSource.IMPORT,
        Owner.confirmed_at.is_(None),
        Owner.deleted_at.is_(None),
    ),
    # An imported record waits for whoever writes from this identity's number (WhatsApp).
    "phone_claimable": exists().where(*unclaimed_import(ChannelIdentity.phone)),
    # Another user on another channel has this identity's number (linking Telegram and WhatsApp).
    "phone_linkable": exists().where(
        *same_number_elsewhere(
            _OTHER, ChannelIdentity.phone, ChannelIdentity.channel, ChannelIdentity.user_id
        )
    ),
}

# The first statement of every message: built once (building it costs more CPU than running it).
_FIND_USER = (
    select(
        User,
        ChannelIdentity,
        ConversationState,
        *(fact.label(name) for name, fact in USER_FACTS.items()),
    )
    .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
    .outerjoin(ConversationState, ConversationState.user_id == User.id)
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.external_id == bindparam("external_id"),
    )
)


# The two writes of every message, built once: the identity's last inbound time, the state.
_IDENTITIES = cast(Table, ChannelIdentity.__table__)
_MARK_INBOUND = (
    update(_IDENTITIES)
    .where(_IDENTITIES.c.id == bindparam("identity"))
    .values(last_inbound_at=bindparam("at", type_=_IDENTITIES.c.last_inbound_at.type))
)
_STATES = cast(Table, ConversationState.__table__)
_SAVE_STATE = (
    update(_STATES)
    .where(_STATES.c.user_id == bindparam("user"))
    .values(
        {name: bindparam(name, type_=_STATES.c[name].type) for name in ("flow", "step", "data", "updated_at")}
    )
)


@dataclass(frozen=True, slots=True)
class Identified:
    """Who wrote: the user, the channel identity, and the `USER_FACTS` about them."""

    user: User
    identity: ChannelIdentity
    facts: dict[str, bool]

    @property
    def registered(self) -> bool:
        return self.facts["registered"]


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_or_create(self, channel: str, external_id: str) -> tuple[User, ChannelIdentity]:
        """The user behind a channel identity, created on first contact."""
        found = await self.identify(channel, external_id)
        return found.user, found.identity

    async def identify(self, channel: str, external_id: str) -> Identified:
        """`find_or_create`, and whether the user is a registered owner, in one query (the
        first of every message: the menu differs for registered owners).

        The user's conversation state is loaded by the same query, so `StateRepository.load`
        finds it without another round trip.
        """
        row = (
            await self.session.execute(_FIND_USER, {"channel": channel, "external_id": external_id})
        ).first()
        if row is not None:
            if row[2] is not None:
                # The identity map holds objects weakly: keep the state alive for `StateRepository.load`.
                self.session.info.setdefault("loaded", []).append(row[2])
            return Identified(row[0], row[1], {name: bool(row._mapping[name]) for name in USER_FACTS})
        user = User()
        self.session.add(user)
        await self.session.flush()
        identity = ChannelIdentity(user_id=user.id, channel=channel, external_id=external_id)
        self.session.add(identity)
        await self.session.flush()
        return Identified(user, identity, dict.fromkeys(USER_FACTS, False))

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def ids_of(self, chats: Sequence[tuple[str, str]]) -> list[int]:
        """The users behind these (channel, external id) chats, ascending (unknown chats: none)."""
        result = await self.session.execute(
            select(ChannelIdentity.user_id)
            .where(
                tuple_(ChannelIdentity.channel, ChannelIdentity.external_id).in_(
                    bindparam("chats", expanding=True)
                )
            )
            .distinct()
            .order_by(ChannelIdentity.user_id),
            {"chats": list(chats)},
        )
        return list(result.scalars())

    async def identities(self, user_id: int) -> list[ChannelIdentity]:
        result = await self.session.execute(
            select(ChannelIdentity).where(ChannelIdentity.user_id == user_id).order_by(ChannelIdentity.id)
        )
        return list(result.scalars())

    async def mark_inbound(self, identity: ChannelIdentity, at: datetime) -> None:
        """Note when the user last wrote on this channel (WhatsApp's 24-hour window is per number)."""
        await self.session.execute(_MARK_INBOUND, {"identity": identity.id, "at": at})
        set_committed_value(identity, "last_inbound_at", at)

    async def forget_phones(self, user_id: int) -> None:
        """Hapus data: the numbers the platforms vouched for are dropped from every identity."""
        await self.session.execute(
            update(ChannelIdentity).where(ChannelIdentity.user_id == user_id).values(phone=None),
            execution_options={"synchronize_session": False},
        )

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(locale=locale))

    async def set_opted_out(self, user_id: int, opted_out: bool) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(opted_out=opted_out))


class StateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, user_id: int) -> ConversationState:
        state = await self.session.get(ConversationState, user_id)
        if state is None:
            state = ConversationState(user_id=user_id, flow=None, step=None, data={}, updated_at=utcnow())
            self.session.add(state)
        return state

    async def save(
        self,
        state: ConversationState,
        *,
        flow: str | None,
        step: str | None,
        data: dict[str, Any],
        at: datetime | None = None,
    ) -> None:
        at = at or utcnow()
        if inspect(state).persistent:
            if flow is None and state.flow is None and step == state.step and data == state.data:
                # Outside any flow and nothing changed (the menu answered again): no write. The
                # time is read only to tell whether a flow went idle, and there is none.
                return
            # One prepared UPDATE instead of the unit of work's flush (a fifth of a menu
            # answer's statements' CPU); the object then holds what the row holds.
            values = {"flow": flow, "step": step, "data": dict(data), "updated_at": at}
            await self.session.execute(_SAVE_STATE, {"user": state.user_id, **values})
            for name, value in values.items():
                set_committed_value(state, name, value)
            return
        state.flow, state.step, state.updated_at = flow, step, at
        # A fresh dict, so SQLAlchemy sees the JSON column change.
        state.data = dict(data)
        # Nested dicts (form answers) may be shared with the loaded value and mutated in place, so a
        # comparison with the loaded value can miss the change: always write the column.
        flag_modified(state, "data")
        await self.session.flush()


class CounterRepository:
    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    async def next(self, name: str) -> int:
        """Advance a named sequence by one in a single statement; never hands out a number twice."""
        return await self.advance(name, 1)

    async def advance(self, name: str, count: int) -> int:
        """Take `count` numbers of a named sequence at once (an import numbers its rows in blocks);
        returns the last of them, so the block is `last - count + 1` to `last`."""
        insert = sqlite_insert if self.sqlite else pg_insert
        statement = (
            insert(Counter)
            .values(name=name, value=count)
            .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + count})
            .returning(Counter.value)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def set_at_least(self, name: str, value: int) -> None:
        """Move a named sequence up to `value` (never down)."""
        insert = sqlite_insert if self.sqlite else pg_insert
        greatest = func.max if self.sqlite else func.greatest
        await self.session.execute(
            insert(Counter)
            .values(name=name, value=value)
            .on_conflict_do_update(
                index_elements=[Counter.name], set_={"value": greatest(Counter.value, value)}
            )
        )

    async def current(self, name: str) -> int:
        value = await self.session.scalar(select(Counter.value).where(Counter.name == name))
        return int(value or 0)


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, *, actor: str, action: str, subject: str, details: dict[str, Any] | None = None
    ) -> None:
        self.session.add(AuditEntry(actor=actor, action=action, subject=subject, details=details or {}))

    async def page(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        subject: str | None = None,
        before: int | None = None,
        limit: int = 50,
    ) -> list[AuditEntry]:
        """Entries newest first, optionally of one actor, action or subject; `before` an id (keyset)."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        if action:
            query = query.where(AuditEntry.action == action)
        if subject:
            query = query.where(AuditEntry.subject == subject)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        return list((await self.session.execute(query)).scalars())

    async def actions(self) -> list[str]:
        """Every action the log holds, for a filter's choices."""
        result = await self.session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
        return list(result.scalars())

    async def for_subject(self, subject: str) -> list[AuditEntry]:
        result = await self.session.execute(
            select(AuditEntry).where(AuditEntry.subject == subject).order_by(AuditEntry.id)
        )
        return list(result.scalars())


class LinkRepository:
    """One person on several channels: find the other user with the same number, and merge."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidate(self, identity: ChannelIdentity) -> int | None:
        """Another user, on another channel, whose platform vouched for the same number."""
        if not identity.phone or identity.link_declined:
            return None
        found = await self.session.scalar(
            select(ChannelIdentity.user_id)
            .where(
                *same_number_elsewhere(ChannelIdentity, identity.phone, identity.channel, identity.user_id)
            )
            .order_by(ChannelIdentity.id)
            .limit(1)
        )
        return int(found) if found is not None else None

    async def absorb(self, keep: int, other: int) -> None:
        """Move everything of user `other` to user `keep`, then delete `other`.

        Every column that references users.id moves, whatever capability owns the table; the
        other user's conversation state goes with them (the kept user's conversation goes on).
        """
        users = User.__table__
        for table in Base.metadata.sorted_tables:
            if table.name == ConversationState.__tablename__:
                continue
            for column in table.columns:
                if any(fk.column is users.c.id for fk in column.foreign_keys):
                    await self.session.execute(
                        update(table).where(column == other).values({column.name: keep})
                    )
        await self.session.execute(delete(User).where(User.id == other))

"""Console accounts, sessions, one-time links and sign-in rate limits (synchronous store functions).

Every function takes keyword-only arguments and a ``Session``; async code runs them through
``CheckinStore.call`` (a worker thread, one session per call), like the rest of the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, func, select

from bot.console.models import (
    ConsoleAccount,
    ConsoleLoginAttempt,
    ConsoleLoginLink,
    ConsoleRole,
    ConsoleSession,
)
from bot.console.security import hash_password, token_hash
from bot.store.models import Member, Organisation, OrgLevel, WeChatBinding, utcnow


class AccountError(ValueError):
    """A refused account change (the message is for the operator)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in account and the organisation it sees: a branch (organizer) or a subtree (county)."""

    account_id: int
    login: str
    display_name: str
    role: str
    org_id: int
    org_name: str
    org_path: str
    org_level: str
    member_id: int | None
    session_hash: str = ""

    @property
    def is_county(self) -> bool:
        return self.role == ConsoleRole.COUNTY

    @property
    def role_zh(self) -> str:
        return "县乡组织部门" if self.is_county else "支部组织员"

    def sees(self, org_path: str) -> bool:
        """The organisation at ``org_path`` is in this account's scope (its subtree)."""
        return org_path.startswith(self.org_path)


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: int
    login: str
    display_name: str
    role: str
    org_name_path: str
    member_name: str | None
    active: bool


def _principal(account: ConsoleAccount, org: Organisation, session_hash: str = "") -> Principal:
    assert account.id is not None and org.id is not None
    return Principal(
        account_id=account.id,
        login=account.login,
        display_name=account.display_name,
        role=account.role,
        org_id=org.id,
        org_name=org.name,
        org_path=org.path,
        org_level=org.level,
        member_id=account.member_id,
        session_hash=session_hash,
    )


def resolve_org(*, session: Session, org: str) -> Organisation:
    """An organisation by id or by its name path (``县委/乡镇党委/党支部``)."""
    found = session.get(Organisation, int(org)) if org.isdigit() else None
    if found is None:
        found = session.exec(select(Organisation).where(Organisation.name_path == org)).first()
    if found is None:
        raise AccountError(f"no organisation {org!r} (give its id or its full name path)")
    return found


def create_account(
    *,
    session: Session,
    login: str,
    role: ConsoleRole | str,
    org: str,
    password: str | None,
    display_name: str = "",
    member: str | None = None,
) -> AccountRow:
    """Create (or update: password, role, organisation, member) the account ``login``. Commits.

    ``organizer`` accounts belong to a 党支部; ``county`` accounts to a county or township organisation.
    ``member`` (a roster name or id in that organisation) links the account to a person: confirmations
    made in the console are recorded in their name, and one-time links go to their WeChat."""
    login = login.strip()
    if not login or len(login) > 64:
        raise AccountError("login must be 1-64 characters")
    role = ConsoleRole(role)
    target = resolve_org(session=session, org=org)
    if role == ConsoleRole.ORGANIZER and target.level != OrgLevel.BRANCH:
        raise AccountError("an organizer account belongs to a 党支部 (level branch)")
    if role == ConsoleRole.COUNTY and target.level not in (OrgLevel.COUNTY, OrgLevel.TOWNSHIP):
        raise AccountError("a county account belongs to a county or township organisation")
    member_row: Member | None = None
    if member:
        stmt = select(Member).where(Member.org_id == target.id)
        stmt = stmt.where(Member.id == int(member)) if member.isdigit() else stmt.where(Member.name == member)
        rows = list(session.exec(stmt))
        if len(rows) != 1:
            raise AccountError(f"{len(rows)} roster members match {member!r} in {target.name_path}")
        member_row = rows[0]
    if password is not None and len(password) < 10:
        raise AccountError("password must be at least 10 characters")
    assert target.id is not None
    account = session.exec(select(ConsoleAccount).where(ConsoleAccount.login == login)).first()
    if account is None:
        account = ConsoleAccount(login=login, display_name="", role=role.value, org_id=target.id)
    account.role = role.value
    account.org_id = target.id
    account.display_name = (display_name or (member_row.name if member_row else "") or login)[:50]
    account.member_id = member_row.id if member_row else account.member_id
    account.active = True
    if password is not None:
        account.password_hash = hash_password(password)
    session.add(account)
    session.commit()
    session.refresh(account)
    assert account.id is not None
    # A changed password or scope ends every open session of the account.
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id))
    session.commit()
    return AccountRow(
        account.id, account.login, account.display_name, account.role, target.name_path,
        member_row.name if member_row else None, account.active,
    )  # fmt: skip


def disable_account(*, session: Session, login: str) -> bool:
    """Deactivate ``login`` and end its sessions. Commits; False when there is no such account."""
    account = session.exec(select(ConsoleAccount).where(ConsoleAccount.login == login)).first()
    if account is None:
        return False
    account.active = False
    session.add(account)
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.account_id) == account.id))
    session.commit()
    return True


def list_accounts(*, session: Session) -> list[AccountRow]:
    rows = session.exec(
        select(ConsoleAccount, Organisation, Member)
        .join(Organisation, col(Organisation.id) == col(ConsoleAccount.org_id))
        .join(Member, col(Member.id) == col(ConsoleAccount.member_id), isouter=True)
        .order_by(col(ConsoleAccount.login))
    )
    out = []
    for account, org, member in rows:
        assert account.id is not None
        out.append(
            AccountRow(
                account.id,
                account.login,
                account.display_name,
                account.role,
                org.name_path,
                member.name if member else None,
                account.active,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in checks (the hash is verified by the caller, off the database thread)."""

    account_id: int
    password_hash: str


def credentials_for(*, session: Session, login: str) -> Credentials | None:
    """The active account ``login`` (None: unknown or disabled)."""
    account = session.exec(
        select(ConsoleAccount).where(ConsoleAccount.login == login, col(ConsoleAccount.active).is_(True))
    ).first()
    if account is None or account.id is None:
        return None
    return Credentials(account.id, account.password_hash)


# --- rate limits ------------------------------------------------------------------------------------------


def failures(*, session: Session, login: str, ip: str, window_s: float, now: datetime | None = None) -> tuple[int, int]:
    """Failed sign-ins within the window: (for this login, from this address)."""
    since = (now or utcnow()) - timedelta(seconds=window_s)
    by_login = session.exec(
        select(func.count())
        .select_from(ConsoleLoginAttempt)
        .where(ConsoleLoginAttempt.login == login, col(ConsoleLoginAttempt.at) >= since)
    ).one()
    by_ip = session.exec(
        select(func.count())
        .select_from(ConsoleLoginAttempt)
        .where(ConsoleLoginAttempt.ip == ip, col(ConsoleLoginAttempt.at) >= since)
    ).one()
    return int(by_login), int(by_ip)


def note_failure(*, session: Session, login: str, ip: str, window_s: float, now: datetime | None = None) -> None:
    """Count a failed sign-in; attempts older than the window are swept. Commits."""
    moment = now or utcnow()
    session.add(ConsoleLoginAttempt(login=login[:64], ip=ip[:64], at=moment))
    session.exec(delete(ConsoleLoginAttempt).where(col(ConsoleLoginAttempt.at) < moment - timedelta(seconds=window_s)))
    session.commit()


def clear_failures(*, session: Session, login: str) -> None:
    """A successful sign-in forgets the login's failures (not the address's). Commits."""
    session.exec(delete(ConsoleLoginAttempt).where(col(ConsoleLoginAttempt.login) == login))
    session.commit()


# --- sessions ---------------------------------------------------------------------------------------------


def open_session(
    *, session: Session, account_id: int, session_id: str, ttl_s: float, ip: str, now: datetime | None = None
) -> None:
    """Store a new session (only the sha256 of its id) and note the sign-in. Commits."""
    moment = now or utcnow()
    session.add(
        ConsoleSession(
            id_hash=token_hash(session_id),
            account_id=account_id,
            created_at=moment,
            expires_at=moment + timedelta(seconds=ttl_s),
            ip=ip[:64],
        )
    )
    account = session.get(ConsoleAccount, account_id)
    if account is not None:
        account.last_login_at = moment
        session.add(account)
    # Expired sessions of everyone are swept at each sign-in (cheap, indexed).
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.expires_at) < moment))
    session.commit()


def principal_for_session(*, session: Session, session_id: str, now: datetime | None = None) -> Principal | None:
    """The account behind a live session of an active account (None otherwise)."""
    moment = now or utcnow()
    digest = token_hash(session_id)
    row = session.exec(
        select(ConsoleAccount, Organisation)
        .join(ConsoleSession, col(ConsoleSession.account_id) == col(ConsoleAccount.id))
        .join(Organisation, col(Organisation.id) == col(ConsoleAccount.org_id))
        .where(
            ConsoleSession.id_hash == digest,
            col(ConsoleSession.expires_at) > moment,
            col(ConsoleAccount.active).is_(True),
        )
    ).first()
    if row is None:
        return None
    return _principal(row[0], row[1], digest)


def close_session(*, session: Session, session_id: str) -> None:
    """Sign out: the session row is deleted (the cookie is worthless from now on). Commits."""
    session.exec(delete(ConsoleSession).where(col(ConsoleSession.id_hash) == token_hash(session_id)))
    session.commit()


# --- one-time sign-in links sent in WeChat ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkTarget:
    account_id: int
    openid: str
    display_name: str


def link_target(*, session: Session, login: str) -> LinkTarget | None:
    """The WeChat openid a sign-in link for ``login`` goes to (None: no active account, no linked member,
    or the member is not bound to WeChat)."""
    row = session.exec(
        select(ConsoleAccount, WeChatBinding)
        .join(Member, col(Member.id) == col(ConsoleAccount.member_id))
        .join(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id))
        .where(
            ConsoleAccount.login == login,
            col(ConsoleAccount.active).is_(True),
            col(Member.active).is_(True),
        )
    ).first()
    if row is None or row[0].id is None:
        return None
    return LinkTarget(row[0].id, row[1].openid, row[0].display_name)


def create_link(*, session: Session, account_id: int, token: str, ttl_s: float, now: datetime | None = None) -> None:
    """Store a one-time link token (its sha256). Commits."""
    moment = now or utcnow()
    session.add(
        ConsoleLoginLink(
            token_hash=token_hash(token),
            account_id=account_id,
            created_at=moment,
            expires_at=moment + timedelta(seconds=ttl_s),
        )
    )
    session.exec(delete(ConsoleLoginLink).where(col(ConsoleLoginLink.expires_at) < moment))
    session.commit()


def consume_link(*, session: Session, token: str, now: datetime | None = None) -> int | None:
    """Use a link once: the account id when the token is valid, unused and not expired. Commits.

    The UPDATE … WHERE used_at IS NULL decides races: a link opened twice at once signs in once."""
    moment = now or utcnow()
    digest = token_hash(token)
    table = ConsoleLoginLink.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        sa.update(table)
        .where(table.c.token_hash == digest, table.c.used_at.is_(None), table.c.expires_at > moment)
        .values(used_at=moment)
    )
    if result.rowcount != 1:
        session.rollback()
        return None
    link = session.get(ConsoleLoginLink, digest)
    session.commit()
    if link is None:
        return None
    account = session.get(ConsoleAccount, link.account_id)
    return link.account_id if account is not None and account.active else None


def openid_of(*, session: Session, member_id: int | None) -> str | None:
    """The WeChat openid bound to the account's member (broadcasts are sent in that member's name)."""
    if member_id is None:
        return None
    return session.exec(select(WeChatBinding.openid).where(WeChatBinding.member_id == member_id)).first()

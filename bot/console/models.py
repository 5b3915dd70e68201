"""Tables of the web console: accounts, sessions, one-time sign-in links and failed sign-in attempts.

Secrets are never stored in clear: passwords as argon2 hashes, session ids and sign-in link tokens as
sha256 digests (a leaked database row opens nothing).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.store.models import utcnow


class ConsoleRole(StrEnum):
    ORGANIZER = "organizer"  # a branch's 书记 / 组织委员: sees and manages that branch only
    COUNTY = "county"  # county / township organisation department: the organisation's whole subtree


class ConsoleAccount(SQLModel, table=True):
    """Who may sign in to the console, and over which organisation."""

    __tablename__: ClassVar[Any] = "console_account"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=50)
    password_hash: str = Field(default="", max_length=255)  # "" : only one-time WeChat links
    role: str = Field(max_length=16)  # ConsoleRole
    org_id: int = Field(foreign_key="org.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries the id (signed); the table keeps only its sha256."""

    __tablename__: ClassVar[Any] = "console_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="console_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    ip: str = Field(default="", max_length=64)


class ConsoleLoginLink(SQLModel, table=True):
    """A one-time sign-in link sent in WeChat (token stored as sha256; used once; expires)."""

    __tablename__: ClassVar[Any] = "console_login_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="console_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class ConsoleLoginAttempt(SQLModel, table=True):
    """A failed sign-in (rate limits count these per login and per address, across processes)."""

    __tablename__: ClassVar[Any] = "console_login_attempt"
    __table_args__ = (
        sa.Index("ix_console_login_attempt_login_at", "login", "at"),
        sa.Index("ix_console_login_attempt_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    ip: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)

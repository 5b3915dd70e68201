"""Plain, frozen views returned by the store: safe to hand across threads and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.store.models import ORGANIZER_ROLES, Role


@dataclass(frozen=True, slots=True)
class Actor:
    """The roster member behind a WeChat openid, with what the role allows.

    ``org_id`` is the member's branch (for STAFF: the county/township whose subtree they oversee);
    ``org_path`` is that organisation's materialised path.
    """

    member_id: int
    openid: str
    name: str
    org_id: int
    org_name: str
    org_path: str
    org_level: str
    group_id: int | None
    role: str
    category: str
    org_has_committee: bool = False  # the member's organisation (their branch) has a 支委会

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF

    def is_organizer_of(self, branch_id: int) -> bool:
        """书记 / 副书记 / 组织委员 of ``branch_id``."""
        return self.org_id == branch_id and self.role in ORGANIZER_ROLES

    def oversees(self, org_path: str) -> bool:
        """County/township staff see their organisation's whole subtree."""
        return self.is_staff and org_path.startswith(self.org_path)

    def may_manage(self, branch_id: int, branch_path: str) -> bool:
        """Organizer of the branch, or staff above it."""
        return self.is_organizer_of(branch_id) or self.oversees(branch_path)


@dataclass(frozen=True, slots=True)
class AbsenteeView:
    name: str
    reason: str
    member_id: int | None = None


@dataclass(frozen=True, slots=True)
class PhotoView:
    media_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class RecordView:
    """One version of a record, with its absentees and photos."""

    id: int
    branch_id: int
    branch_name: str
    group_id: int | None
    group_name: str | None
    type_code: str
    type_name: str
    held_on: date
    start_time: time | None
    place: str
    host: str
    recorder: str
    topic: str
    expected: int
    present: int
    summary: str
    decisions: str
    also_counts_as: str | None
    absentees: tuple[AbsenteeView, ...]
    photos: tuple[PhotoView, ...]
    submitted_by: int | None
    submitted_by_name: str | None
    submitted_at: datetime
    status: str
    late: bool
    confirmed_by: int | None
    confirmed_at: datetime | None
    version: int
    supersedes_id: int | None
    is_current: bool
    warnings: tuple[str, ...] = ()  # e.g. "quorum" for a 党员大会 with half or fewer present


@dataclass(frozen=True, slots=True)
class InviteView:
    code: str
    scene: str
    branch_id: int
    branch_name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """A roster name a binding user may confirm (``hint``: phone tail when names repeat)."""

    member_id: int
    name: str
    hint: str


@dataclass(frozen=True, slots=True)
class InviteCandidates:
    invite_code: str
    branch_id: int
    branch_name: str
    candidates: tuple[Candidate, ...]

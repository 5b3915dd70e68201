"""Typed errors of the store. Each carries a code and parameters; the Chinese texts shown to users
live in ``handlers/checkin_texts.py`` (the store never words a reply)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.views import RecordView


class ErrorCode(StrEnum):
    NOT_BOUND = "not_bound"  # the WeChat user is not bound to a roster member
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"  # role does not allow the action
    OTHER_BRANCH = "other_branch"  # a member acting for another branch
    UNKNOWN_TYPE = "unknown_type"
    NO_COMMITTEE = "no_committee"  # 支委会 where the branch has none
    NO_GROUPS = "no_groups"  # 党小组会 where the branch has no groups
    GROUP_REQUIRED = "group_required"
    GROUP_NOT_ALLOWED = "group_not_allowed"  # a group on a branch-level type
    GROUP_NOT_IN_BRANCH = "group_not_in_branch"
    TYPE_DISABLED = "type_disabled"
    FUTURE_DATE = "future_date"
    TOO_OLD = "too_old"
    BAD_DATE = "bad_date"
    BAD_COUNT = "bad_count"  # not a positive whole number
    TOO_FEW_PRESENT = "too_few_present"
    PRESENT_OVER_EXPECTED = "present_over_expected"
    EXPECTED_OVER_ROSTER = "expected_over_roster"
    ABSENTEES_OVER_GAP = "absentees_over_gap"  # more absentees listed than 应到 − 实到
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"  # photos / absentees
    PHOTO_REQUIRED = "photo_required"
    DUPLICATE = "duplicate"
    NOT_CURRENT = "not_current"  # correcting a superseded version
    LOCKED = "locked"  # confirmed / past deadline: only an organizer may correct
    NOTHING_CHANGED = "nothing_changed"
    ALREADY_CONFIRMED = "already_confirmed"
    INVITE_INVALID = "invite_invalid"
    INVITE_EXPIRED = "invite_expired"
    ALREADY_BOUND = "already_bound"  # this openid is bound already
    MEMBER_TAKEN = "member_taken"  # this roster member is bound to another openid
    NOT_A_CANDIDATE = "not_a_candidate"
    BUSY = "busy"  # the database stayed locked through all retries


class StoreError(Exception):
    """A refused action. ``params`` fill the user text (e.g. ``field``, ``limit``)."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(f"{code.value}: {params}" if params else code.value)
        self.code = code
        self.params: dict[str, Any] = params


class DuplicateRecordError(StoreError):
    """The meeting is already recorded: ``existing`` is the current record (told to the second sender)."""

    def __init__(self, existing: RecordView) -> None:
        super().__init__(ErrorCode.DUPLICATE, record_id=existing.id)
        self.existing = existing

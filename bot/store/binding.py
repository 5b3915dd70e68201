"""Binding WeChat users to roster members, and who may do what (pure services, no WeChat I/O).

Flow: an organizer (or county staff, or the operator CLI) creates an invite for a branch → a member
sends ``绑定 <code>`` (or scans a QR code whose scene value is ``bind_<code>``) → :func:`redeem_invite`
lists the branch's unbound roster names → the member picks one → :func:`confirm_binding`.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.settings import Settings
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import (
    AuditEvent,
    InviteCode,
    Member,
    Organisation,
    OrgLevel,
    WeChatBinding,
    utcnow,
)
from bot.store.orgs import get_org
from bot.store.views import Actor, Candidate, InviteCandidates, InviteView

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SCENE_PREFIX = "bind_"
_BIND_RE = re.compile(r"^\s*(?:绑定|綁定|bind)\s*[:：]?\s*([A-Za-z0-9]{4,16})\s*$", re.IGNORECASE)
_SCENE_RE = re.compile(r"^(?:qrscene_)?" + SCENE_PREFIX + r"([A-Z0-9]{4,16})$")


def parse_bind_command(text: str) -> str | None:
    """``绑定 AB12CD`` → ``AB12CD`` (upper-cased); None when the text is not a bind command."""
    m = _BIND_RE.match(text)
    return m.group(1).upper() if m else None


def parse_bind_scene(scene: str) -> str | None:
    """QR scene value (``bind_<code>``, or WeChat's ``qrscene_bind_<code>`` on subscribe) → code."""
    m = _SCENE_RE.match(scene.strip())
    return m.group(1) if m else None


_M = Member.__table__  # type: ignore[attr-defined]
_O = Organisation.__table__  # type: ignore[attr-defined]
_B = WeChatBinding.__table__  # type: ignore[attr-defined]
# Built once: it runs on every check-in message (no ORM objects, no statement construction per call).
_ACTOR_STMT = (
    sa.select(
        _M.c.id, _M.c.name, _M.c.active, _M.c.group_id, _M.c.role, _M.c.category, _O.c.id.label("org_id"),
        _O.c.name.label("org_name"), _O.c.path, _O.c.level, _O.c.has_committee,
    )
    .select_from(_B.join(_M, _M.c.id == _B.c.member_id).join(_O, _O.c.id == _M.c.org_id))
    .where(_B.c.openid == sa.bindparam("openid"))
)


def actor_for_openid(*, session: Session, openid: str) -> Actor | None:
    """The active roster member bound to ``openid`` (None: not bound or deactivated). One Core statement."""
    row = session.connection().execute(_ACTOR_STMT, {"openid": openid}).first()
    if row is None or not row.active:
        return None
    return Actor(
        member_id=row.id,
        openid=openid,
        name=row.name,
        org_id=row.org_id,
        org_name=row.org_name,
        org_path=row.path,
        org_level=row.level,
        group_id=row.group_id,
        role=row.role,
        category=row.category,
        org_has_committee=bool(row.has_committee),
    )


def require_actor(*, session: Session, openid: str) -> Actor:
    """Like :func:`actor_for_openid`, but StoreError NOT_BOUND when there is none."""
    actor = actor_for_openid(session=session, openid=openid)
    if actor is None:
        raise StoreError(ErrorCode.NOT_BOUND)
    return actor


def is_organizer(*, session: Session, openid: str, branch_id: int) -> bool:
    """书记 / 副书记 / 组织委员 of ``branch_id``."""
    actor = actor_for_openid(session=session, openid=openid)
    return actor is not None and actor.is_organizer_of(branch_id)


def may_manage(*, session: Session, actor: Actor, org_id: int) -> bool:
    """Organizer of the branch ``org_id``, or staff whose subtree contains it."""
    org = get_org(session=session, org_id=org_id)
    return actor.may_manage(org_id, org.path)


def may_view(*, session: Session, actor: Actor, org_id: int) -> bool:
    """Any member sees their own branch (and its groups); staff see their subtree."""
    org = get_org(session=session, org_id=org_id)
    if actor.oversees(org.path):
        return True
    return org.id == actor.org_id or org.parent_id == actor.org_id


def _new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def create_invite(
    *,
    session: Session,
    settings: Settings,
    branch_id: int,
    actor: Actor | None,
    now: datetime | None = None,
) -> InviteView:
    """A new invite code for ``branch_id``. ``actor`` None is the operator (CLI); otherwise the actor must
    be an organizer of the branch or staff above it. Commits."""
    branch = get_org(session=session, org_id=branch_id)
    if branch.level != OrgLevel.BRANCH:
        raise StoreError(ErrorCode.NOT_FOUND, what="branch", id=branch_id)
    if actor is not None and not actor.may_manage(branch_id, branch.path):
        raise StoreError(ErrorCode.FORBIDDEN)
    moment = now or utcnow()
    for _ in range(20):
        code = _new_code(settings.invite_code_length)
        clash = session.exec(select(InviteCode.id).where(InviteCode.code == code)).first()
        if clash is None:
            break
    else:  # pragma: no cover - 31^6 codes
        raise RuntimeError("could not find a free invite code")
    invite = InviteCode(
        code=code,
        scene=SCENE_PREFIX + code,
        branch_id=branch_id,
        created_by=actor.member_id if actor else None,
        created_at=moment,
        expires_at=moment + timedelta(hours=settings.invite_code_ttl_hours),
    )
    session.add(invite)
    session.flush()
    assert invite.id is not None
    session.add(
        AuditEvent(
            actor_member_id=actor.member_id if actor else None,
            actor_openid=actor.openid if actor else None,
            action="invite_create",
            entity="invite_code",
            entity_id=invite.id,
            after={"branch_id": branch_id, "code": code},
        )
    )
    session.commit()
    return InviteView(code, invite.scene, branch_id, branch.name, invite.expires_at)


def _valid_invite(*, session: Session, code: str, now: datetime) -> InviteCode:
    invite = session.exec(select(InviteCode).where(InviteCode.code == code.strip().upper())).first()
    if invite is None or invite.revoked:
        raise StoreError(ErrorCode.INVITE_INVALID)
    if invite.expires_at <= now:
        raise StoreError(ErrorCode.INVITE_EXPIRED)
    return invite


def redeem_invite(
    *, session: Session, openid: str, code: str, now: datetime | None = None
) -> InviteCandidates:
    """Check ``code`` and list the branch's active, unbound roster members to choose from."""
    bound = actor_for_openid(session=session, openid=openid)
    if bound is not None:
        raise StoreError(ErrorCode.ALREADY_BOUND, name=bound.name, branch=bound.org_name)
    invite = _valid_invite(session=session, code=code, now=now or utcnow())
    branch = get_org(session=session, org_id=invite.branch_id)
    members = list(
        session.exec(
            select(Member)
            .outerjoin(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id))
            .where(
                Member.org_id == invite.branch_id,
                col(Member.active).is_(True),
                col(WeChatBinding.id).is_(None),
            )
        )
    )
    members.sort(key=lambda m: (m.name, m.id or 0))  # codepoint order on every database
    names = [m.name for m in members]
    candidates = []
    for m in members:
        assert m.id is not None
        hint = f"手机尾号{m.phone[-4:]}" if names.count(m.name) > 1 and m.phone else ""
        candidates.append(Candidate(m.id, m.name, hint))
    return InviteCandidates(invite.code, invite.branch_id, branch.name, tuple(candidates))


def confirm_binding(
    *, session: Session, openid: str, code: str, member_id: int, now: datetime | None = None
) -> Actor:
    """Bind ``openid`` to roster member ``member_id`` of the invite's branch. Commits.

    Refused when the invite is no longer valid, the member is not of that branch, or either side is
    bound already (the unique constraints decide races between two phones)."""
    moment = now or utcnow()
    invite = _valid_invite(session=session, code=code, now=moment)
    member = session.get(Member, member_id)
    if member is None or member.org_id != invite.branch_id or not member.active:
        raise StoreError(ErrorCode.NOT_A_CANDIDATE)
    taken = session.exec(select(WeChatBinding).where(WeChatBinding.member_id == member_id)).first()
    if taken is not None:
        if taken.openid == openid:  # the same confirmation again (a WeChat retry): nothing to do
            return require_actor(session=session, openid=openid)
        raise StoreError(ErrorCode.MEMBER_TAKEN, name=member.name)
    if actor_for_openid(session=session, openid=openid) is not None:
        raise StoreError(ErrorCode.ALREADY_BOUND, name=member.name, branch="")
    # A binding of this openid to a deactivated member is replaced.
    stale = session.exec(select(WeChatBinding).where(WeChatBinding.openid == openid)).first()
    if stale is not None:
        session.delete(stale)
        session.flush()
    binding = WeChatBinding(openid=openid, member_id=member_id, invite_id=invite.id, bound_at=moment)
    invite.uses += 1
    session.add(binding)
    session.add(invite)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise StoreError(ErrorCode.MEMBER_TAKEN, name=member.name) from None
    assert binding.id is not None
    session.add(
        AuditEvent(
            actor_member_id=member_id,
            actor_openid=openid,
            action="bind",
            entity="wechat_binding",
            entity_id=binding.id,
            after={"openid": openid, "member_id": member_id, "invite": invite.code},
        )
    )
    session.commit()
    return require_actor(session=session, openid=openid)


def unbind(*, session: Session, actor: Actor | None, member_id: int) -> bool:
    """Remove a member's binding (the member themself, an organizer of the branch, staff above, or the
    operator with ``actor`` None). True when a binding was removed. Commits."""
    member = session.get(Member, member_id)
    if member is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="member", id=member_id)
    if actor is not None and actor.member_id != member_id:
        branch = get_org(session=session, org_id=member.org_id)
        if not actor.may_manage(member.org_id, branch.path):
            raise StoreError(ErrorCode.FORBIDDEN)
    binding = session.exec(select(WeChatBinding).where(WeChatBinding.member_id == member_id)).first()
    if binding is None:
        return False
    assert binding.id is not None
    session.add(
        AuditEvent(
            actor_member_id=actor.member_id if actor else None,
            actor_openid=actor.openid if actor else None,
            action="unbind",
            entity="wechat_binding",
            entity_id=binding.id,
            before={"openid": binding.openid, "member_id": member_id},
        )
    )
    session.delete(binding)
    session.commit()
    return True


def revoke_invite(*, session: Session, actor: Actor | None, code: str) -> None:
    """Stop an invite from being used (organizer of its branch, staff above, or operator). Commits."""
    invite = session.exec(select(InviteCode).where(InviteCode.code == code.strip().upper())).first()
    if invite is None:
        raise StoreError(ErrorCode.INVITE_INVALID)
    if actor is not None:
        branch = get_org(session=session, org_id=invite.branch_id)
        if not actor.may_manage(invite.branch_id, branch.path):
            raise StoreError(ErrorCode.FORBIDDEN)
    invite.revoked = True
    session.add(invite)
    session.commit()

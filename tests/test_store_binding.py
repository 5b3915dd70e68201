"""Invite codes, binding a WeChat user to a roster name, and role checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.settings import Settings
from bot.store.binding import (
    actor_for_openid,
    confirm_binding,
    create_invite,
    is_organizer,
    may_manage,
    may_view,
    parse_bind_command,
    parse_bind_scene,
    redeem_invite,
    require_actor,
    revoke_invite,
    unbind,
)
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import AuditEvent, WeChatBinding, utcnow
from handlers.checkin_texts import error_text
from tests.store_world import World, add_member


def test_parse_bind_command_and_scene() -> None:
    assert parse_bind_command("绑定 ab3k9x") == "AB3K9X"
    assert parse_bind_command("绑定：AB3K9X ") == "AB3K9X"
    assert parse_bind_command("绑定AB3K9X") == "AB3K9X"
    assert parse_bind_command("bind AB3K9X") == "AB3K9X"
    assert parse_bind_command("我想绑定") is None
    assert parse_bind_command("绑定 '; drop table") is None
    assert parse_bind_scene("bind_AB3K9X") == "AB3K9X"
    assert parse_bind_scene("qrscene_bind_AB3K9X") == "AB3K9X"
    assert parse_bind_scene("other") is None


def _actor(session: Session, openid: str):  # type: ignore[no-untyped-def]
    return require_actor(session=session, openid=openid)


def test_invite_redeem_confirm(session: Session, store_settings: Settings, world: World) -> None:
    assert world.a.id is not None
    invite = create_invite(
        session=session, settings=store_settings, branch_id=world.a.id, actor=_actor(session, World.ORG_A)
    )
    assert len(invite.code) == store_settings.invite_code_length and invite.scene == f"bind_{invite.code}"
    offer = redeem_invite(session=session, openid="o_new_phone", code=invite.code.lower())
    names = [c.name for c in offer.candidates]
    assert offer.branch_name == "红星村党支部"
    assert "党员甲0" in names and "王小明" not in names  # bound members are not offered
    pick = next(c for c in offer.candidates if c.name == "党员甲0")
    actor = confirm_binding(session=session, openid="o_new_phone", code=invite.code, member_id=pick.member_id)
    assert actor.name == "党员甲0" and actor.org_id == world.a.id
    # A retry of the same confirmation is harmless.
    assert (
        confirm_binding(
            session=session, openid="o_new_phone", code=invite.code, member_id=pick.member_id
        ).member_id
        == pick.member_id
    )
    # Someone else cannot take that name; the bound user cannot bind again.
    with pytest.raises(StoreError) as info:
        confirm_binding(session=session, openid="o_other", code=invite.code, member_id=pick.member_id)
    assert info.value.code is ErrorCode.MEMBER_TAKEN and "党员甲0" in error_text(info.value)
    with pytest.raises(StoreError) as info:
        redeem_invite(session=session, openid="o_new_phone", code=invite.code)
    assert info.value.code is ErrorCode.ALREADY_BOUND
    # A member of another branch is not a candidate of this invite.
    with pytest.raises(StoreError) as info:
        confirm_binding(
            session=session, openid="o_other", code=invite.code, member_id=world.members["mem_b"].id or 0
        )
    assert info.value.code is ErrorCode.NOT_A_CANDIDATE
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "invite_create" in actions and "bind" in actions


def test_invite_permissions(session: Session, store_settings: Settings, world: World) -> None:
    assert world.a.id is not None and world.b.id is not None
    for openid in (World.MEM_A, World.SEC_B):
        with pytest.raises(StoreError) as info:
            create_invite(
                session=session, settings=store_settings, branch_id=world.a.id, actor=_actor(session, openid)
            )
        assert info.value.code is ErrorCode.FORBIDDEN
    create_invite(
        session=session, settings=store_settings, branch_id=world.b.id, actor=_actor(session, World.STAFF)
    )
    create_invite(session=session, settings=store_settings, branch_id=world.a.id, actor=None)  # operator CLI


def test_invalid_expired_revoked_codes(session: Session, store_settings: Settings, world: World) -> None:
    assert world.a.id is not None
    with pytest.raises(StoreError) as info:
        redeem_invite(session=session, openid="o_x", code="NOPE42")
    assert info.value.code is ErrorCode.INVITE_INVALID
    invite = create_invite(session=session, settings=store_settings, branch_id=world.a.id, actor=None)
    later = utcnow() + timedelta(hours=store_settings.invite_code_ttl_hours + 1)
    with pytest.raises(StoreError) as info:
        redeem_invite(session=session, openid="o_x", code=invite.code, now=later)
    assert info.value.code is ErrorCode.INVITE_EXPIRED
    revoke_invite(session=session, actor=_actor(session, World.SEC_A), code=invite.code)
    with pytest.raises(StoreError) as info:
        redeem_invite(session=session, openid="o_x", code=invite.code)
    assert info.value.code is ErrorCode.INVITE_INVALID


def test_same_names_get_a_phone_hint(session: Session, store_settings: Settings, world: World) -> None:
    add_member(session, world.b, "李强", phone="13900001111")
    add_member(session, world.b, "李强", phone="13900002222")
    session.commit()
    assert world.b.id is not None
    invite = create_invite(session=session, settings=store_settings, branch_id=world.b.id, actor=None)
    offer = redeem_invite(session=session, openid="o_x", code=invite.code)
    hints = sorted(c.hint for c in offer.candidates if c.name == "李强")
    assert hints == ["手机尾号1111", "手机尾号2222"]


def test_roles_and_scope(session: Session, world: World) -> None:
    assert world.a.id is not None and world.b.id is not None and world.group1.id is not None
    assert is_organizer(session=session, openid=World.SEC_A, branch_id=world.a.id)
    assert is_organizer(session=session, openid=World.ORG_A, branch_id=world.a.id)
    assert not is_organizer(session=session, openid=World.MEM_A, branch_id=world.a.id)
    assert not is_organizer(session=session, openid=World.SEC_A, branch_id=world.b.id)
    staff = _actor(session, World.STAFF)
    town = _actor(session, World.STAFF_TOWN)
    sec_a = _actor(session, World.SEC_A)
    mem_a = _actor(session, World.MEM_A)
    assert may_manage(session=session, actor=staff, org_id=world.b.id)
    assert may_manage(session=session, actor=town, org_id=world.a.id)
    assert not may_manage(session=session, actor=sec_a, org_id=world.b.id)
    assert may_view(session=session, actor=mem_a, org_id=world.group1.id)
    assert not may_view(session=session, actor=mem_a, org_id=world.b.id)
    assert actor_for_openid(session=session, openid="nobody") is None


def test_unbind(session: Session, world: World) -> None:
    mem = world.members["mem_a"].id
    assert mem is not None
    with pytest.raises(StoreError):
        unbind(session=session, actor=_actor(session, World.SEC_B), member_id=mem)
    assert unbind(session=session, actor=_actor(session, World.SEC_A), member_id=mem)
    assert actor_for_openid(session=session, openid=World.MEM_A) is None
    assert session.exec(select(WeChatBinding).where(WeChatBinding.member_id == mem)).first() is None
    assert not unbind(session=session, actor=None, member_id=mem)

"""A small county for store tests: builders shared by the store / check-in / compliance / ledger tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.settings import Settings
from bot.store.checkins import RecordDraft
from bot.store.models import Category, Member, Organisation, OrgLevel, Role, WeChatBinding
from bot.store.orgs import create_org

BJ = ZoneInfo("Asia/Shanghai")
# Monday 23 November 2026, 10:00 Beijing time: "today" in these tests.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BJ)
TODAY = date(2026, 11, 23)


@dataclass
class World:
    county: Organisation
    township: Organisation
    a: Organisation  # 红星村党支部: committee, two groups, 12 members
    b: Organisation  # 向阳村党支部: no committee, no groups, 5 members
    group1: Organisation
    group2: Organisation
    members: dict[str, Member] = field(default_factory=dict)

    # openids
    SEC_A = "o_sec_a"
    ORG_A = "o_org_a"
    MEM_A = "o_mem_a"
    MEM_A2 = "o_mem_a2"
    MEM_B = "o_mem_b"
    SEC_B = "o_sec_b"
    STAFF = "o_staff"
    STAFF_TOWN = "o_staff_town"

    @property
    def ids(self) -> dict[str, int]:
        return {k: m.id for k, m in self.members.items() if m.id is not None}


def add_member(
    session: Session,
    org: Organisation,
    name: str,
    *,
    role: Role = Role.MEMBER,
    category: Category = Category.FULL,
    group: Organisation | None = None,
    openid: str | None = None,
    phone: str | None = None,
) -> Member:
    assert org.id is not None
    m = Member(
        name=name,
        org_id=org.id,
        role=role.value,
        category=category.value,
        group_id=group.id if group else None,
        phone=phone,
    )
    session.add(m)
    session.flush()
    if openid:
        assert m.id is not None
        session.add(WeChatBinding(openid=openid, member_id=m.id))
        session.flush()
    return m


def build_world(session: Session, settings: Settings) -> World:
    county = create_org(session=session, name="某县委", level=OrgLevel.COUNTY)
    township = create_org(session=session, name="城关镇党委", level=OrgLevel.TOWNSHIP, parent=county)
    a = create_org(
        session=session, name="红星村党支部", level=OrgLevel.BRANCH, parent=township, has_committee=True
    )
    b = create_org(session=session, name="向阳村党支部", level=OrgLevel.BRANCH, parent=township)
    g1 = create_org(session=session, name="第一党小组", level=OrgLevel.GROUP, parent=a)
    g2 = create_org(session=session, name="第二党小组", level=OrgLevel.GROUP, parent=a)
    w = World(county, township, a, b, g1, g2)
    w.members["sec_a"] = add_member(session, a, "张建国", role=Role.SECRETARY, group=g1, openid=World.SEC_A)
    w.members["org_a"] = add_member(session, a, "李梅", role=Role.ORGANIZER, group=g1, openid=World.ORG_A)
    w.members["mem_a"] = add_member(session, a, "王小明", group=g1, openid=World.MEM_A, phone="13800000001")
    w.members["mem_a2"] = add_member(session, a, "赵红", group=g2, openid=World.MEM_A2)
    for i in range(6):
        add_member(session, a, f"党员甲{i}", group=g1 if i % 2 else g2)
    for i in range(2):
        add_member(session, a, f"预备乙{i}", category=Category.PROBATIONARY, group=g2)
    w.members["sec_b"] = add_member(session, b, "孙书记", role=Role.SECRETARY, openid=World.SEC_B)
    w.members["mem_b"] = add_member(session, b, "周大勇", openid=World.MEM_B)
    for i in range(3):
        add_member(session, b, f"向阳党员{i}")
    w.members["staff"] = add_member(session, county, "吴干事", role=Role.STAFF, openid=World.STAFF)
    w.members["staff_town"] = add_member(
        session, township, "郑组织员", role=Role.STAFF, openid=World.STAFF_TOWN
    )
    session.commit()
    for o in (county, township, a, b, g1, g2):
        session.refresh(o)
    return w


def draft(**overrides: Any) -> RecordDraft:
    """A valid 主题党日 draft for branch A (12 members) held on 20 November 2026."""
    values: dict[str, Any] = {
        "type_code": "theme_day",
        "held_on": date(2026, 11, 20),
        "start_time": time(9, 0),
        "place": "村党群服务中心",
        "host": "张建国",
        "recorder": "李梅",
        "topic": "学习党的二十届四中全会精神",
        "expected": 12,
        "present": 10,
        "absentees": [{"name": "党员甲1", "reason": "病假"}, {"name": "党员甲2", "reason": "外出务工"}],
        "summary": "集中学习并交流心得。",
    }
    values.update(overrides)
    return RecordDraft.model_validate(values)

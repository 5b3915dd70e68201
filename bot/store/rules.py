"""Activity types and frequency rules as data, with per-organisation overrides.

A rule row with ``org_id`` NULL is the product default (seeded by the initial migration from
《支部工作条例》). A row with an ``org_id`` replaces the default for that organisation's subtree; when
several ancestors override, the nearest one wins. ``deadline_days`` NULL means the settings default.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.settings import Settings
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import ActivityType, AppliesTo, FrequencyRule, Period
from bot.store.orgs import get_org, path_ids


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """The rule in force for one type at one organisation."""

    type_code: str
    type_name: str
    sort_order: int
    period: str
    min_count: int
    applies_to: str
    deadline_days: int
    photo_required: bool
    enabled: bool
    basis: str
    source_org_id: int | None  # None: product default


class RuleBook:
    """All rules loaded once; resolves the effective rules of any organisation by its path."""

    def __init__(
        self,
        types: dict[str, ActivityType],
        rules: list[FrequencyRule],
        default_deadline_days: int,
    ) -> None:
        self.types = types
        self._default_deadline = default_deadline_days
        self._defaults: dict[str, FrequencyRule] = {}
        self._overrides: dict[int, dict[str, FrequencyRule]] = {}
        for r in rules:
            if r.org_id is None:
                self._defaults[r.type_code] = r
            else:
                self._overrides.setdefault(r.org_id, {})[r.type_code] = r
        self._cache: dict[tuple[int, ...], dict[str, EffectiveRule]] = {}

    def _effective(self, rule: FrequencyRule) -> EffectiveRule:
        t = self.types[rule.type_code]
        return EffectiveRule(
            type_code=rule.type_code,
            type_name=t.name,
            sort_order=t.sort_order,
            period=rule.period,
            min_count=rule.min_count,
            applies_to=rule.applies_to,
            deadline_days=rule.deadline_days if rule.deadline_days is not None else self._default_deadline,
            photo_required=rule.photo_required,
            enabled=rule.enabled,
            basis=rule.basis,
            source_org_id=rule.org_id,
        )

    def for_path(self, path: str) -> dict[str, EffectiveRule]:
        """Effective rules (type code → rule, in display order) for the organisation at ``path``."""
        overriding = tuple(i for i in path_ids(path) if i in self._overrides)
        cached = self._cache.get(overriding)
        if cached is not None:
            return cached
        chosen = dict(self._defaults)
        for org_id in overriding:  # root first: nearer organisations overwrite
            chosen.update(self._overrides[org_id])
        result = {
            code: self._effective(rule)
            for code, rule in sorted(chosen.items(), key=lambda kv: self.types[kv[0]].sort_order)
        }
        self._cache[overriding] = result
        return result


def load_rulebook(*, session: Session, settings: Settings) -> RuleBook:
    """Read all activity types and rules (two small queries)."""
    types = {t.code: t for t in session.exec(select(ActivityType))}
    rules = list(session.exec(select(FrequencyRule)))
    return RuleBook(types, rules, settings.checkin_deadline_days)


# Per-process cache of the rule book for the check-in hot path, per engine (tests open many databases).
# Entries are built from plain rows into transient objects, so they never expire with a session.
_BOOKS: weakref.WeakKeyDictionary[Engine, tuple[float, int, RuleBook]] = weakref.WeakKeyDictionary()
_BOOKS_LOCK = threading.Lock()


def cached_rulebook(*, session: Session, settings: Settings) -> RuleBook:
    """:func:`load_rulebook`, kept per process for ``rules_cache_ttl_s`` (check-in path: every message
    needs the rules, which change rarely). :func:`set_rule_override` invalidates it at once; a change made
    by another process shows within the TTL."""
    ttl = settings.rules_cache_ttl_s
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    now = time.monotonic()
    deadline = settings.checkin_deadline_days
    if ttl > 0:
        with _BOOKS_LOCK:
            entry = _BOOKS.get(engine)
        if entry is not None and entry[0] > now and entry[1] == deadline:
            return entry[2]
    conn = session.connection()
    t_type = ActivityType.__table__  # type: ignore[attr-defined]
    t_rule = FrequencyRule.__table__  # type: ignore[attr-defined]
    types = {r.code: ActivityType(**r._mapping) for r in conn.execute(sa.select(t_type))}
    rules = [FrequencyRule(**r._mapping) for r in conn.execute(sa.select(t_rule))]
    book = RuleBook(types, rules, deadline)
    if ttl > 0:
        with _BOOKS_LOCK:
            _BOOKS[engine] = (now + ttl, deadline, book)
    return book


def invalidate_rulebook_cache() -> None:
    """Forget every cached rule book (after a rule or an activity type changed)."""
    with _BOOKS_LOCK:
        _BOOKS.clear()


def effective_rules(*, session: Session, settings: Settings, org_id: int) -> dict[str, EffectiveRule]:
    """The rules in force at ``org_id``."""
    org = get_org(session=session, org_id=org_id)
    return load_rulebook(session=session, settings=settings).for_path(org.path)


def activity_types(*, session: Session) -> list[ActivityType]:
    """All activity types in display order."""
    return list(session.exec(select(ActivityType).order_by(col(ActivityType.sort_order))))


_OVERRIDABLE = ("period", "min_count", "applies_to", "deadline_days", "photo_required", "enabled", "basis")


def set_rule_override(*, session: Session, org_id: int, type_code: str, **changes: Any) -> FrequencyRule:
    """Create or update ``org_id``'s override of ``type_code`` (starting from the rule in force there).

    ``changes`` may set ``period``, ``min_count``, ``applies_to``, ``deadline_days``, ``photo_required``,
    ``enabled`` and ``basis`` (the local rule's wording). Commits.
    """
    unknown = set(changes) - set(_OVERRIDABLE)
    if unknown:
        raise ValueError(f"not overridable: {sorted(unknown)}")
    if "period" in changes and changes["period"] not in set(Period):
        raise ValueError(f"bad period {changes['period']!r}")
    if "applies_to" in changes and changes["applies_to"] not in set(AppliesTo):
        raise ValueError(f"bad applies_to {changes['applies_to']!r}")
    if "min_count" in changes and int(changes["min_count"]) < 0:
        raise ValueError("min_count must be ≥ 0")
    org = get_org(session=session, org_id=org_id)
    existing = session.exec(
        select(FrequencyRule).where(FrequencyRule.org_id == org_id, FrequencyRule.type_code == type_code)
    ).first()
    if existing is None:
        book = RuleBook(
            {t.code: t for t in session.exec(select(ActivityType))},
            list(session.exec(select(FrequencyRule))),
            0,
        )
        if type_code not in book.types:
            raise StoreError(ErrorCode.UNKNOWN_TYPE, type_code=type_code)
        base = book.for_path(org.path).get(type_code)
        existing = FrequencyRule(
            type_code=type_code,
            org_id=org_id,
            period=base.period if base else Period.MONTH,
            min_count=base.min_count if base else 1,
            applies_to=base.applies_to if base else AppliesTo.BRANCH,
            deadline_days=None,
            photo_required=base.photo_required if base else False,
            enabled=base.enabled if base else True,
            basis=base.basis if base else "",
        )
        # The inherited deadline stays inherited unless set here.
        if base is not None and base.source_org_id is not None:
            src = session.exec(
                select(FrequencyRule).where(
                    FrequencyRule.org_id == base.source_org_id, FrequencyRule.type_code == type_code
                )
            ).first()
            existing.deadline_days = src.deadline_days if src is not None else None
    for key, value in changes.items():
        setattr(existing, key, value)
    session.add(existing)
    session.commit()
    invalidate_rulebook_cache()
    session.refresh(existing)
    return existing

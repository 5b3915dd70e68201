"""The organisation tree: create nodes, keep the materialised path, query subtrees."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from bot.store.errors import ErrorCode, StoreError
from bot.store.models import Organisation, OrgLevel

NAME_PATH_SEP = "/"


def path_ids(path: str) -> list[int]:
    """``/1/5/23/`` → ``[1, 5, 23]`` (root first)."""
    return [int(p) for p in path.strip("/").split("/") if p]


def create_org(
    *,
    session: Session,
    name: str,
    level: OrgLevel | str,
    parent: Organisation | None = None,
    has_committee: bool = False,
) -> Organisation:
    """Insert a node under ``parent`` and set its paths (flushes, does not commit)."""
    name_path = f"{parent.name_path}{NAME_PATH_SEP}{name}" if parent is not None else name
    org = Organisation(
        name=name,
        level=str(level),
        parent_id=parent.id if parent is not None else None,
        name_path=name_path,
        depth=parent.depth + 1 if parent is not None else 0,
        has_committee=has_committee,
    )
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent is not None else '/'}{org.id}/"
    session.flush()
    return org


def get_org(*, session: Session, org_id: int) -> Organisation:
    """The organisation ``org_id`` (StoreError NOT_FOUND otherwise)."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="org", id=org_id)
    return org


def find_by_name_path(*, session: Session, name_path: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.name_path == name_path)).first()


def subtree(
    *, session: Session, root: Organisation, level: OrgLevel | str | None = None
) -> list[Organisation]:
    """``root`` and everything under it (optionally only one level), ordered by name path."""
    stmt = select(Organisation).where(col(Organisation.path).startswith(root.path, autoescape=True))
    if level is not None:
        stmt = stmt.where(Organisation.level == str(level))
    return sorted(session.exec(stmt), key=lambda o: o.name_path)


def groups_of(*, session: Session, branch_id: int, active_only: bool = True) -> list[Organisation]:
    """The 党小组 of a branch."""
    stmt = select(Organisation).where(
        Organisation.parent_id == branch_id, Organisation.level == OrgLevel.GROUP
    )
    if active_only:
        stmt = stmt.where(col(Organisation.active).is_(True))
    return sorted(session.exec(stmt), key=lambda o: o.name)  # codepoint order on every database


def ancestors(*, session: Session, org: Organisation) -> Sequence[Organisation]:
    """Root first, ``org`` last."""
    ids = path_ids(org.path)
    rows = {o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def find_branches(*, session: Session, under_path: str, name: str) -> list[tuple[int, str]]:
    """Active branches under ``under_path`` whose name is ``name`` or contains it (``红星村`` finds
    ``红星村党支部``): ``(id, name)`` pairs, an exact match alone when there is one."""
    name = name.strip()
    if not name:
        return []
    rows = list(
        session.exec(
            select(Organisation).where(
                col(Organisation.path).startswith(under_path, autoescape=True),
                Organisation.level == OrgLevel.BRANCH,
                col(Organisation.active).is_(True),
                col(Organisation.name).contains(name, autoescape=True),
            )
        )
    )
    exact = [o for o in rows if o.name == name]
    found = exact or sorted(rows, key=lambda o: o.name_path)
    return [(o.id, o.name) for o in found if o.id is not None]

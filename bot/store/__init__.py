"""The check-in store (SQLModel): organisations, members, bindings, rules, records, compliance.

Modules: ``models`` (tables), ``migrate`` (Alembic from code), ``orgs`` (tree), ``rules`` (frequency
rules and overrides), ``roster`` (Excel/CSV import), ``binding`` (invites, openid ↔ member, roles),
``checkins`` (validate / submit / confirm / correct records), ``compliance`` (达标率), ``ledger`` (台账
workbook), ``state`` (conversation state storage), ``service`` (async runner for the gateway),
``errors`` and ``views`` (what callers catch and receive). See docs/checkins.md.
"""

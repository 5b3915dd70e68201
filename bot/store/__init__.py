"""The check-in store: organisations, members, bindings, rules, records, compliance (SQLModel)."""

"""Alembic migrations of the check-in store (run with ``python -m bot db upgrade``)."""

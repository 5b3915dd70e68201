"""Scheduled reminders: rules as data (``reminder_rule``), evaluated against compliance, fired once per
run key (``reminder_run``), delivered through the broadcast sender. See docs/broadcasts.md.

Modules: ``schedule`` (pure: when a rule is due, quiet hours), ``engine`` (synchronous: who is behind,
the messages, firing a run), ``scheduler`` (the async loop the app runs).
"""

"""Broadcasts (通知) and their delivery: one row per recipient, sent in the background (issue 5).

Modules: ``models`` (tables), ``activity`` (last interaction per openid, for the 48 h window),
``compose`` (pure: notice syntax, length limits, template fields), ``store`` (synchronous store
functions: audience, create, claim, results, reports), ``sender`` (the background sender: channel
choice, rate limit, retries), ``runtime`` (the app's cleanup context: sender + activity flusher +
reminder scheduler). See docs/broadcasts.md.
"""

"""The web console for organizers and county staff (issue 6; docs/console.md).

``setup_console(app, settings)`` mounts it on the gateway's aiohttp app under ``DJ_CONSOLE_PATH``.
"""

from __future__ import annotations

from bot.console.web import setup_console

__all__ = ["setup_console"]

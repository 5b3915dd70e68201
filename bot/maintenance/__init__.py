"""Background upkeep run by the app: the photo fetcher and the purge of expired conversation rows.

``maintenance_runtime(...)`` (bot/maintenance/runtime.py) starts them as tracked tasks and stops them.
"""

from bot.maintenance.runtime import MaintenanceRuntime, maintenance_runtime

__all__ = ["MaintenanceRuntime", "maintenance_runtime"]

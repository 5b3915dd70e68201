"""Shared fixtures. Each feature's fixtures live in a plugin module listed below; add yours there."""

from __future__ import annotations

import os

# Tests never reach the network for models.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

pytest_plugins = ["tests.fixtures_knowledge", "tests.fixtures_gateway", "tests.fixtures_store", "tests.photo_support"]

"""``python -m bot serve``: run the WeChat gateway (host, port and path from settings)."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.settings import Settings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options override ``DJ_HOST``/``DJ_PORT``."""
    parser.add_argument("--host", help="listen address (default: DJ_HOST)")
    parser.add_argument("--port", type=int, help="listen port (default: DJ_PORT)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the real app and serve until SIGINT/SIGTERM (graceful: background work is drained)."""
    from bot.app import create_app

    if args.host:
        settings = settings.model_copy(update={"host": args.host})
    if args.port:
        settings = settings.model_copy(update={"port": args.port})
    if not settings.wechat_token.get_secret_value():
        log.error("DJ_WECHAT_TOKEN is not set: WeChat could not sign requests to us")
        return 2
    app = create_app(settings)
    log.info(
        "serving %s on http://%s:%d (mode: %s, redis: %s)",
        settings.wechat_path,
        settings.host,
        settings.port,
        settings.wechat_encryption,
        "yes" if settings.redis_url else "no",
    )
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
        shutdown_timeout=settings.shutdown_grace_s,
        print=None,
    )
    return 0

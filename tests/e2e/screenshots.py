"""Refresh the console screenshots in docs/screenshots/ (real app, Debian's chromium):

    .venv/bin/python -m tests.e2e.screenshots [--out docs/screenshots]

Uses the small county of the tests (two branches, two records) with the fake knowledge service, so it
runs in seconds and needs no model.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.console_support import PASSWORD
from tests.e2e.support import browser, missing_browser, running_console, sign_in

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


async def take(out: Path) -> list[Path]:
    shots: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with running_console(Path(tmp)) as (base, cw), browser(Path(tmp)) as ctx:
            page = await ctx.new_page()
            await page.set_viewport_size(DESKTOP)

            async def shot(name: str, *, full: bool = True) -> None:
                path = out / f"{name}.png"
                await page.screenshot(path=str(path), full_page=full)
                shots.append(path)

            await page.goto(f"{base}/login")
            await shot("login")
            await sign_in(page, base, "county", PASSWORD)
            await page.goto(f"{base}/compliance?period=2026-11")
            await shot("compliance")
            await page.goto(f"{base}/compliance/branch/{cw.world.a.id}?period=2026Q4")
            await shot("branch")
            await page.goto(f"{base}/records")
            await shot("records")
            await page.goto(f"{base}/records/{cw.pending_a.id}")
            await shot("record")
            await page.goto(f"{base}/broadcasts/new")
            await shot("broadcast_new")
            await page.goto(f"{base}/documents")
            await page.fill("#question", "支部党员大会多久开一次？")
            await page.click("#ask")
            await shot("documents")
            await page.set_viewport_size(PHONE)
            await page.goto(f"{base}/compliance?period=2026-11")
            await shot("compliance_phone")
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    why = missing_browser()
    if why:
        print(f"cannot take screenshots: {why}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

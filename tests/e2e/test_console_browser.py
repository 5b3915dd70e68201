"""End-to-end: the console in a real headless chromium (Debian's), driven by Playwright.

Skipped, with the reason, when /usr/bin/chromium or playwright is missing. The document test needs the
real embedding model (marked ``model``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console_support import PASSWORD
from tests.e2e.support import browser, missing_browser, running_console, sign_in

pytestmark = pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "browser available")


async def test_sign_in_see_compliance_and_open_a_record(tmp_path: Path) -> None:
    async with running_console(tmp_path) as (base, cw), browser(tmp_path) as ctx:
        page = await ctx.new_page()
        await page.goto(f"{base}/compliance")
        assert "/login" in page.url  # not signed in
        await sign_in(page, base, "hongxing", PASSWORD)
        await page.goto(f"{base}/compliance?period=2026-11")
        table = page.locator("#compliance-table")
        assert "红星村党支部" in await table.inner_text()
        assert "向阳村党支部" not in await page.content()
        assert await page.locator("svg.chart rect").count() == 12
        await page.goto(f"{base}/records")
        await page.click(f"a[href='/console/records/{cw.pending_a.id}']")
        await page.wait_for_url(f"{base}/records/{cw.pending_a.id}")
        assert "学习党的二十届四中全会精神" in await page.content()
        await page.click("#confirm")
        await page.wait_for_url("**msg=confirmed")
        assert "已确认该记录" in await page.content()
        # A phone screen: the table scrolls inside its box, the page does not overflow sideways.
        await page.set_viewport_size({"width": 375, "height": 740})
        await page.goto(f"{base}/compliance?period=2026-11")
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1


@pytest.mark.model
async def test_upload_a_document_and_ask_about_it(tmp_path: Path) -> None:
    doc = tmp_path / "五峰村集体经济分红办法.md"
    doc.write_text(
        "# 五峰村集体经济收益分配办法\n\n五峰村集体经济年度收益的百分之三十用于全体村民分红，"
        "每年十二月底前公示分红名单。\n",
        encoding="utf-8",
    )
    async with running_console(tmp_path, real_knowledge=True) as (base, _cw), browser(tmp_path) as ctx:
        page = await ctx.new_page()
        await sign_in(page, base, "county", PASSWORD)
        await page.goto(f"{base}/documents")
        await page.set_input_files("#file", str(doc))
        await page.click("#upload")
        await page.wait_for_url("**/documents?msg=uploaded")
        # The page polls the job's progress and reloads when it is done (the CSP forbids eval: no
        # wait_for_function here).
        await page.locator("#job[data-state='done']").wait_for(timeout=120_000)
        await page.goto(f"{base}/documents")
        assert "五峰村集体经济分红办法.md" in await page.locator("#documents").inner_text()
        await page.fill("#question", "五峰村集体经济年度收益用于村民分红的比例是多少？")
        await page.click("#ask")
        answer = await page.locator("#answer").inner_text()
        assert "百分之三十" in answer or "30" in answer
        assert "五峰村集体经济分红办法.md" in await page.locator("#sources").inner_text()

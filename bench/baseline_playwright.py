"""The baseline of the end-to-end benchmark: the script a researcher would write by hand with
Playwright for Python to observe the same thing consentlens does.

For each site: open it in a fresh context and record the requests before consent; click an
"accept" button found by its text and record again; then, in another fresh context, do the same
with a "reject" button. Debian's Chromium is used through ``executable_path``. Sites run
``workers`` at a time (an ``asyncio.Semaphore`` over one browser, the usual pattern).

Settle waits match consentlens' settings (``settle_ms``, ``idle_ms``, ``banner_wait_ms``):

- ``networkidle`` (default, the strongest hand-written version): after each load,
  ``wait_for_load_state("networkidle")`` (Playwright: no network connection for 500 ms), at most
  ``settle_ms``; after a click, ``idle_ms`` (Playwright has no network-idle wait that re-arms after
  a click);
- ``fixed``: ``wait_for_timeout(settle_ms)`` after each load and each click, the most common way
  such scripts are written.

Run by ``bench/end_to_end`` with a job file; prints ``progress N`` lines and one ``result {json}``
line. It can also be run alone: ``python bench/baseline_playwright.py job.json``.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

# The button texts a careful researcher would list for the languages of their study.
ACCEPT = re.compile(
    r"^\s*(accept all|accept|allow all|agree|godta alle|godta|alle akzeptieren|akzeptieren|"
    r"tout accepter|accepter)\s*$",
    re.IGNORECASE,
)
REJECT = re.compile(
    r"^\s*(reject all|reject|decline|deny|avvis alle|avvis|alle ablehnen|ablehnen|"
    r"nur notwendige|tout refuser|refuser)\s*$",
    re.IGNORECASE,
)


async def settle_after_load(page, settings, style):
    if style == "fixed":
        await page.wait_for_timeout(settings["settle_ms"])
        return
    try:
        await page.wait_for_load_state("networkidle", timeout=settings["settle_ms"])
    except PlaywrightTimeout:
        pass


async def settle_after_click(page, settings, style):
    wait = settings["settle_ms"] if style == "fixed" else settings["idle_ms"]
    await page.wait_for_timeout(wait)


async def observe(browser, url, button, settings, style):
    """One fresh context: requests and cookies before the click, then after it."""
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="en-GB",
        timezone_id="Europe/Oslo",
        ignore_https_errors=True,
    )
    try:
        page = await context.new_page()
        requests = []
        page.on(
            "request",
            lambda r: requests.append(
                {"url": r.url, "method": r.method, "type": r.resource_type, "body": r.post_data}
            ),
        )
        await page.goto(url, wait_until="load", timeout=settings["timeout_ms"])
        await settle_after_load(page, settings, style)
        before = {"requests": list(requests), "cookies": await context.cookies()}
        target = page.get_by_role("button", name=button).or_(page.get_by_role("link", name=button))
        try:
            await target.first.click(timeout=settings["banner_wait_ms"])
            clicked = True
        except PlaywrightTimeout:
            clicked = False
        after = None
        if clicked:
            await settle_after_click(page, settings, style)
            after = {"requests": requests[len(before["requests"]) :], "cookies": await context.cookies()}
        return before, clicked, after
    finally:
        await context.close()


async def evaluate(browser, url, settings, style):
    outcome = {"url": url, "ok": False, "dialog": False, "accept": False, "reject": False, "error": None}
    try:
        before, accepted, after_accept = await observe(browser, url, ACCEPT, settings, style)
        _, rejected, after_reject = await observe(browser, url, REJECT, settings, style)
    except PlaywrightError as e:
        outcome["error"] = str(e).splitlines()[0]
        return outcome
    outcome.update(
        ok=True,
        dialog=accepted or rejected,
        accept=accepted,
        reject=rejected,
        detail={
            "requests_before": len(before["requests"]),
            "requests_after_accept": len(after_accept["requests"]) if after_accept else None,
            "requests_after_reject": len(after_reject["requests"]) if after_reject else None,
        },
    )
    return outcome


async def main(job):
    settings = job["settings"]
    style = job.get("baseline_settle", "networkidle")
    semaphore = asyncio.Semaphore(job["workers"])
    done = 0
    results = []

    async with async_playwright() as playwright:
        started = time.monotonic()
        browser = await playwright.chromium.launch(
            executable_path=job["chromium"],
            args=[*job["chromium_args"], "--no-sandbox"],
        )

        async def one(site):
            nonlocal done
            async with semaphore:
                result = await evaluate(browser, site["url"], settings, style)
            results.append(result)
            done += 1
            print(f"progress {done}", flush=True)

        await asyncio.gather(*(one(site) for site in job["sites"]))
        elapsed = time.monotonic() - started
        await browser.close()

    note = f"Playwright, settle style {style}"
    print(
        "result "
        + json.dumps(
            {
                "system": job["system"],
                "workers": job["workers"],
                "elapsed_s": elapsed,
                "sites": results,
                "note": note,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        asyncio.run(main(json.load(f)))

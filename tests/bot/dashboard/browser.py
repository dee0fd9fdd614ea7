"""A real browser for the dashboard's tests: Playwright driving Debian's Chromium, headless.

Chromium is launched from its Debian path (`CHROMIUM`, or /usr/bin/chromium: scripts/chromium.sh
installs it), never from Playwright's own download, with every background service off and
every host name but 127.0.0.1 unresolvable: the network guard of these tests does not see a
child browser, so the browser itself must reach nothing but the bot under test.

Screenshots of each page at desktop and phone size go under the test's tmp folder
(`screenshots/`), for a reviewer to look at; they are not committed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
    "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages",
    "--disable-features=NetworkTimeServiceQuerying,Translate,OptimizationHints,MediaRouter,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    # What still tries (checked with --log-net-log: the sign-in cookie check and the component
    # updater's first ping) fails at name resolution: any name but 127.0.0.1 resolves to nothing,
    # so no DNS query and no connection leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("no Chromium: run scripts/chromium.sh (make test does) to install Debian's chromium")


async def launch() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


class Shots:
    """Full-page screenshots of the current page at desktop and phone width."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def take(self, page: Page, name: str) -> None:
        size = page.viewport_size or DESKTOP
        await page.screenshot(path=self.folder / f"{name}-desktop.png", full_page=True)
        await page.set_viewport_size(PHONE)
        await page.screenshot(path=self.folder / f"{name}-phone.png", full_page=True)
        await page.set_viewport_size(size)

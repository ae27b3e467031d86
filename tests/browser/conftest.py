"""A real browser (Debian's Chromium, driven by Playwright) against pytest-django's live server.

Plain `playwright.sync_api`, not pytest-playwright's fixtures: those would look for a browser
that Playwright downloads itself. The fixture names here (`chromium_browser`, `browser_page`)
stay clear of pytest-playwright's (`browser`, `page`, …) so that plugin stays idle.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; Django would then refuse the
# ORM calls the fixtures make in that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        pytest.skip(f"không có trình duyệt {CHROMIUM} (cài gói chromium của Debian để chạy kiểm thử trình duyệt)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class ConsoleLog:
    """Console messages and uncaught page errors, as text."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def console(self, message) -> None:
        self.lines.append(f"console.{message.type}: {message.text}")

    def page_error(self, error) -> None:
        self.lines.append(f"pageerror: {error}")

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        return lines


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh browser context (no cookies) and page, with its console collected in `page.log`."""
    context = chromium_browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log = ConsoleLog()
    page.on("console", log.console)
    page.on("pageerror", log.page_error)
    page.log = log
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

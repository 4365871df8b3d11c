"""End-to-end tests: Debian's Chromium, driven by Playwright, against the real app on a localhost port, on
SQLite and on PostgreSQL. Skipped with a message where Chromium is not installed (`.ci/run` installs it)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.integration.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    api,
    backend,
    ctx,
    database_url,
    server,
    staff,
    strict_server,
    tokens,
)

CHROMIUM = Path("/usr/bin/chromium")
# The flags a headless Chromium needs on a closed network, run as root.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("SABT_TEST_REQUIRE_CHROMIUM") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str, ctx) -> Iterator[Page]:  # noqa: F811 (fixtures)
    """A fresh browser tab on the test server; fails the test on any script error in the page."""
    yield from open_tab(browser, server, width=1280)


def open_tab(browser: Browser, base_url: str, *, width: int) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, locale="fa-IR", viewport={"width": width, "height": 900}, accept_downloads=True
    )
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    context.close()
    assert script_errors == []


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def screenshot(page: Page, name: str) -> None:
    """Pages as people see them, saved to docs/screenshots/ when SABT_SCREENSHOTS names that folder."""
    folder = os.environ.get("SABT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

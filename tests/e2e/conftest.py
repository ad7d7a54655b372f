"""Real-browser journeys: Debian's chromium driven by Playwright against a live server.

The browser is never downloaded: it is the system's ``chromium`` (``make test`` installs
it). A missing browser fails the journeys; it never skips them.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(os.environ.get("STAGEBANK_TEST_ARTIFACTS", "test-artifacts")) / "journeys"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("STAGEBANK_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it.")
    return path


@pytest.fixture
def live_server(app):
    """The test app served over real HTTP on a free loopback port."""
    app.config.update(SERVER_NAME=None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


@dataclass
class Journey:
    """A page plus what a journey records: clicks, screenshots and axe results."""

    page: object
    name: str
    base_url: str
    clicks: int = 0
    checked_urls: set[str] = field(default_factory=set)

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.check_accessibility()

    def click(self, locator) -> None:
        """Click and count it; then check the page we land on."""
        self.clicks += 1
        locator.click()
        self.page.wait_for_load_state("load")
        self.check_accessibility()

    def check_accessibility(self) -> None:
        """axe-core on every new page: no serious or critical WCAG 2.1 AA violation."""
        url = re.sub(r"[?#].*$", "", self.page.url)
        if url in self.checked_urls:
            return
        self.checked_urls.add(url)
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(
            self.page,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
            },
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, f"accessibility on {url}: {bad}"

    def screenshot(self, step: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}--{step}.png"), full_page=True)


@pytest.fixture
def journey(browser, live_server, request):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield Journey(page=page, name=request.node.name, base_url=live_server)
    context.close()


@pytest.fixture
def phone_journey(browser, live_server, request):
    context = browser.new_context(
        locale="nl-BE", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield Journey(page=page, name=f"{request.node.name}-phone", base_url=live_server)
    context.close()

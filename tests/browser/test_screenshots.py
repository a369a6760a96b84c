"""Writes the README's screenshots of the public pages, desktop and phone, as a visitor sees
them with the article's figures loaded and nothing else published."""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize(
    ("name", "path", "width"),
    [
        ("progress-desktop", "/", 1280),
        ("progress-en-desktop", "/en/", 1280),
        ("progress-phone", "/", 375),
        ("indicator-desktop", "/en/indicators/synbio-valuation/", 1280),
    ],
)
def test_screenshot_of_public_page(live_server, page, article, name, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"{path} scrolls sideways at {width}px"

"""The embeddable card framed in Chromium: by a page of an allowed origin it shows, by a page of
any other origin the browser refuses it (CSP frame-ancestors)."""

import datetime
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def portal(tmp_path, live_server):
    """The district portal: a page on another port of this machine that frames the card."""
    (tmp_path / "index.html").write_text(
        f'<!doctype html><title>Portal</title><iframe title="card" width="400" height="300" '
        f'src="{live_server.url}/embed/indicators/hte/"></iframe>',
        encoding="utf-8",
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def card_text(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    frame = page.frames[1]
    if frame.url.startswith("chrome-error://"):
        return None
    return frame.locator("body").inner_text()


def test_the_card_is_framed_by_the_allowed_origin_only(
    page, portal, settings, make_indicator, make_actual
):
    indicator = make_indicator(code="hte", target="2300")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="2100")
    settings.EMBED_ORIGINS = [f"http://127.0.0.1:{portal}"]
    shown = card_text(page, f"http://127.0.0.1:{portal}/")
    refused = card_text(page, f"http://localhost:{portal}/")
    assert shown is not None and indicator.name in shown
    assert refused is None

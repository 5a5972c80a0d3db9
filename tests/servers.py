"""Test helpers: the app on a real server, and the browser the tests drive.

``running(config)`` serves ``geo_klaster.web.create_app(config)`` with waitress on 127.0.0.1 and a free
port in a thread. ``need_browser()`` skips a test without Debian chromium and Playwright,
and fails it instead under CI, where the test script installs both.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"


def need_browser() -> None:
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright (python) is not installed"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run under CI: {reason}")
        pytest.skip(reason)


@contextlib.contextmanager
def running(config: dict[str, Any], *, threads: int = 4, options: Any = None) -> Iterator[str]:
    """The app on waitress at ``http://127.0.0.1:PORT`` for the duration of the block, set up
    as ``geo-klaster serve`` sets it up (``options``: a ``web.ServeOptions``)."""
    import dataclasses

    from geo_klaster.web import ServeOptions, create_app, make_server

    options = options or dataclasses.replace(ServeOptions(), utas=threads)
    server = make_server(create_app(config), "127.0.0.1", 0, options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)

"""The comparison page in headless chromium (no network): both flood layers and the
kecamatan coloured by their change are drawn; screenshots at 1366 and 390 px wide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY
from servers import ARTIFACTS, need_browser, running
from test_browser import Visit

pytestmark = pytest.mark.browser

PATH = "/banding?skenario=latihan_banjir_utara&skenario=latihan_kali_bekasi"


@pytest.fixture(scope="module")
def base_url(demo_store: Path) -> Iterator[str]:
    need_browser()
    with running({"STORE": demo_store, "TODAY": DAY}) as url:
        yield url


STATE = """() => {
  const L_ = window.klasterLapisan || {};
  const n = (k) => L_[k] ? L_[k].getLayers().length : -1;
  const filled = (k) => L_[k] ? L_[k].getLayers().filter(l => l.options.fill !== false).length : -1;
  return {kecamatan: n('kecamatan'), zona_a: n('zona_a'), zona_b: n('zona_b'),
          a_filled: filled('zona_a'), b_filled: filled('zona_b'),
          legend: (document.querySelector('.legenda') || {}).textContent || '',
          width: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_comparison_page_drawn(browser: Any, base_url: str, width: int) -> None:
    visit = Visit(browser, base_url + PATH, size=(width, 900))
    try:
        assert visit.response is not None and visit.response.status == 200
        visit.page.wait_for_function("window.klasterLapisan && window.klasterLapisan.zona_a")
        state = visit.page.evaluate(STATE)
        ARTIFACTS.mkdir(exist_ok=True)
        visit.page.screenshot(path=str(ARTIFACTS / f"banding_{width}.png"), full_page=True)
        assert state["kecamatan"] == 23
        assert state["zona_a"] == 3 and state["a_filled"] == 0  # A outlined
        assert state["zona_b"] == 3 and state["b_filled"] == 3  # B filled
        assert "berisiko di latihan_kali_bekasi, tidak di latihan_banjir_utara" in state["legend"]
        assert state["width"] <= width, "the page scrolls sideways"
        assert visit.errors == [] and visit.foreign == []
    finally:
        visit.close()

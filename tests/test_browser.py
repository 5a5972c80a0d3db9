"""The pages in a real browser: headless Debian chromium through Playwright, no network.

The app runs on waitress on 127.0.0.1 (a free port) with the demo store. Every request to
another host is aborted and recorded: a page that needs the internet fails here. For each
page: a Leaflet map initialises, the 23 kecamatan polygons are drawn, the sites are drawn,
and the console shows no error. Screenshots go to ``tests/_artifacts/`` (gitignored).

Skipped when /usr/bin/chromium or playwright is missing, except under ``CI``, where that
is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import DAY
from servers import ARTIFACTS, need_browser, running

pytestmark = pytest.mark.browser

N_KECAMATAN = 23


def _serve(config: dict[str, Any]) -> Iterator[str]:
    with running(config) as url:
        yield url


@pytest.fixture(scope="module")
def base_url(demo_store: Path) -> Iterator[str]:
    need_browser()
    yield from _serve({"STORE": demo_store, "TODAY": DAY})


@pytest.fixture(scope="module")
def base_url_fetch(demo_store: Path) -> Iterator[str]:
    """The same store with every site layer fetched from the API (the large-layer path)."""
    need_browser()
    yield from _serve({"STORE": demo_store, "TODAY": DAY, "LOKASI_INLINE_MAKS": 0})


class Visit:
    """One page load with every foreign request aborted and every console error kept."""

    def __init__(
        self, browser: Any, url: str, *, media: str = "screen", size: tuple[int, int] = (1366, 900)
    ) -> None:
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, locale="id-ID"
        )
        self.page = self.context.new_page()
        self.page.emulate_media(media=media)
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.response = self.page.goto(url, wait_until="load")

    def _route(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


PAGES = [
    ("ikhtisar", "/"),
    ("kecamatan", "/kecamatan/32.16.02"),
    ("kecamatan_tidak_berisiko", "/kecamatan/32.16.20"),
    ("cetak", "/kecamatan/32.16.02/cetak"),
    ("gap", "/gap?barang=air_bersih"),
    ("alokasi", "/alokasi"),
    ("alokasi_beras", "/alokasi?barang=beras"),
    ("anggota", "/anggota"),
]

STATE_JS = """() => {
  const L_ = window.klasterLapisan || {};
  return {
    container: !!document.querySelector('.leaflet-container'),
    kecamatan: L_.kecamatan ? L_.kecamatan.getLayers().length : -1,
    lokasi: L_.lokasi ? L_.lokasi.getLayers().length : -1,
    lokasiSiap: window.klasterLokasiSiap,
    paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
    clusters: document.querySelectorAll('.marker-cluster').length,
    legend: !!document.querySelector('.legenda'),
    layers: !!document.querySelector('.leaflet-control-layers'),
  };
}"""


def _check_page(browser: Any, url: str, shot: str, *, media: str = "screen") -> dict[str, Any]:
    visit = Visit(browser, url, media=media)
    try:
        assert visit.response is not None and visit.response.status == 200, url
        visit.page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
        state = visit.page.evaluate(STATE_JS)
        ARTIFACTS.mkdir(exist_ok=True)
        visit.page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
        assert state["container"], f"{url}: no Leaflet map"
        assert state["kecamatan"] == N_KECAMATAN, f"{url}: {state}"
        assert state["paths"] >= N_KECAMATAN, f"{url}: kecamatan polygons not drawn: {state}"
        assert state["lokasi"] > 0 and state["lokasi"] == state["lokasiSiap"], state
        assert state["clusters"] + state["paths"] > N_KECAMATAN, f"{url}: no sites drawn"
        assert state["legend"] and state["layers"], f"{url}: legend or layer control missing"
        assert visit.errors == [], f"{url}: console errors {visit.errors}"
        assert visit.foreign == [], f"{url}: requests to other hosts {visit.foreign}"
        return state
    finally:
        visit.close()


@pytest.mark.parametrize(("shot", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_draws_map_offline(browser: Any, base_url: str, shot: str, path: str) -> None:
    _check_page(browser, base_url + path, shot)


def test_sites_fetched_from_api(browser: Any, base_url_fetch: str, demo_store: Path) -> None:
    """Large layers take the API path: the same sites, fetched after the page loads."""
    from geo_klaster.store import open_store

    state = _check_page(browser, base_url_fetch + "/", "ikhtisar_fetch")
    assert state["lokasi"] == open_store(demo_store).count("lokasi") == 113


def test_site_popup_fetches_stock(browser: Any, base_url_fetch: str) -> None:
    """In the large-layer path a site's popup fetches its stock when opened."""
    visit = Visit(browser, base_url_fetch + "/")
    try:
        visit.page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
        # Beyond disableClusteringAtZoom every marker is on the map by itself.
        visit.page.evaluate(
            """() => { const m = window.klasterLapisan.lokasi.getLayers()
                 .find(l => l.feature.properties.id === 'LOK-001');
               window.klasterPeta.setView(m.getLatLng(), 17, {animate: false}); }"""
        )
        visit.page.wait_for_timeout(300)
        visit.page.evaluate(
            """() => window.klasterLapisan.lokasi.getLayers()
                 .find(l => l.feature.properties.id === 'LOK-001').openPopup()"""
        )
        visit.page.wait_for_selector(".leaflet-popup-content table", timeout=10_000)
        visit.page.wait_for_function(
            "!document.querySelector('.leaflet-popup-content').innerText.includes('memuat')",
            timeout=10_000,
        )
        text = visit.page.inner_text(".leaflet-popup-content")
        assert "Laporan terakhir" in text and "Stok siap" in text and "Beras" in text
        visit.page.screenshot(path=str(ARTIFACTS / "popup_lokasi.png"))
        assert visit.errors == [] and visit.foreign == []
    finally:
        visit.close()


def test_print_sheet_in_print_media(browser: Any, base_url: str) -> None:
    """The readiness sheet as printed: navigation hidden, map and tables kept; an A4 PDF."""
    a4 = (794, 1123)  # A4 at 96 dpi
    visit = Visit(browser, base_url + "/kecamatan/32.16.02/cetak", media="print", size=a4)
    try:
        visit.page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
        hidden = visit.page.evaluate(
            "() => getComputedStyle(document.querySelector('header.atas')).display"
        )
        assert hidden == "none"
        visit.page.screenshot(path=str(ARTIFACTS / "cetak_print.png"))
        pdf = visit.page.pdf(prefer_css_page_size=True)
        assert pdf[:4] == b"%PDF"
        (ARTIFACTS / "cetak.pdf").write_bytes(pdf)
        assert visit.errors == [] and visit.foreign == []
    finally:
        visit.close()


def test_popup_in_indonesian(browser: Any, base_url: str) -> None:
    """Clicking a kecamatan opens its popup in Bahasa Indonesia."""
    visit = Visit(browser, base_url + "/")
    try:
        visit.page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
        visit.page.evaluate(
            """() => { const l = window.klasterLapisan.kecamatan.getLayers()
                 .find(x => x.feature.properties.kode === '32.16.02');
               l.openPopup(); }"""
        )
        text = visit.page.inner_text(".leaflet-popup-content")
        assert "Kecamatan Babelan" in text and "Pengungsi" in text and "Berisiko" in text
        assert visit.errors == [] and visit.foreign == []
    finally:
        visit.close()

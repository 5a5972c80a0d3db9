"""The overview and the allocation map in Chromium: what the meeting reads at a glance.

Overview: kecamatan names on the map, flood zones hatched (SVG patterns, no translucent
fills), clicking a kecamatan draws its reach ring and its sites within reach, and the
readiness matrix sorts by a column. Allocation map: every line has an arrowhead pointing at
its kecamatan, one layer per item, and the first view holds every kecamatan, site and line.
Screenshots (1366 and 390 px wide) go to ``tests/_artifacts/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import ARTIFACTS, need_browser, running

pytestmark = pytest.mark.browser

DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def base(demo_store: Path) -> Iterator[str]:
    need_browser()
    with running({"STORE": demo_store, "TODAY": DAY}) as url:
        yield url


def _open(browser: Any, url: str, width: int = 1366) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=15_000)
    return page, errors


def test_overview_names_hatching_and_selection(browser: Any, base: str, demo_store: Path) -> None:
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    result = run_analysis(open_store(demo_store).read_all(), today=DAY)
    in_reach = int((result.jangkauan["kode"] == "32.16.04").sum())
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page, errors = _open(browser, base + "/", width)
        try:
            labels = page.evaluate(
                "() => [...document.querySelectorAll('.label-kecamatan')].map(e => e.textContent)"
            )
            assert len(labels) == 23 and "Babelan" in labels
            zona = page.evaluate(
                """() => { const fills = []; window.klasterLapisan.zona.eachLayer(
                     l => fills.push(l._path.getAttribute('fill')));
                   return {fills: [...new Set(fills)],
                           pola: document.querySelectorAll('pattern[id^=arsir-]').length}; }"""
            )
            assert zona["pola"] == 3
            assert zona["fills"] and all(f.startswith("url(#arsir-") for f in zona["fills"])
            # click Tambelang (at its label): its ring and its sites within reach
            page.evaluate(
                """() => { const l = window.klasterLapisan.kecamatan.getLayers()
                     .find(x => x.feature.properties.kode === '32.16.04');
                   window.klasterPeta.fitBounds(l.getBounds(), {animate: false}); }"""
            )
            page.evaluate(
                """() => window.klasterLapisan.kecamatan.getLayers()
                     .find(x => x.feature.properties.kode === '32.16.04')
                     .fire('click', {latlng: window.klasterPeta.getCenter()}, true)"""
            )
            page.wait_for_function("window.klasterPilihan", timeout=10_000)
            chosen = page.evaluate("() => window.klasterPilihan")
            assert chosen == {"kode": "32.16.04", "lokasi": in_reach}
            assert in_reach > 0
            box = page.inner_text(".kotak-pilihan")
            assert "Tambelang" in box and f"{in_reach} lokasi dalam jangkauan" in box
            page.screenshot(path=str(ARTIFACTS / f"ikhtisar_pilih_{width}.png"))
            assert errors == []
        finally:
            page.close()


def test_matrix_sorts_by_a_column(browser: Any, base: str) -> None:
    page, errors = _open(browser, base + "/")
    try:
        first = page.evaluate(
            "() => document.querySelector('.matriks-tabel tbody tr').dataset.kode"
        )
        assert first == "32.16.02"  # rank order: Babelan first
        page.click(".matriks-tabel thead th:nth-child(3) button")  # mean share, rising
        shares = page.evaluate(
            """() => [...document.querySelectorAll('.matriks-tabel tbody tr')]
                 .map(r => parseFloat(r.cells[2].dataset.nilai))"""
        )
        assert shares == sorted(shares) and shares[0] < shares[-1]
        page.click(".matriks-tabel thead th:nth-child(3) button")  # again: falling
        again = page.evaluate(
            """() => [...document.querySelectorAll('.matriks-tabel tbody tr')]
                 .map(r => parseFloat(r.cells[2].dataset.nilai))"""
        )
        assert again == sorted(shares, reverse=True)
        page.locator("#matriks-kesiapan").screenshot(path=str(ARTIFACTS / "matriks.png"))
        page.click(".matriks-tabel tbody tr:first-child td:nth-child(4)")  # a row opens its page
        page.wait_for_url("**/kecamatan/*")
        assert errors == []
    finally:
        page.close()


def test_allocation_arrows_layers_and_first_view(browser: Any, base: str, demo_store: Path) -> None:
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    result = run_analysis(open_store(demo_store).read_all(), today=DAY)
    pairs = len(result.alokasi.drop_duplicates(["lokasi_id", "kode"]))
    items = result.alokasi["barang"].nunique()
    page, errors = _open(browser, base + "/alokasi")
    try:
        state = page.evaluate(
            """() => { const a = window.klasterLapisan.alokasi; let n = 0, heads = 0;
                 a.eachLayer(f => { n += 1; f.eachLayer(g => {
                   if (g instanceof L.Polygon) { heads += 1; } }); });
                 const b = window.klasterPeta.getBounds();
                 const per = Object.keys(window.klasterLapisan)
                   .filter(k => k.startsWith('alokasi_')).length;
                 return {n: n, heads: heads, per: per,
                   kec: b.contains(window.klasterLapisan.kecamatan.getBounds()),
                   lines: b.contains(a.getBounds())}; }"""
        )
        assert state["n"] == pairs and state["heads"] == pairs
        assert state["per"] == items
        assert state["kec"] and state["lines"], state
        page.screenshot(path=str(ARTIFACTS / "alokasi_panah.png"))
        assert errors == []
    finally:
        page.close()


def test_arrowhead_points_at_the_kecamatan() -> None:
    import shapely

    from geo_klaster.maps.allocation import panah

    line = shapely.LineString([(107.0, -6.2), (107.1, -6.2)])  # due east, about 11 km
    head = panah(line, 1000.0)
    xs = shapely.get_coordinates(head)[:, 0]
    tip = 107.0 + 0.1 * 0.66
    assert max(xs) == pytest.approx(tip)  # the tip is the easternmost point: pointing east
    # 1,000 m long: the base lies 1 km west of the tip (longitude scaled by cos 6.2°)
    assert tip - min(xs) == pytest.approx(1000 / (111_320 * 0.99415), rel=1e-3)

"""The readiness sheet printed by Chromium: exactly one A4 page per at-risk kecamatan.

Each sheet is printed to PDF with Playwright's ``page.pdf(prefer_css_page_size=True)`` (the
page's own ``@page`` size and margins; Playwright prints no header or footer unless asked),
for every at-risk kecamatan of the demo and for the real Bekasi boundaries with 5,000 sites.
Pages are counted with ``pdfinfo`` and the text read with ``pdftotext`` (Debian
poppler-utils); the first page is rendered to PNG with ``pdftoppm`` into
``tests/_artifacts/`` to be looked at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import DAY
from servers import ARTIFACTS, running

pytestmark = pytest.mark.browser

# DAY: the demo's reference date, shared with the demo_store fixture (conftest)
A4_MM = (210, 297)


def _need_poppler() -> None:
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.fail("pdfinfo/pdftotext missing: scripts/test.sh installs poppler-utils")


@pytest.fixture(scope="module")
def browser(browser: Any) -> Any:
    """conftest's Chromium, once poppler (pdfinfo, pdftotext) is known to be there."""
    _need_poppler()
    return browser


@pytest.fixture(scope="module")
def bekasi_5000(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo on the real Bekasi kecamatan boundaries, grown to 5,000 sites."""
    from geo_klaster.demo.store import build_demo_store, grow_sites
    from geo_klaster.store import open_store

    path = tmp_path_factory.mktemp("cetak_bekasi") / "bekasi.gpkg"
    build_demo_store(
        open_store(path), today=DAY, kecamatan_file=shared_data / "bekasi" / "kecamatan.geojson"
    )
    grow_sites(open_store(path), 5000)
    assert open_store(path).count("lokasi") == 5000
    return path


def _at_risk(store: Path) -> list[tuple[str, str]]:
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    result = run_analysis(open_store(store).read_all(), today=DAY)
    kec = result.kecamatan[result.kecamatan["berisiko"]]
    return list(zip(kec["kode"], kec["nama"], strict=True))


def _items(store: Path, kode: str) -> list[str]:
    """Names of the items with a need in ``kode`` (what the sheet's table must list)."""
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    layers = open_store(store).read_all()
    result = run_analysis(layers, today=DAY)
    names = dict(zip(layers["barang"]["kode"], layers["barang"]["nama"], strict=True))
    codes = result.gap.loc[result.gap["kode"] == kode, "barang"]
    return sorted({names[c] for c in codes})


def _print(browser: Any, url: str, out: Path) -> tuple[int, str, tuple[float, float]]:
    """Print ``url`` to ``out`` (PDF); returns (pages, text, page size in mm)."""
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r: Any) -> None:
        if "127.0.0.1" in r.request.url:
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.emulate_media(media="print")  # laid out as printed from the start
    try:
        resp = page.goto(url, wait_until="load")
        assert resp is not None and resp.status == 200, url
        page.wait_for_function("window.klasterLokasiSiap !== undefined", timeout=30_000)
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        out.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
        assert errors == [] and foreign == [], (errors, foreign)
    finally:
        context.close()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout).groups())
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                str(out),
                str(out.with_suffix("")),
            ],
            check=True,
        )
    return pages, text, (w / 72 * 25.4, h / 72 * 25.4)


def _check_sheet(browser: Any, base: str, store: Path, kode: str, nama: str, tag: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"cetak_{tag}_{kode}.pdf"
    pages, text, size = _print(browser, f"{base}/kecamatan/{kode}/cetak", out)
    assert pages == 1, f"{nama} ({kode}): {pages} pages"
    assert abs(size[0] - A4_MM[0]) < 1 and abs(size[1] - A4_MM[1]) < 1, size
    flat = " ".join(text.split())
    assert f"Kecamatan {nama}" in flat
    for item in _items(store, kode):
        assert item in flat, f"{nama}: item '{item}' missing from the printed sheet"
    assert "Disiapkan oleh" in flat and "Diperiksa (koordinator klaster)" in flat
    assert "alokasi terbesar" in flat


def test_every_at_risk_demo_sheet_is_one_page(browser: Any, demo_store: Path) -> None:
    kecamatan = _at_risk(demo_store)
    assert len(kecamatan) == 10
    with running({"STORE": demo_store, "TODAY": DAY}) as base:
        for kode, nama in kecamatan:
            _check_sheet(browser, base, demo_store, kode, nama, "demo")


@pytest.mark.shared
def test_real_bekasi_5000_sites_sheets_are_one_page(browser: Any, bekasi_5000: Path) -> None:
    kecamatan = _at_risk(bekasi_5000)
    assert kecamatan
    with running({"STORE": bekasi_5000, "TODAY": DAY}) as base:
        for kode, nama in kecamatan:
            _check_sheet(browser, base, bekasi_5000, kode, nama, "bekasi5000")


def test_annex_prints_every_allocation_line(browser: Any, demo_store: Path) -> None:
    """The annex holds what left the sheet: every allocation line of the kecamatan."""
    from geo_klaster.analysis.pipeline import run_analysis
    from geo_klaster.store import open_store

    result = run_analysis(open_store(demo_store).read_all(), today=DAY)
    n = int((result.alokasi["kode"] == "32.16.02").sum())
    assert n > 10
    with running({"STORE": demo_store, "TODAY": DAY}) as base:
        context = browser.new_context(locale="id-ID")
        page = context.new_page()
        try:
            page.goto(f"{base}/kecamatan/32.16.02/lampiran", wait_until="load")
            rows = page.evaluate(
                "() => document.querySelectorAll('section')[0].querySelectorAll('tbody tr').length"
            )
            page.emulate_media(media="print")
            pdf = page.pdf(prefer_css_page_size=True)
        finally:
            context.close()
    assert rows == n
    assert pdf[:4] == b"%PDF"

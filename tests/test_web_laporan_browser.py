"""The reporting pages in headless Debian chromium, with every request to another host aborted.

A member signs in through the form, clicks the map on ``/lokasi`` (the click fills lon/lat),
saves the site, and sends a report through the form; the pages load with no console error
and no foreign request. Screenshots go to ``tests/_artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, need_browser, running
from web_akun import SANDI, build_demo, fresh_store

from geo_klaster.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    need_browser()
    demo = build_demo(tmp_path_factory.mktemp("laporan_browser") / "demo.gpkg")
    path, _ = fresh_store(demo, tmp_path_factory.mktemp("laporan_browser_salinan"))
    with running({"STORE": path, "SECRET_KEY": "uji-peramban"}) as url:
        yield url, path


def test_member_moves_a_site_by_clicking_the_map_and_reports(served: Any) -> None:
    from playwright.sync_api import sync_playwright

    base, path = served
    foreign: list[str] = []
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def route(r: Any) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="id-ID"
            ).new_page()
            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.goto(base + "/masuk")
            page.fill("input[name=nama]", "a1")
            page.fill("input[name=sandi]", SANDI["a1"])
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/laporan")

            page.goto(base + "/lokasi?id=LOK-002")
            page.wait_for_load_state("networkidle")
            page.wait_for_function("document.querySelectorAll('.leaflet-interactive').length > 20")
            box = page.locator("#peta-lokasi").bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
            lon, lat = float(page.input_value("#isian-lon")), float(page.input_value("#isian-lat"))
            assert 106.9 < lon < 107.4 and -6.5 < lat < -6.0  # Bekasi, lon/lat not swapped
            page.screenshot(path=str(ARTIFACTS / "lokasi_klik.png"))
            page.click("form.isian button[type=submit]")
            page.wait_for_load_state("networkidle")
            assert "diperbarui" in page.locator(".pesan-ok").inner_text()
            geom = open_store(path).read("lokasi").set_index("id").at["LOK-002", "geometry"]
            assert (round(geom.x, 6), round(geom.y, 6)) == (round(lon, 6), round(lat, 6))

            page.goto(base + "/laporan/LOK-001")
            n = page.locator("select[name=barang]").count() - 5  # the first empty line
            # an item the site does not list yet: one report names each item once
            baru = page.evaluate(
                """() => {
                  const sel = [...document.querySelectorAll("select[name=barang]")];
                  const dipakai = new Set(sel.map((s) => s.value).filter((v) => v));
                  return [...sel[0].options].map((o) => o.value).find((v) => v && !dipakai.has(v));
                }"""
            )
            assert baru, "every catalogue item is already on the form"
            page.locator("select[name=barang]").nth(n).select_option(baru)
            page.locator("input[name=jumlah]").nth(n).fill("6")
            page.locator("input[name=siap]").nth(n).fill("5")
            page.click("form[action$='/laporan/LOK-001'] button[type=submit]")
            page.wait_for_load_state()
            assert "Laporan tersimpan" in page.locator(".pesan-ok").inner_text()
            page.screenshot(path=str(ARTIFACTS / "laporan_tersimpan.png"), full_page=True)
        finally:
            browser.close()
    assert foreign == []
    assert errors == []
    log = open_store(path).read_audit(limit=1).iloc[0]
    assert (log["akun"], log["saluran"], log["aksi"]) == ("a1", "web", "laporan_stok")
